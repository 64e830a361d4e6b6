/**
 * Redis for tests. `sharedRedisUrl()` gives the shared server (`REDIS_URL`, default redis://127.0.0.1:6379),
 * or, when it is unreachable, a private `redis-server` started on a free port for this test process.
 * `startPrivateRedis()` starts a private server for a test that stops, restarts or fills Redis: such a test
 * never touches the shared one. Every test uses a unique key prefix (`uniquePrefix()`) and deletes its keys.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses. */
export function uniquePrefix(what: string): string {
  return `tidemark-test:${what}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

async function answers(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

const HOW_TO = 'install it with `apt-get install -y redis-server` and start it with `redis-server --daemonize yes`, or set REDIS_URL';

/** A private redis-server on a free port, for tests that stop, restart or fill Redis. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL: nothing is saved, as on a crash). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty, unless started `persistent`: then with what it had acknowledged). */
  start(): Promise<void>;
}

/**
 * Starts a private redis-server; fails with a message that says how to install one. With `persistent`, it
 * writes an append-only file synced at every write (in a temporary directory), so what it acknowledged
 * survives a SIGKILL and a restart, as a production Redis configured for durability.
 */
export async function startPrivateRedis(options: { persistent?: boolean } = {}): Promise<PrivateRedis> {
  if (!redisServerInstalled()) throw new Error(`redis-server is not installed: ${HOW_TO}`);
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const dir = options.persistent === true ? mkdtempSync(join(tmpdir(), 'tidemark-redis-')) : undefined;
  const persistence = dir === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  const start = async (): Promise<void> => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], { stdio: 'ignore' });
    child = c;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    // Poll until it answers (a condition, bounded), or fail if it exits.
    for (let i = 0; i < 200; i++) {
      if (await answers(url)) return;
      if (c.exitCode !== null) break;
      await Promise.race([exited, new Promise((r) => setTimeout(r, 25))]);
    }
    c.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not start`);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGKILL');
    await exited;
  };
  process.once('exit', () => child?.kill('SIGKILL'));
  await start();
  return { url, port, stop, start };
}

let shared: Promise<string> | undefined;

/** The shared Redis, or a private one for this process when it is unreachable. */
export function sharedRedisUrl(): Promise<string> {
  shared ??= (async () => {
    const url = process.env['REDIS_URL'] ?? DEFAULT_URL;
    if (await answers(url)) return url;
    if (!redisServerInstalled()) throw new Error(`Redis is not reachable at ${url}, and redis-server is not installed: ${HOW_TO}`);
    return (await startPrivateRedis()).url;
  })();
  return shared;
}

/** Deletes every key under `prefix` (SCAN, never FLUSHALL) and returns how many there were. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const r = new Redis(url);
  try {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) n += await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    return n;
  } finally {
    r.disconnect();
  }
}
