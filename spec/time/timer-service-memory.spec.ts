/**
 * Memory that really returns, for the timer service (through keyedProcess): the heap after a forced GC
 * stays flat while timers keep firing, with keys that come back and keys that are never seen again.
 */
import { Subject } from 'rxjs';
import { keyedProcess, StreamRecord, type StreamElement, Watermark } from '../../lib/index';
import { heapGrowthOver, MiB } from '../helpers/heap';

const KEYS = 2_000;
const PERIOD = 1_000;
const WARM_UP = 5;
const STEPS = 16;
/** A leak of one 40-byte entry per key and period would add KEYS * STEPS * 40 bytes: above this bound. */
const BOUND = MiB;

describe('timer service: heap after a forced GC while timers keep firing', () => {
  it('a leak of one entry per key and period would exceed the bound', () => {
    expect(KEYS * STEPS * 40).toBeGreaterThan(BOUND);
  });

  it.each([
    ['keys that come back every period', false],
    ['keys that never come back', true],
  ])('one event-time timer per record, %s', (_what, fresh) => {
    const input = new Subject<StreamElement<number>>();
    let fired = 0;
    const subscription = input
      .pipe(
        keyedProcess<string, number, number>({
          processElement(_v, ctx) {
            ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 10);
          },
          onTimer(t, _ctx, out) {
            out.collect(t);
          },
        }),
      )
      .subscribe((e) => {
        if (e instanceof StreamRecord) fired++;
      });
    const growth = heapGrowthOver(WARM_UP, STEPS, (p) => {
      for (let k = 0; k < KEYS; k++) {
        const ts = p * PERIOD + Math.floor((k * (PERIOD - 20)) / KEYS);
        input.next(new StreamRecord(1, ts, fresh ? `key-${p}-${k}` : `key-${k}`));
      }
      input.next(new Watermark(p * PERIOD + PERIOD - 1));
    });
    subscription.unsubscribe();
    expect(fired).toBe(KEYS * (WARM_UP + STEPS));
    expect(growth).toBeLessThan(BOUND);
  });
});
