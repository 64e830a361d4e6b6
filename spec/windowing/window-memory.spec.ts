/**
 * Memory that really returns, for every window operator: the heap after a forced GC (not only the
 * operators' own gauges) stays flat while windows keep firing, with keys that come back every window and
 * with keys that are never seen again. Each case first runs some windows to reach its steady state, then
 * measures the heap, runs many more windows, and measures again while still subscribed.
 *
 * What these caught: the table operator (tumbling and sliding with an aggregate) kept up to 1024 fired
 * windows' tables alive (13 → 100 MB over 300 windows of 5,000 reused keys, while `windowStateSize` said
 * 0), and the general operator's idle key entries grew to about 30× the keys of a window when keys never
 * came back (its sweep waited for a number of records that grew with the idle entries).
 */
import { Subject, VirtualTimeScheduler, type OperatorFunction } from 'rxjs';
import {
  countWindow,
  EventTimeTrigger,
  KEY_ENTRIES,
  MetricGroup,
  sessionEventWindow,
  slidingEventWindow,
  StreamRecord,
  type StreamElement,
  type TimeWindow,
  type Trigger,
  tumblingEventWindow,
  tumblingProcessingWindow,
  Watermark,
  windowCount,
  windowStateSize,
} from '../../lib/index';
import { heapAfterGc, MiB } from '../helpers/heap';

/** Keys per window: above the 1024 idle entries a sweep leaves alone, so the bound on idle keys shows. */
const KEYS = 2_000;
/** Windows run before the first measurement (steady state), and after it. */
const WARM_UP = 5;
const WINDOWS = 16;
const SIZE = 1_000;

/** The default event-time trigger behind a plain object: a user's trigger, so the general operator runs. */
const eventTime = EventTimeTrigger.create();
const userTrigger: Trigger<unknown, TimeWindow> = {
  onElement: (e, ts, w, ctx) => eventTime.onElement(e, ts, w, ctx),
  onEventTime: (time, w) => eventTime.onEventTime(time, w),
  onProcessingTime: () => eventTime.onProcessingTime(),
  clear: (w, ctx) => eventTime.clear(w, ctx),
};

interface Run {
  /** Heap growth (bytes) from the end of the warm-up to the end, both after a forced GC. */
  growth: number;
  /** The most key entries (the `keyEntries` gauge) seen after a window fired. */
  mostKeyEntries: number;
  /** Windows holding state after the last window fired. */
  stateAfter: number;
  outputs: number;
}

const keyOf = (w: number, k: number, fresh: boolean): string => (fresh ? `user-${w}-${k}` : `user-${k}`);

/**
 * Drives `op` with `perKey` records per key and window (timestamps spread over the window, a watermark
 * at each window's end), `fresh` keys (never seen again) or the same keys in every
 * window.
 */
function drive(op: (metrics: MetricGroup) => OperatorFunction<StreamElement<number>, unknown>, fresh: boolean, perKey = 1): Run {
  const metrics = new MetricGroup();
  const input = new Subject<StreamElement<number>>();
  let outputs = 0;
  const subscription = input.pipe(op(metrics)).subscribe((e) => {
    if (e instanceof StreamRecord) outputs++;
  });
  const keyEntries = (): number => metrics.snapshot()[KEY_ENTRIES] ?? 0;
  let mostKeyEntries = 0;
  let before = 0;
  for (let w = 0; w < WARM_UP + WINDOWS; w++) {
    if (w === WARM_UP) before = heapAfterGc();
    for (let r = 0; r < perKey; r++) {
      for (let k = 0; k < KEYS; k++) {
        const ts = w * SIZE + Math.floor((k * SIZE) / KEYS);
        input.next(new StreamRecord(1, ts, keyOf(w, k, fresh)));
      }
    }
    input.next(new Watermark(w * SIZE + SIZE - 1));
    mostKeyEntries = Math.max(mostKeyEntries, keyEntries());
  }
  const growth = heapAfterGc() - before;
  const stateAfter = windowStateSize(metrics);
  subscription.unsubscribe();
  if (process.env['TIDEMARK_HEAP_LOG'] !== undefined) console.log(`growth ${(growth / MiB).toFixed(2)} MiB, key entries ${mostKeyEntries}`);
  return { growth, mostKeyEntries, stateAfter, outputs };
}

