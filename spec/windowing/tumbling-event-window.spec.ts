import { lastValueFrom, of, toArray, type OperatorFunction } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  type Key,
  InvalidArgumentError,
  InvalidTimestampError,
  MetricGroup,
  NotKeyedError,
  NUM_LATE_RECORDS,
  NUM_LATE_RECORDS_DROPPED,
  OutputTag,
  StreamRecord,
  TumblingEventTimeWindows,
  tumblingEventWindow,
  windowCount,
  slidingEventWindow,
  sessionEventWindow,
  type StreamElement,
  windowStateSize,
} from '../../lib/index';
import { maxWm, rec, side, wm } from '../../lib/testing/index';
import { forgedRecord } from '../helpers/forged-record';
import { spaced } from '../helpers/spaced';

const k = (v: string, ts: number) => rec(v, ts, 'k');

describe('tumblingEventWindow', () => {
  it('fires [start, end) when the watermark reaches end - 1, with timestamp end - 1', marbles((m) => {
    const source = m.cold(spaced(['a', 'b', 'c', 'W', 'X', 'M', '|']), { a: k('a', 1), b: k('b', 9), c: k('c', 10), W: wm(8), X: wm(9), M: maxWm() });
    m.expect(source.pipe(tumblingEventWindow(10))).toBeObservable(spaced(['', '', '', 'W', '(xX)', '(yM)', '|']), {
      W: wm(8),
      x: rec(['a', 'b'], 9, 'k'),
      X: wm(9),
      y: rec(['c'], 19, 'k'),
      M: maxWm(),
    });
  }));

  it('puts an element at exactly end - 1 in the window and one at end in the next', async () => {
    const out = await lastValueFrom(of(k('a', 9), k('b', 10), wm(9), maxWm()).pipe(tumblingEventWindow(10), toArray()));
    expect(out.filter((e) => e instanceof StreamRecord)).toEqual([rec(['a'], 9, 'k'), rec(['b'], 19, 'k')]);
  });

  it('keeps keys apart', async () => {
    const out = await lastValueFrom(
      of(rec(1, 1, 'x'), rec(2, 2, 'y'), rec(3, 3, 'x'), maxWm()).pipe(tumblingEventWindow(10, { aggregate: windowCount() }), toArray()),
    );
    expect(out.filter((e) => e instanceof StreamRecord)).toEqual([rec(2, 9, 'x'), rec(1, 9, 'y')]);
  });

  it('places negative timestamps with a floored modulo (size 7, -8 → [-14, -7))', async () => {
    const out = await lastValueFrom(of(k('a', -8), k('b', -7), maxWm()).pipe(tumblingEventWindow(7), toArray()));
    expect(out.filter((e) => e instanceof StreamRecord)).toEqual([rec(['a'], -8, 'k'), rec(['b'], -1, 'k')]);
    expect(TumblingEventTimeWindows.of(7).assignWindows('a', -8)[0]!.toString()).toBe('TimeWindow[-14, -7)');
  });

  it('shifts windows by an offset, negative offsets too', () => {
    expect(TumblingEventTimeWindows.of(10, 3).assignWindows('a', 12)[0]!.toString()).toBe('TimeWindow[3, 13)');
    expect(TumblingEventTimeWindows.of(10, -3).assignWindows('a', 12)[0]!.toString()).toBe('TimeWindow[7, 17)');
    expect(TumblingEventTimeWindows.of(10, -3).assignWindows('a', 6)[0]!.toString()).toBe('TimeWindow[-3, 7)');
  });

  it('routes late elements to the late output and counts every late element', marbles((m) => {
    const late = new OutputTag<string>('late');
    const metrics = new MetricGroup();
    const source = m.cold(spaced(['a', 'W', 'b', 'M', '|']), { a: k('a', 1), W: wm(9), b: k('b', 5), M: maxWm() });
    m.expect(source.pipe(tumblingEventWindow(10, { lateOutput: late, metrics }))).toBeObservable(spaced(['', '(xW)', 'L', 'M', '|']), {
      x: rec(['a'], 9, 'k'),
      W: wm(9),
      L: side(late, 'b', 5, 'k'),
      M: maxWm(),
    });
    m.flush();
    expect(metrics.counterValue(NUM_LATE_RECORDS)).toBe(1);
    expect(metrics.counterValue(NUM_LATE_RECORDS_DROPPED)).toBe(0);
  }));

  it('drops late elements without a late output, but counts them', async () => {
    const metrics = new MetricGroup();
    await lastValueFrom(of(k('a', 1), wm(20), k('b', 5), k('c', 2), maxWm()).pipe(tumblingEventWindow(10, { metrics }), toArray()));
    expect(metrics.counterValue(NUM_LATE_RECORDS_DROPPED)).toBe(2);
    expect(metrics.counterValue(NUM_LATE_RECORDS)).toBe(2);
  });

  describe('allowed lateness', () => {
    it('re-fires a window for an element late within the lateness, and drops it after end - 1 + lateness', marbles((m) => {
      const late = new OutputTag<string>('late');
      const source = m.cold(spaced(['a', 'W', 'b', 'X', 'c', 'M', '|']), { a: k('a', 1), W: wm(9), b: k('b', 2), X: wm(14), c: k('c', 3), M: maxWm() });
      m.expect(source.pipe(tumblingEventWindow(10, { allowedLateness: 5, lateOutput: late }))).toBeObservable(spaced(['', '(xW)', 'y', 'X', 'L', 'M', '|']), {
        x: rec(['a'], 9, 'k'),
        W: wm(9),
        y: rec(['a', 'b'], 9, 'k'),
        X: wm(14),
        L: side(late, 'c', 3, 'k'),
        M: maxWm(),
      });
    }));

    it('keeps the window until the watermark reaches end - 1 + lateness exactly', async () => {
      const metrics = new MetricGroup();
      const out = await lastValueFrom(
        of(k('a', 1), wm(13), k('b', 2), wm(14), maxWm()).pipe(tumblingEventWindow(10, { allowedLateness: 5, metrics }), toArray()),
      );
      // watermark 13 < 9 + 5: b still counts (re-fire); at 14 the window is gone
      expect(out.filter((e) => e instanceof StreamRecord)).toEqual([rec(['a'], 9, 'k'), rec(['a', 'b'], 9, 'k')]);
      expect(windowStateSize(metrics)).toBe(0);
    });

    it('does not overflow near the largest timestamp', async () => {
      const big = Number.MAX_SAFE_INTEGER - 5;
      const out = await lastValueFrom(of(k('a', big), maxWm()).pipe(tumblingEventWindow(4, { allowedLateness: 100 }), toArray()));
      expect(out.filter((e) => e instanceof StreamRecord)).toHaveLength(1);
    });
  });

  it('holds zero windows after every window has fired', async () => {
    const metrics = new MetricGroup();
    const input = Array.from({ length: 200 }, (_, i) => rec(i, i * 7, `k${i % 13}`));
    await lastValueFrom(of(...input, wm(2000), maxWm()).pipe(tumblingEventWindow(50, { aggregate: windowCount(), metrics }), toArray()));
    expect(windowStateSize(metrics)).toBe(0);
  });

  describe('bad input', () => {
    it.each([0, -1, NaN, Infinity, 1.5, 2 ** 53, '10'])('refuses a size of %s', (size) => {
      expect(() => tumblingEventWindow(size as number)).toThrow(InvalidArgumentError);
      expect(() => tumblingEventWindow(size as number)).toThrow(/TumblingEventTimeWindows.of: size must be a positive integer number of milliseconds/);
    });
    it('refuses an offset as large as the size, or not an integer', () => {
      expect(() => TumblingEventTimeWindows.of(10, 10)).toThrow('TumblingEventTimeWindows.of: offset must be an integer number of milliseconds with |offset| < size (10), got 10');
      expect(() => tumblingEventWindow(10, { offset: 2.5 })).toThrow(/TumblingEventTimeWindows.of: offset must be an integer .*got 2.5$/);
    });
    it('refuses a negative lateness', () => {
      expect(() => tumblingEventWindow(10, { allowedLateness: -1 })).toThrow('tumblingEventWindow: allowedLateness must be a finite number of milliseconds >= 0, got -1');
    });
    // with no function (the general operator) and with an aggregate (the incremental operators)
    const kinds = [
      ['tumbling', tumblingEventWindow<string>(10)],
      ['tumbling with an aggregate', tumblingEventWindow<string, Key, number>(10, { aggregate: windowCount() })],
      ['sliding with an aggregate', slidingEventWindow<string, Key, number>(10, 5, { aggregate: windowCount() })],
      ['session with an aggregate', sessionEventWindow<string, Key, number>(10, { aggregate: windowCount() })],
    ] as const;
    it.each(kinds)('%s: refuses a non-keyed stream', async (_name, op) => {
      const err = await lastValueFrom(of(rec('a', 1)).pipe(op as OperatorFunction<StreamElement<string>, unknown>)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotKeyedError);
    });
    it.each(kinds)('%s: refuses a record whose timestamp is invalid (built around the StreamRecord constructor)', async (_name, op) => {
      for (const bad of [NaN, Infinity, '100']) {
        const source = of<StreamElement<string>[]>(rec('a', 5, 'k'), forgedRecord('b', bad, 'j'), rec('c', 15, 'k'), maxWm());
        const err = await lastValueFrom(source.pipe(op as OperatorFunction<StreamElement<string>, unknown>)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidTimestampError);
        expect((err as InvalidTimestampError).value).toBe(bad);
      }
    });
    it.each(kinds)('%s: refuses records without timestamps', async (_name, op) => {
      const err = await lastValueFrom(of(rec('a', undefined, 'k')).pipe(op as OperatorFunction<StreamElement<string>, unknown>)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidTimestampError);
      expect((err as Error).message).toContain('apply assignWatermarks(strategy) upstream');
    });
  });
});
