import fc from 'fast-check';
import { lastValueFrom, of, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  coGroup,
  CountTrigger,
  InvalidArgumentError,
  SlidingEventTimeWindows,
  StreamRecord,
  TumblingEventTimeWindows,
  Watermark,
  windowJoin,
  type StreamElement,
} from '../../lib/index';
import { maxWm, rec, wm } from '../../lib/testing/index';
import { spaced } from '../helpers/spaced';

const byLetter = (s: string) => s[0]!;
const records = (xs: unknown[]) => xs.filter((e) => e instanceof StreamRecord) as StreamRecord<string>[];

describe('windowJoin', () => {
  it('joins every pair sharing a key and a window when the window fires', marbles((m) => {
    const left = m.cold(spaced(['a', 'b', '', 'W', '|']), { a: rec('a1', 1), b: rec('b1', 3), W: wm(9) });
    const right = m.cold(spaced(['x', '', 'y', 'W', '|']), { x: rec('a9', 2), y: rec('b9', 4), W: wm(9) });
    const joined = left.pipe(windowJoin(right, { where: byLetter, equalTo: byLetter, window: TumblingEventTimeWindows.of(10), apply: (l: string, r: string) => `${l}+${r}` }));
    m.expect(joined).toBeObservable(spaced(['', '', '', '(pqW)', '(M|)']), { p: rec('a1+a9', 9, 'a'), q: rec('b1+b9', 9, 'b'), W: wm(9), M: maxWm() });
  }));

  it('emits the cartesian product within a window, and nothing across windows', async () => {
    const out = await lastValueFrom(
      of(rec('a1', 1), rec('a2', 2), rec('a3', 12)).pipe(
        windowJoin(of(rec('aX', 5), rec('aY', 6), rec('aZ', 25)), {
          where: byLetter,
          equalTo: byLetter,
          window: TumblingEventTimeWindows.of(10),
          apply: (l: string, r: string) => `${l}${r}`,
        }),
        toArray(),
      ),
    );
    expect(records(out).map((r) => `${r.value}@${r.timestamp}`).sort()).toEqual(['a1aX@9', 'a1aY@9', 'a2aX@9', 'a2aY@9']);
  });

  it('joins across several (sliding) windows: a pair in two shared windows is joined in each', async () => {
    const out = await lastValueFrom(
      of(rec('a1', 6)).pipe(
        windowJoin(of(rec('a2', 7)), { where: byLetter, equalTo: byLetter, window: SlidingEventTimeWindows.of(10, 5), apply: (l: string, r: string) => l + r }),
        toArray(),
      ),
    );
    expect(records(out).map((r) => `${r.value}@${r.timestamp}`)).toEqual(['a1a2@9', 'a1a2@14']);
  });

  it('has a flat variant emitting zero or many results per pair', async () => {
    const out = await lastValueFrom(
      of(rec('a1', 1), rec('a2', 2)).pipe(
        windowJoin(of(rec('aX', 3)), {
          where: byLetter,
          equalTo: byLetter,
          window: TumblingEventTimeWindows.of(10),
          flatApply: (l: string, r: string, o: { collect(v: string): void }) => {
            if (l === 'a1') {
              o.collect(`${l}${r}!`);
              o.collect(`${l}${r}?`);
            }
          },
        }),
        toArray(),
      ),
    );
    expect(records(out).map((r) => r.value)).toEqual(['a1aX!', 'a1aX?']);
  });

  it('takes a trigger: with CountTrigger.of(3) the window fires at its third element, not at its end', async () => {
    const out = await lastValueFrom(
      of(rec('a1', 1), rec('a2', 2)).pipe(
        windowJoin(of(rec('aX', 3)), { where: byLetter, equalTo: byLetter, window: TumblingEventTimeWindows.of(10), trigger: CountTrigger.of(3), apply: (l: string, r: string) => l + r }),
        toArray(),
      ),
    );
    // a1, a2 from the left, then aX: the count reaches 3 and the window fires once; the end of the window
    // does not fire it again (CountTrigger ignores time)
    expect(records(out).map((r) => `${r.value}@${r.timestamp}`)).toEqual(['a1aX@9', 'a2aX@9']);
  });

  it('refuses missing functions and both apply and flatApply', () => {
    const base = { where: byLetter, equalTo: byLetter, window: TumblingEventTimeWindows.of(10) };
    expect(() => windowJoin(of(), base as never)).toThrow('windowJoin: apply/flatApply give exactly one of apply');
    expect(() => windowJoin(of(), { ...base, apply: () => 1, flatApply: () => {} })).toThrow(InvalidArgumentError);
    expect(() => windowJoin(of(), { ...base, where: undefined as never, apply: () => 1 })).toThrow('windowJoin: where must be a function returning the join key');
  });
});

