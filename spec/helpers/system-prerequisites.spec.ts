/**
 * A missing system prerequisite fails with a message that says how to get it (issue 11, item 14).
 */
import { chromiumPath, INSTALL_SYSTEM_PREREQUISITES, MissingPrerequisiteError } from './system-prerequisites';

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

  it('installs both programs in one command', () => {
    expect(INSTALL_SYSTEM_PREREQUISITES.split(' ')).toEqual(expect.arrayContaining(['chromium', 'redis-server']));
  });
});
