/**
 * The README's first pipeline: clicks out of order -> watermarks -> keyBy -> per-user counts.
 * Run: npx tsx examples/quick-start.ts
 */
import { fileURLToPath } from 'node:url';
import { lastValueFrom, toArray } from 'rxjs';
import { assignWatermarks, fromCollection, keyBy, map, sum, values, WatermarkStrategy } from '../lib/index';

export const clicks = [
  { user: 'ann', url: '/home', ts: 1_000 },
  { user: 'bob', url: '/cart', ts: 3_000 },
  { user: 'ann', url: '/cart', ts: 2_000 }, // out of order, still counted
];

/** Rolling clicks per user. */
export function quickStart(): Promise<Array<{ user: string; clicks: number }>> {
  return lastValueFrom(
    fromCollection(clicks).pipe(
      assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness(5_000).withPerEventEmit().withTimestampAssigner((c: (typeof clicks)[number]) => c.ts)),
      map((c) => ({ user: c.user, clicks: 1 })),
      keyBy((c) => c.user),
      sum('clicks'),
      values(),
      toArray(),
    ),
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  void quickStart().then((rows) => rows.forEach((r) => console.log(r)));
}
