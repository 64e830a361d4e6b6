/**
 * Memory that really returns, for rolling aggregations with a state TTL: the heap after a forced GC stays
 * flat while processing time passes and every step brings keys that never come back; without a TTL the
 * same input grows the heap past the bound (so the bound can catch a leak).
 */
import { asyncScheduler, type SchedulerLike, Subject } from 'rxjs';
import { keyBy, StateTtlConfig, sum, values } from '../../lib/index';
import { heapAfterGc as heap, MiB } from '../helpers/heap';

const KEYS = 2_000;
const TTL = 1_000;
const WARM_UP = 4;
const STEPS = 16;
const BOUND = MiB;

/** A scheduler whose clock the test sets (the TTL reads only `now()`). */
function clock(): SchedulerLike & { time: number } {
  const s = { time: 0, now: () => s.time, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
  return s;
}

/** Heap growth from the end of the warm-up to the end, with every step bringing KEYS new keys one TTL later. */
function growth(ttl: StateTtlConfig | undefined): number {
  const scheduler = clock();
  const input = new Subject<{ k: string; n: number }>();
  let out = 0;
  const subscription = input.pipe(keyBy((x) => x.k), sum('n', ttl === undefined ? { scheduler } : { ttl, scheduler }), values()).subscribe(() => out++);
  let before = 0;
  for (let step = 0; step < WARM_UP + STEPS; step++) {
    if (step === WARM_UP) before = heap();
    scheduler.time = step * TTL;
    for (let i = 0; i < KEYS; i++) input.next({ k: `k${step}-${i}`, n: i });
  }
  const grown = heap() - before;
  subscription.unsubscribe();
  expect(out).toBe((WARM_UP + STEPS) * KEYS);
  return grown;
}

describe('rolling aggregation memory (heap after a forced GC)', () => {
  it('without a TTL, keys that never come back grow the heap past the bound (as in Flink)', () => {
    expect(growth(undefined)).toBeGreaterThan(BOUND);
  });

  it('with a TTL, the expired keys are removed and their memory returns', () => {
    expect(growth(StateTtlConfig.newBuilder(TTL).build())).toBeLessThan(BOUND);
  });
});
