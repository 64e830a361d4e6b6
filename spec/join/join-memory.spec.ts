/**
 * Memory that really returns, for the joins: the heap after a forced GC stays flat while windows and
 * interval bounds keep passing, with keys that come back and keys that are never seen again.
 */
import { type OperatorFunction, Subject } from 'rxjs';
import { intervalJoin, StreamRecord, type StreamElement, TumblingEventTimeWindows, Watermark, windowJoin } from '../../lib/index';
import { heapGrowthOver, MiB } from '../helpers/heap';

const KEYS = 2_000;
const PERIOD = 1_000;
const WARM_UP = 5;
const STEPS = 16;
/** A leak of one 40-byte entry per key and period would add KEYS * STEPS * 40 bytes: above this bound. */
const BOUND = MiB;

interface Event {
  key: string;
}
const keyOf = (period: number, k: number, fresh: boolean): string => (fresh ? `key-${period}-${k}` : `key-${k}`);

/** Pushes one period of records (one per key and side) and the watermark at its end into both inputs. */
function period(left: Subject<StreamElement<Event>>, right: Subject<StreamElement<Event>>, p: number, fresh: boolean): void {
  for (let k = 0; k < KEYS; k++) {
    const key = keyOf(p, k, fresh);
    const ts = p * PERIOD + Math.floor((k * PERIOD) / KEYS);
    left.next(new StreamRecord({ key }, ts, key));
    right.next(new StreamRecord({ key }, ts, key));
  }
  left.next(new Watermark(p * PERIOD + PERIOD - 1));
  right.next(new Watermark(p * PERIOD + PERIOD - 1));
}

describe('joins: heap after a forced GC while time passes', () => {
  it('a leak of one entry per key and period would exceed the bound', () => {
    expect(KEYS * STEPS * 40).toBeGreaterThan(BOUND);
  });

  /** Drives `join(right)` on `left` through every period and returns the heap growth and the pairs joined. */
  const run = (fresh: boolean, join: (right: Subject<StreamElement<Event>>) => OperatorFunction<StreamElement<Event>, unknown>) => {
    const left = new Subject<StreamElement<Event>>();
    const right = new Subject<StreamElement<Event>>();
    let pairs = 0;
    const subscription = left.pipe(join(right)).subscribe((e) => {
      if (e instanceof StreamRecord) pairs++;
    });
    const growth = heapGrowthOver(WARM_UP, STEPS, (p) => period(left, right, p, fresh));
    subscription.unsubscribe();
    return { growth, pairs };
  };

  describe.each([
    ['keys that come back every period', false],
    ['keys that never come back', true],
  ])('%s', (_what, fresh) => {
    it.each([
      ['windowJoin (tumbling)', (right: Subject<StreamElement<Event>>) =>
        windowJoin(right, { where: (l: Event) => l.key, equalTo: (r: Event) => r.key, window: TumblingEventTimeWindows.of(PERIOD), apply: () => 1 })],
      ['intervalJoin', (right: Subject<StreamElement<Event>>) =>
        intervalJoin(right, { between: [-10, 10], process: (_l: Event, _r: Event, _ctx, out) => out.collect(1) })],
    ] as const)('%s', (_name, join) => {
      const { growth, pairs } = run(fresh, join);
      expect(pairs).toBe(KEYS * (WARM_UP + STEPS));
      expect(growth).toBeLessThan(BOUND);
    });
  });
});
