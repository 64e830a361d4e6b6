/**
 * A job in a child process, for the crash tests: bundled once with esbuild (a child starts in a fraction
 * of the time tsx needs), started with an environment, watched for the lines it prints, and killed with
 * SIGKILL.
 */
import { spawn } from 'node:child_process';
import { build } from 'esbuild';

export interface ChildJob {
  /** Resolves with the exit code (null when killed) once it exited. */
  exited: Promise<number | null>;
  /** Resolves with the first line matching `re` the child printed, or undefined if it exited without one. */
  printed(re: RegExp): Promise<string | undefined>;
  kill(): void;
  /** Everything it printed (stdout, then stderr). */
  output(): string;
}

/** Bundles the TypeScript file `entry` into one CommonJS file `outfile` for Node 20. */
export async function bundleJob(entry: string, outfile: string): Promise<string> {
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'warning' });
  return outfile;
}

/** Runs the bundle `bundle` with `env` added to this process's environment. */
export function startChild(bundle: string, env: Record<string, string>): ChildJob {
  const child = spawn(process.execPath, [bundle], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const find = (re: RegExp): string | undefined => out.split('\n').find((l) => re.test(l));
  const waiters: Array<{ re: RegExp; resolve: (line: string | undefined) => void }> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const m = find(w.re);
      if (m !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    exited,
    printed: (re) =>
      new Promise<string | undefined>((resolve) => {
        const m = find(re);
        if (m !== undefined) return resolve(m);
        waiters.push({ re, resolve });
        // stdout is read to its end before 'exit' only sometimes: look once more when it closed.
        void exited.then(() => setImmediate(() => resolve(find(re))));
      }),
    kill: () => child.kill('SIGKILL'),
    output: () => out + err,
  };
}
