/**
 * The main example job (`npm start`): reads the bundled clicks CSV with `readTextFile`, assigns event
 * time with a bounded-out-of-orderness watermark strategy, keys by user and keeps a rolling click count
 * per user; prints the final counts as a table. In-memory state, no Redis.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assignWatermarks, filter, Job, keyBy, map, sum, values, WatermarkStrategy } from '../lib/index';
import { readTextFile } from '../lib/node/index';

export interface Click {
  user: string;
  url: string;
  timestamp: number;
}

export const CLICKS_CSV = join(dirname(fileURLToPath(import.meta.url)), 'data', 'clicks.csv');

/** Parses one CSV line (`user,url,timestamp`). */
export function parseClick(line: string): Click {
  const [user, url, ts] = line.split(',');
  return { user: user!, url: url!, timestamp: Number(ts) };
}

/** Rolling clicks per user, in event time; resolves to the last count of every user. */
export async function clicksPerUser(file = CLICKS_CSV, job = new Job({ name: 'clicks-per-user' })): Promise<Map<string, number>> {
  const counts = await lastValueFrom(
    readTextFile(file, { job }).pipe(
      filter((line: string) => line.length > 0 && !line.startsWith('user,')),
      map(parseClick),
      assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withTimestampAssigner((c) => c.timestamp)),
      map((c: Click) => ({ user: c.user, clicks: 1 })),
      keyBy((c) => c.user),
      sum('clicks'),
      values(),
      toArray(),
    ),
  );
  const last = new Map<string, number>();
  for (const c of counts) last.set(c.user, c.clicks);
  return last;
}

async function main(): Promise<void> {
  const counts = await clicksPerUser();
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  console.log('clicks per user (event time, bounded out-of-orderness 5 s)\n');
  console.log(`${'user'.padEnd(8)}${'clicks'.padStart(8)}`);
  for (const [user, n] of rows) console.log(`${user.padEnd(8)}${String(n).padStart(8)}`);
  console.log(`\n${rows.reduce((s, [, n]) => s + n, 0)} clicks from ${rows.length} users`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