describe('window operators: heap after a forced GC while windows keep firing', () => {
  // what a leak of one entry per key and window would add over the measured windows (at least 40 bytes each)
  const leak = KEYS * WINDOWS * 40;
  const bound = MiB;
  it('a leak of one entry per key and window would exceed the bound', () => {
    expect(leak).toBeGreaterThan(bound);
  });

  const cases: Array<[string, (metrics: MetricGroup) => OperatorFunction<StreamElement<number>, unknown>]> = [
    ['tumbling with an aggregate (the table operator)', (metrics) => tumblingEventWindow(SIZE, { aggregate: windowCount(), metrics })],
    ['sliding with an aggregate (the table operator)', (metrics) => slidingEventWindow(2 * SIZE, SIZE, { aggregate: windowCount(), metrics })],
    ['sessions with an aggregate (the session operator)', (metrics) => sessionEventWindow(SIZE / 10, { aggregate: windowCount(), metrics })],
    ['tumbling with a user trigger (the general operator)', (metrics) => tumblingEventWindow(SIZE, { aggregate: windowCount(), trigger: userTrigger, metrics })],
    ['tumbling buffering its elements (the general operator)', (metrics) => tumblingEventWindow(SIZE, { metrics })],
    ['sessions buffering their elements (the general operator, merging)', (metrics) => sessionEventWindow(SIZE / 10, { metrics })],
  ];
  describe.each([
    ['keys that come back every window', false],
    ['keys that never come back', true],
  ])('%s', (_what, fresh) => {
    it.each(cases)('%s', (_name, op) => {
      const run = drive(op, fresh);
      expect(run.outputs).toBeGreaterThan(0);
      expect(run.stateAfter).toBeLessThanOrEqual(KEYS); // the windows of one period at most
      expect(run.growth).toBeLessThan(bound);
      // idle key entries stay within a small multiple of the keys per window (they were ~30x)
      expect(run.mostKeyEntries).toBeLessThanOrEqual(4 * KEYS);
    });
  });

  it('count windows (the general operator, global windows) keep nothing for a key whose window purged', () => {
    // every key gets 2 elements per period: countWindow(2) fires and purges, as Flink's purging count trigger
    const run = drive((metrics) => countWindow(2, undefined, { aggregate: windowCount(), metrics }), true, 2);
    expect(run.outputs).toBe(KEYS * (WARM_UP + WINDOWS));
    expect(run.growth).toBeLessThan(bound);
    expect(run.mostKeyEntries).toBeLessThanOrEqual(4 * KEYS);
  });

  it.each([
    ['keys that come back every window', false],
    ['keys that never come back', true],
  ])('processing-time tumbling windows (the general operator), %s', (_what, fresh) => {
    const scheduler = new VirtualTimeScheduler();
    const metrics = new MetricGroup();
    const input = new Subject<StreamElement<number>>();
    let outputs = 0;
    const subscription = input.pipe(tumblingProcessingWindow(SIZE, { aggregate: windowCount(), scheduler, metrics })).subscribe(() => outputs++);
    let before = 0;
    let after = 0;
    let mostKeyEntries = 0;
    for (let w = 0; w < WARM_UP + WINDOWS; w++) {
      // the window's elements arrive at processing time w * SIZE + 1, and it fires at w * SIZE + SIZE - 1
      scheduler.schedule(() => {
        if (w === WARM_UP) before = heapAfterGc();
        for (let k = 0; k < KEYS; k++) input.next(new StreamRecord(1, undefined, keyOf(w, k, fresh)));
        mostKeyEntries = Math.max(mostKeyEntries, metrics.snapshot()[KEY_ENTRIES] ?? 0);
      }, w * SIZE + 1);
    }
    scheduler.schedule(() => (after = heapAfterGc()), (WARM_UP + WINDOWS) * SIZE + 1);
    scheduler.flush();
    subscription.unsubscribe();
    expect(outputs).toBe(KEYS * (WARM_UP + WINDOWS));
    expect(after - before).toBeLessThan(bound);
    expect(mostKeyEntries).toBeLessThanOrEqual(4 * KEYS);
  });
});
