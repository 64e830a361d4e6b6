/**
 * Clicks per user (the Foundation version of the main job): reads the bundled clicks CSV with `readTextFile`, assigns event
 * time with a bounded-out-of-orderness watermark strategy, keys by user and keeps a rolling click count
 * per user; prints the final counts as a table. In-memory state, no Redis.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { fileURLToPath } from 'node:url';
import { assignWatermarks, filter, Job, keyBy, map, sum, values, WatermarkStrategy } from '../lib/index';
import { readTextFile } from '../lib/node/index';
import { type Click, CLICKS_CSV, isClickLine, parseClick } from './clicks';

/** Rolling clicks per user, in event time; resolves to the last count of every user. */
export async function clicksPerUser(file = CLICKS_CSV, job = new Job({ name: 'clicks-per-user' })): Promise<Map<string, number>> {
  const counts = await lastValueFrom(
    readTextFile(file, { job }).pipe(
      filter(isClickLine),
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
