/**
 * The system programs some tests need (README "System prerequisites"), found or refused with a message
 * that says how to get them. Redis is found by spec/helpers/redis.ts.
 */
import { existsSync } from 'node:fs';

/** The one command that installs every system prerequisite on Debian or Ubuntu. */
export const INSTALL_SYSTEM_PREREQUISITES = 'sudo apt-get install -y chromium redis-server';

/** Where to look: the environment (for `CHROMIUM_PATH`) and whether a file exists. */
export interface Lookup {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly exists: (path: string) => boolean;
}

const system: Lookup = { env: process.env, exists: existsSync };

/** A system program a test needs and does not find. */
export class MissingPrerequisiteError extends Error {
  override readonly name = 'MissingPrerequisiteError';
}

/**
 * The Chromium binary the dashboard test drives: `$CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`,
 * else Ubuntu's `/usr/bin/chromium-browser`.
 * @throws MissingPrerequisiteError saying how to install Chromium or point `CHROMIUM_PATH` at one.
 */
export function chromiumPath(lookup: Lookup = system): string {
  const configured = lookup.env['CHROMIUM_PATH'];
  if (configured !== undefined && configured !== '') {
    if (lookup.exists(configured)) return configured;
    throw new MissingPrerequisiteError(`CHROMIUM_PATH is ${configured}, which does not exist: point it at a Chromium or Chrome binary, or unset it to use /usr/bin/chromium`);
  }
  const found = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => lookup.exists(p));
  if (found !== undefined) return found;
  throw new MissingPrerequisiteError(
    'Chromium is missing: the dashboard test (spec/dashboard) drives a headless Chromium and found none at /usr/bin/chromium or /usr/bin/chromium-browser. ' +
      `Install the system prerequisites with \`${INSTALL_SYSTEM_PREREQUISITES}\` (Debian/Ubuntu; see README "System prerequisites"), ` +
      'or set CHROMIUM_PATH to a Chromium or Chrome binary.',
  );
}
