import { lastValueFrom, of, tap, toArray, type OperatorFunction } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  CountTrigger,
  EventTimeSessionWindows,
  InvalidArgumentError,
  MAX_SLIDING_WINDOWS_PER_ELEMENT,
  KEY_ENTRIES,
  MetricGroup,
  sessionEventWindow,
  SlidingEventTimeWindows,
  slidingEventWindow,
  slidingProcessingWindow,
  StreamRecord,
  TimeWindow,
  tumblingEventWindow,
  window,
  windowCount,
  windowStateSize,
  type AggregateFunction,
  type StreamElement,
} from '../../lib/index';
import { maxWm, rec, wm } from '../../lib/testing/index';
import { spaced } from '../helpers/spaced';

const k = (v: string, ts: number) => rec(v, ts, 'k');
const records = (xs: unknown[]) => xs.filter((e) => e instanceof StreamRecord);

describe('slidingEventWindow', () => {
  it('puts one element in every window that covers it', marbles((m) => {
    const source = m.cold(spaced(['a', 'W', 'X', 'M', '|']), { a: k('a', 7), W: wm(9), X: wm(14), M: maxWm() });
    m.expect(source.pipe(slidingEventWindow(10, 5, { aggregate: windowCount() }))).toBeObservable(spaced(['', '(xW)', '(yX)', 'M', '|']), {
      x: rec(1, 9, 'k'),
      W: wm(9),
      y: rec(1, 14, 'k'),
      X: wm(14),
      M: maxWm(),
    });
  }));

  it('assigns ceil(size / slide) windows, latest first', () => {
    expect(SlidingEventTimeWindows.of(10, 5).assignWindows('a', 7).map(String)).toEqual(['TimeWindow[5, 15)', 'TimeWindow[0, 10)']);
    expect(SlidingEventTimeWindows.of(10, 3).assignWindows('a', 9)).toHaveLength(4);
    expect(SlidingEventTimeWindows.of(10, 3).assignWindows('a', 7)).toHaveLength(3);
    expect(SlidingEventTimeWindows.of(3, 10).assignWindows('a', 7)).toHaveLength(0); // gaps when slide > size
  });

  it('drops an element only from the windows that are late', async () => {
    const out = await lastValueFrom(of(k('a', 1), wm(9), k('b', 8), maxWm()).pipe(slidingEventWindow(10, 5), toArray()));
    // a (1) is in [-5,5) and [0,10); b (8) is late for [0,10) but not for [5,15)
    expect(records(out)).toEqual([rec(['a'], 4, 'k'), rec(['a'], 9, 'k'), rec(['b'], 14, 'k')]);
  });

  it('keeps one accumulator per window and holds no state once all fired', async () => {
    const metrics = new MetricGroup();
    const add: string[] = [];
    const counting: AggregateFunction<string, number, number> = {
      createAccumulator: () => 0,
      add: (v, acc) => (add.push(v), acc + 1),
      getResult: (acc) => acc,
      merge: (a, b) => a + b,
    };
    const input = Array.from({ length: 20 }, (_, i) => k(`e${i}`, i));
    const out = await lastValueFrom(of(...input, maxWm()).pipe(slidingEventWindow(10, 2, { aggregate: counting, metrics }), toArray()));
    expect(add).toHaveLength(20 * 5); // each element added once to each of its 5 windows, never re-scanned
    expect(records(out).map((r) => (r as StreamRecord<number>).value)).toEqual([2, 4, 6, 8, 10, 10, 10, 10, 10, 10, 8, 6, 4, 2]);
    expect(windowStateSize(metrics)).toBe(0);
  });

  it('refuses a bad slide', () => {
    expect(() => slidingEventWindow(10, 0)).toThrow(InvalidArgumentError);
    expect(() => slidingEventWindow(10, 2.5)).toThrow('SlidingEventTimeWindows.of: slide must be a positive integer number of milliseconds (at most Number.MAX_SAFE_INTEGER), got 2.5');
    expect(() => SlidingEventTimeWindows.of(10.5, 5)).toThrow(/size must be a positive integer/);
    expect(() => SlidingEventTimeWindows.of(10, 5, 5)).toThrow(/offset must be .* < slide \(5\)/);
    expect(() => SlidingEventTimeWindows.of(10, 5, 0.5)).toThrow(/offset must be an integer/);
  });

  it(`refuses more than MAX_SLIDING_WINDOWS_PER_ELEMENT (${MAX_SLIDING_WINDOWS_PER_ELEMENT}) windows per element, before any element arrives`, () => {
    // slidingEventWindow(1e9, 1) used to add one element to a billion windows and run out of memory
    expect(() => slidingEventWindow(1e9, 1)).toThrow(InvalidArgumentError);
    expect(() => slidingEventWindow(1e9, 1)).toThrow(/^SlidingEventTimeWindows.of: size must be at most 10000 × slide \(1\): each element goes to ceil\(size \/ slide\) windows.*got 1000000000$/);
    expect(() => slidingProcessingWindow(10_001, 1)).toThrow(/SlidingProcessingTimeWindows.of: size must be at most 10000 × slide/);
    // the bound itself is allowed: ceil(size / slide) = 10_000
    expect(() => SlidingEventTimeWindows.of(MAX_SLIDING_WINDOWS_PER_ELEMENT * 3, 3)).not.toThrow();
    expect(() => SlidingEventTimeWindows.of(MAX_SLIDING_WINDOWS_PER_ELEMENT * 3 + 1, 3)).toThrow(InvalidArgumentError);
  });
});