describe('coGroup', () => {
  it('emits what apply returns (other than undefined)', async () => {
    const out = await lastValueFrom(
      of(rec('a1', 1), rec('b1', 2), maxWm()).pipe(
        coGroup(of(rec('a9', 3), maxWm()), {
          where: byLetter,
          equalTo: byLetter,
          window: TumblingEventTimeWindows.of(10),
          apply: (ls, rs) => (rs.length > 0 ? `${ls.join()}|${rs.join()}` : undefined),
        }),
        toArray(),
      ),
    );
    expect(records(out)).toEqual([rec('a1|a9', 9, 'a')]);
  });

  it('hands both groups of a key and window to apply, one side possibly empty', async () => {
    const out = await lastValueFrom(
      of(rec('a1', 1), rec('b1', 3)).pipe(
        coGroup(of(rec('a9', 2), rec('c9', 5)), {
          where: byLetter,
          equalTo: byLetter,
          window: TumblingEventTimeWindows.of(10),
          apply: (ls: string[], rs: string[], o: { collect(v: string): void }) => o.collect(`${ls.join()}|${rs.join()}`),
        }),
        toArray(),
      ),
    );
    expect(records(out).map((r) => `${r.value}@${r.timestamp}`).sort()).toEqual(['a1|a9@9', 'b1|@9', '|c9@9']);
  });

  it('hands apply the key and the window of the groups', async () => {
    const out = await lastValueFrom(
      of(rec('a1', 1), rec('a2', 12)).pipe(
        coGroup(of(rec('a9', 13)), {
          where: byLetter,
          equalTo: byLetter,
          window: TumblingEventTimeWindows.of(10),
          apply: (ls: string[], rs: string[], o: { collect(v: string): void }, key, w) => o.collect(`${String(key)}[${w.start},${w.end}):${ls.join()}|${rs.join()}`),
        }),
        toArray(),
      ),
    );
    expect(records(out).map((r) => r.value).sort()).toEqual(['a[0,10):a1|', 'a[10,20):a2|a9']);
  });

  it('re-fires a window for late data within the lateness, handing apply fresh lists each time', marbles((m) => {
    const left = m.cold(spaced(['a', '', 'W', 'L', 'X', '|']), { a: rec('a1', 1), W: wm(9), L: rec('a2', 3), X: wm(30) });
    const right = m.cold(spaced(['x', '', 'W', '', 'X', '|']), { x: rec('a9', 2), W: wm(9), X: wm(30) });
    const grouped = left.pipe(
      coGroup(right, {
        where: byLetter,
        equalTo: byLetter,
        window: TumblingEventTimeWindows.of(10),
        allowedLateness: 10,
        // emits the very lists it gets: a list changed after its firing would show in the first output
        apply: (ls: string[], rs: string[], o: { collect(v: string[][]): void }) => o.collect([ls, rs]),
      }),
    );
    m.expect(grouped).toBeObservable(spaced(['', '', '(pW)', 'q', 'X', '(M|)']), {
      p: rec([['a1'], ['a9']], 9, 'a'),
      q: rec([['a1', 'a2'], ['a9']], 9, 'a'),
      W: wm(9),
      X: wm(30),
      M: maxWm(),
    });
  }));
});

describe('windowJoin (property: equals a nested-loop join within windows)', () => {
  it('matches the brute force for random input with bounded disorder', async () => {
    const side = fc.array(fc.record({ key: fc.constantFrom('a', 'b'), ts: fc.integer({ min: 0, max: 50 }) }), { maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(side, side, fc.integer({ min: 1, max: 15 }), async (ls, rs, size) => {
        const lefts: StreamElement<string>[] = ls.map((e, i) => rec(`${e.key}L${i}`, e.ts));
        const rights: StreamElement<string>[] = rs.map((e, i) => rec(`${e.key}R${i}`, e.ts));
        const out = await lastValueFrom(
          of(...lefts, new Watermark(-1), maxWm()).pipe(
            windowJoin(of(...rights, maxWm()), { where: byLetter, equalTo: byLetter, window: TumblingEventTimeWindows.of(size), apply: (l: string, r: string) => `${l}${r}` }),
            toArray(),
          ),
        );
        const expected: string[] = [];
        ls.forEach((l, i) =>
          rs.forEach((r, j) => {
            const ws = l.ts - (l.ts % size);
            if (l.key === r.key && r.ts - (r.ts % size) === ws) expected.push(`${l.key}L${i}${r.key}R${j}@${ws + size - 1}`);
          }),
        );
        expect(records(out).map((r) => `${r.value}@${r.timestamp}`).sort()).toEqual(expected.sort());
      }),
      { numRuns: 200 },
    );
  });
});
