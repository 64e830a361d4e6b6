/**
 * A missing system prerequisite fails with a message that says how to get it (issue 11, item 14).
 */
import { chromiumPath, INSTALL_SYSTEM_PREREQUISITES, MissingPrerequisiteError, redisServerPath } from './system-prerequisites';

const only = (...paths: string[]) => (p: string) => paths.includes(p);

describe('system prerequisites', () => {
  it('finds Chromium at CHROMIUM_PATH, else at Debian and Ubuntu paths', () => {
    expect(chromiumPath({ env: { CHROMIUM_PATH: '/opt/chrome/chrome' }, exists: only('/opt/chrome/chrome', '/usr/bin/chromium') })).toBe('/opt/chrome/chrome');
    expect(chromiumPath({ env: {}, exists: only('/usr/bin/chromium') })).toBe('/usr/bin/chromium');
    expect(chromiumPath({ env: { CHROMIUM_PATH: '' }, exists: only('/usr/bin/chromium-browser') })).toBe('/usr/bin/chromium-browser');
  });

  it('refuses a missing Chromium with the install command and the CHROMIUM_PATH way out', () => {
    const missing = () => chromiumPath({ env: {}, exists: () => false });
    expect(missing).toThrow(MissingPrerequisiteError);
    expect(missing).toThrow(`Install the system prerequisites with \`${INSTALL_SYSTEM_PREREQUISITES}\``);
    expect(missing).toThrow('or set CHROMIUM_PATH to a Chromium or Chrome binary');
    expect(() => chromiumPath({ env: { CHROMIUM_PATH: '/nope' }, exists: only('/usr/bin/chromium') })).toThrow('CHROMIUM_PATH is /nope, which does not exist');
  });

  it('finds redis-server on PATH, and refuses a missing one with the install command', () => {
    expect(redisServerPath({ env: { PATH: '/a:/usr/bin' }, exists: only('/usr/bin/redis-server') })).toBe('/usr/bin/redis-server');
    const missing = () => redisServerPath({ env: { PATH: '/a:/b' }, exists: () => false });
    expect(missing).toThrow(MissingPrerequisiteError);
    expect(missing).toThrow(`redis-server is missing`);
    expect(missing).toThrow(INSTALL_SYSTEM_PREREQUISITES);
  });

  it('installs both programs in one command', () => {
    expect(INSTALL_SYSTEM_PREREQUISITES.split(' ')).toEqual(expect.arrayContaining(['chromium', 'redis-server']));
  });
});