describe('sessionEventWindow', () => {
  it('merges elements closer than the gap into one session [first, last + gap)', marbles((m) => {
    const source = m.cold(spaced(['a', 'b', 'c', 'W', 'M', '|']), { a: k('a', 1), b: k('b', 4), c: k('c', 20), W: wm(9), M: maxWm() });
    m.expect(source.pipe(sessionEventWindow(5, { aggregate: windowCount() }))).toBeObservable(spaced(['', '', '', '(xW)', '(yM)', '|']), {
      x: rec(2, 8, 'k'),
      W: wm(9),
      y: rec(1, 24, 'k'),
      M: maxWm(),
    });
  }));

  it('bridges two sessions with an element that touches both', async () => {
    const out = await lastValueFrom(of(k('a', 1), k('c', 12), k('b', 6), maxWm()).pipe(sessionEventWindow(5), toArray()));
    // [1,6) and [12,17) are joined by [6,11)... which touches [1,6) and, extended to [1,11), does not reach 12
    expect(records(out)).toEqual([rec(['a', 'b'], 10, 'k'), rec(['c'], 16, 'k')]);
    const joined = await lastValueFrom(of(k('a', 1), k('c', 10), k('b', 6), maxWm()).pipe(sessionEventWindow(5), toArray()));
    // b's [6,11) touches [1,6) and [10,15): one session [1,15); merged contents in window order, then b
    expect(records(joined)).toEqual([rec(['a', 'c', 'b'], 14, 'k')]);
  });

  it('holds zero sessions after every session has fired, with or without lateness', async () => {
    for (const allowedLateness of [0, 7]) {
      const metrics = new MetricGroup();
      const input = Array.from({ length: 300 }, (_, i) => rec(i, (i * 37) % 1000, `k${i % 11}`));
      const out = await lastValueFrom(of(...input, wm(400), maxWm()).pipe(sessionEventWindow(15, { aggregate: windowCount(), allowedLateness, metrics }), toArray()));
      expect(records(out).length).toBeGreaterThan(11);
      expect(windowStateSize(metrics)).toBe(0);
    }
  });

  it.each([
    ['sessions (the incremental operator)', (metrics: MetricGroup) => sessionEventWindow<number>(5, { aggregate: windowCount(), metrics })],
    ['tumbling windows of elements (the general operator)', (metrics: MetricGroup) => tumblingEventWindow<number>(5, { metrics })],
  ])('%s keep the entries of keys without windows bounded, and none after the last watermark', async (_name, op) => {
    const metrics = new MetricGroup();
    const input: StreamElement<number>[] = [];
    // 20k keys, each with one click: every key's window closes soon after, and the key is never seen again
    for (let i = 0; i < 20_000; i++) {
      input.push(rec(i, i * 10, `user${i}`));
      if (i % 100 === 99) input.push(wm(i * 10 - 1));
    }
    let most = 0;
    const entries = (): number => Object.entries(metrics.snapshot()).find(([k]) => k.endsWith(KEY_ENTRIES))![1];
    await lastValueFrom(
      of(...input, maxWm()).pipe(
        op(metrics) as OperatorFunction<StreamElement<number>, StreamElement<unknown>>,
        tap(() => (most = Math.max(most, entries()))),
        toArray(),
      ),
    );
    expect(most).toBeGreaterThan(1000); // idle keys are kept for a while for reuse...
    expect(most).toBeLessThan(5_000); // ...but swept: not one entry per key ever seen
    expect(entries()).toBe(0);
    expect(windowStateSize(metrics)).toBe(0);
  });

  it("merges accumulators with the aggregate's merge", async () => {
    const merges: Array<[number, number]> = [];
    const agg: AggregateFunction<string, number, number> = {
      createAccumulator: () => 0,
      add: (_v, acc) => acc + 1,
      getResult: (acc) => acc,
      merge: (a, b) => (merges.push([a, b]), a + b),
    };
    // [1,12) (a, b) and [20,30) (c) are bridged by d's [12,22)
    const out = await lastValueFrom(of(k('a', 1), k('b', 2), k('c', 20), k('d', 12), maxWm()).pipe(sessionEventWindow(10, { aggregate: agg }), toArray()));
    expect(records(out)).toEqual([rec(4, 29, 'k')]);
    expect(merges.length).toBeGreaterThan(0);
  });

  it("merges trigger state through the trigger's onMerge (CountTrigger counts across merged sessions)", async () => {
    const assigner = EventTimeSessionWindows.withGap(15);
    const out = await lastValueFrom(of(k('a', 1), k('b', 30), k('c', 15), maxWm()).pipe(window(assigner, { trigger: CountTrigger.of(3) }), toArray()));
    // a [1,16) and b [30,45) are separate sessions (count 1 each); c's [15,30) bridges them: merged count 2, +1 = 3 → fires
    expect(records(out)).toEqual([rec(['a', 'b', 'c'], 44, 'k')]);
  });

  it('uses a dynamic gap, and refuses a gap function that returns <= 0', async () => {
    const out = await lastValueFrom(
      of(rec({ v: 'a', gap: 100 }, 1, 'k'), rec({ v: 'b', gap: 1 }, 50, 'k'), maxWm()).pipe(sessionEventWindow((e: { gap: number }) => e.gap, { aggregate: windowCount() }), toArray()),
    );
    expect(records(out)).toEqual([rec(2, 100, 'k')]);
    const err = await lastValueFrom(of(rec({ gap: 0 }, 1, 'k')).pipe(sessionEventWindow((e: { gap: number }) => e.gap))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/^EventTimeSessionWindows: the session gap must be a positive integer number of milliseconds .*got 0$/);
    const fractional = await lastValueFrom(of(rec({ gap: 1.5 }, 1, 'k')).pipe(sessionEventWindow((e: { gap: number }) => e.gap))).catch((e: unknown) => e);
    expect((fractional as Error).message).toMatch(/^EventTimeSessionWindows: the session gap must be a positive integer .*got 1.5$/);
  });

  it('refuses a non-positive gap', () => {
    expect(() => sessionEventWindow(0)).toThrow('EventTimeSessionWindows.withGap: gap must be a positive integer number of milliseconds (at most Number.MAX_SAFE_INTEGER), got 0');
    expect(() => sessionEventWindow(0.5)).toThrow(/gap must be a positive integer .*got 0.5$/);
  });

  it('merges windows that touch, as Flink does', () => {
    const merged: string[] = [];
    EventTimeSessionWindows.withGap(5).mergeWindows([new TimeWindow(1, 6), new TimeWindow(6, 11), new TimeWindow(20, 25)], (ws, r) =>
      merged.push(`${ws.map(String).join('+')}=${String(r)}`),
    );
    expect(merged).toEqual(['TimeWindow[1, 6)+TimeWindow[6, 11)=TimeWindow[1, 11)']);
  });
});
