/**
 * The example test shown in docs/testing.md: one marble diagram holds records with event timestamps and
 * watermarks, and processing time is virtual.
 */
import { marbles } from 'rxjs-marbles/jest';
import { filter, map, OutputTag, process, sideOutput } from '../../lib/index';
import { createTestScheduler, maxWm, rec, side, wm } from '../../lib/testing/index';

describe('testing with marbles (docs/testing.md)', () => {
  it('keeps event time in the values map', marbles((m) => {
    const source = m.cold('  a-b-W-c-|', { a: rec(1, 100), b: rec(2, 150), W: wm(149), c: rec(3, 200) });
    const expected = '       a---W-c-|';
    const result = source.pipe(filter((x: number) => x % 2 === 1), map((x: number) => x * 10));
    m.expect(result).toBeObservable(expected, { a: rec(10, 100), W: wm(149), c: rec(30, 200) });
    m.expect(source).toHaveSubscriptions('^-------!');
  }));

  it('routes side outputs through the diagram', marbles((m) => {
    const big = new OutputTag<number>('big');
    const source = m.cold('a-b-M|', { a: rec(1, 10), b: rec(500, 20), M: maxWm() });
    const split = source.pipe(
      process<number, number>({
        processElement(v, ctx, out) {
          if (v > 100) ctx.output(big, v);
          else out.collect(v);
        },
      }),
    );
    m.expect(split).toBeObservable('a-b-M|', { a: rec(1, 10), b: side(big, 500, 20), M: maxWm() });
    m.expect(split.pipe(sideOutput(big))).toBeObservable('--b-M|', { b: rec(500, 20), M: maxWm() });
  }));

  it('works with a plain TestScheduler and vitest expect', () => {
    const scheduler = createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a 999ms b|', { a: rec(1, 0), b: rec(2, 1000) });
      expectObservable(source.pipe(map((x: number) => x + 1))).toBe('a 999ms b|', { a: rec(2, 0), b: rec(3, 1000) });
    });
  });
});
