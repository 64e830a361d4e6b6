/**
 * The example job examples/redis-exactly-once.ts against a real Redis: its output stream holds one entry
 * per URL and minute with the right count; a second run restores the final checkpoint and adds nothing.
 */
import { Redis } from 'ioredis';
import { runRedisExactlyOnce } from '../../examples/redis-exactly-once';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';

describe('example: Redis Stream → Redis Stream exactly once', () => {
  it('counts clicks per URL and minute into the output stream, once, even when run again', async () => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('example-exactly-once');
    const redis = new Redis(url);
    const input = `${prefix}:clicks`;
    const output = `${prefix}:counts`;
    try {
      const clicks = Array.from({ length: 300 }, (_, i) => ({ user: `u${i % 5}`, url: `/p${i % 3}`, ts: i * 1_000 + (i % 4) * 700 }));
      const p = redis.pipeline();
      for (const c of clicks) p.xadd(input, '*', 'user', c.user, 'url', c.url, 'ts', String(c.ts));
      await p.exec();
      const want = new Map<string, number>();
      for (const c of clicks) {
        const k = `${c.url}|${Math.floor(c.ts / 60_000) * 60_000 + 60_000}`;
        want.set(k, (want.get(k) ?? 0) + 1);
      }
      const read = async (): Promise<string[]> =>
        ((await redis.xrange(output, '-', '+')) as Array<[string, string[]]>).map(([, f]) => {
          const o: Record<string, string> = {};
          for (let i = 0; i < f.length; i += 2) o[f[i]!] = f[i + 1]!;
          return `${o['url']}|${o['windowEnd']}|${o['clicks']}`;
        });
      await runRedisExactlyOnce({ url, input, output, prefix, interval: 50 });
      const first = await read();
      expect([...first].sort()).toEqual([...want].map(([k, n]) => `${k}|${n}`).sort());
      await runRedisExactlyOnce({ url, input, output, prefix, interval: 50 });
      expect(await read()).toEqual(first);
    } finally {
      redis.disconnect();
      await deleteKeys(url, prefix);
    }
  }, 60_000);
});
