/**
 * Deduplication with TTL state: drop a click when the same user clicked the same URL within the last
 * `ttlMs` of processing time. The "seen" flag is keyed value state with a time to live, so memory stays
 * bounded by the clicks of the last `ttlMs`. Run: npx tsx examples/dedup.ts
 */
import { fileURLToPath } from 'node:url';
import { type Observable, type SchedulerLike } from 'rxjs';
import {
  keyBy,
  keyedProcess,
  StateTtlConfig,
  ValueStateDescriptor,
  type StreamElement,
  type ValueState,
} from '../lib/index';
import type { Click } from './clicks';

/** Clicks with repeats of (user, url) within `ttlMs` of processing time removed. */
export function dedupClicks(clicks$: Observable<StreamElement<Click>>, ttlMs: number, scheduler?: SchedulerLike): Observable<StreamElement<Click>> {
  const seenDescriptor = new ValueStateDescriptor<boolean>('seen').enableTimeToLive(
    StateTtlConfig.newBuilder(ttlMs).setUpdateType('OnCreateAndWrite').cleanupIncrementally(10, true).build(),
  );
  let seen!: ValueState<boolean>;
  return clicks$.pipe(
    keyBy((c: Click) => [c.user, c.url]),
    keyedProcess<readonly [string, string], Click, Click>(
      {
        open(ctx) {
          seen = ctx.getState(seenDescriptor);
        },
        processElement(click, _ctx, out) {
          if (seen.value() === true) return;
          seen.update(true);
          out.collect(click);
        },
      },
      scheduler === undefined ? { name: 'dedup' } : { name: 'dedup', scheduler },
    ),
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  void (async () => {
    const { fromCollection, values } = await import('../lib/index');
    const { lastValueFrom, toArray } = await import('rxjs');
    const clicks: Click[] = [
      { user: 'ann', url: '/home', timestamp: 1 },
      { user: 'ann', url: '/home', timestamp: 2 },
      { user: 'bob', url: '/home', timestamp: 3 },
      { user: 'ann', url: '/cart', timestamp: 4 },
    ];
    const unique = await lastValueFrom(dedupClicks(fromCollection(clicks), 60_000).pipe(values(), toArray()));
    console.log(unique);
  })();
}
