/**
 * Memory that really returns, for keyed state with a time to live: the heap after a forced GC stays
 * flat while processing time passes, with keys that come back and keys that are never seen again.
 */
import { asyncScheduler, type SchedulerLike, Subject } from 'rxjs';
import { keyedProcess, StateTtlConfig, StreamRecord, type StreamElement, type ValueState, ValueStateDescriptor } from '../../lib/index';
import { heapGrowthOver, MiB } from '../helpers/heap';

const KEYS = 2_000;
const TTL = 1_000;
const WARM_UP = 5;
const STEPS = 16;
/** A leak of one 40-byte entry per key and step would add KEYS * STEPS * 40 bytes: above this bound. */
const BOUND = MiB;

/** A scheduler whose clock the test sets (TTL reads only `now()`). */
function clock(): SchedulerLike & { time: number } {
  const s = { time: 0, now: () => s.time, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
  return s;
}

describe('keyed state with a TTL: heap after a forced GC while processing time passes', () => {
  it('a leak of one entry per key and step would exceed the bound', () => {
    expect(KEYS * STEPS * 40).toBeGreaterThan(BOUND);
  });

  it.each([
    ['with cleanupIncrementally(10, true), keys that come back every TTL', false, () => StateTtlConfig.newBuilder(TTL).cleanupIncrementally(10, true).build()],
    ['with cleanupIncrementally(10, true), keys that never come back', true, () => StateTtlConfig.newBuilder(TTL).cleanupIncrementally(10, true).build()],
    // The default config cleans up in the background (5 entries per access), as Flink's does.
    ['with the default config, keys that never come back', true, () => StateTtlConfig.newBuilder(TTL).build()],
  ])('ValueState %s', (_what, fresh, ttl) => {
    const scheduler = clock();
    const input = new Subject<StreamElement<number>>();
    const descriptor = new ValueStateDescriptor<number>('last').enableTimeToLive(ttl());
    let last!: ValueState<number>;
    let firstSeen = 0;
    const subscription = input
      .pipe(
        keyedProcess<string, number, number>(
          {
            open(ctx) {
              last = ctx.getState(descriptor);
            },
            processElement(v, _ctx, out) {
              if (last.value() === undefined) firstSeen++;
              last.update(v);
              out.collect(v);
            },
          },
          { scheduler },
        ),
      )
      .subscribe();
    const growth = heapGrowthOver(WARM_UP, STEPS, (step) => {
      // each step is one TTL later: every value written in the previous step has expired
      scheduler.time = step * TTL;
      for (let k = 0; k < KEYS; k++) input.next(new StreamRecord(step, undefined, fresh ? `key-${step}-${k}` : `key-${k}`));
    });
    subscription.unsubscribe();
    expect(firstSeen).toBe(KEYS * (WARM_UP + STEPS)); // every value had expired when its key came back
    expect(growth).toBeLessThan(BOUND);
  });
});
