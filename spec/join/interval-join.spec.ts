import fc from 'fast-check';
import { lastValueFrom, of, Subject, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  intervalJoin,
  InvalidArgumentError,
  InvalidTimestampError,
  JOIN_BUFFER_SIZE,
  MetricGroup,
  NotKeyedError,
  NUM_LATE_LEFT,
  OutputTag,
  SideOutput,
  StreamRecord,
  Watermark,
  type StreamElement,
} from '../../lib/index';
import { maxWm, rec, side, wm } from '../../lib/testing/index';
import { forgedRecord } from '../helpers/forged-record';
import { spaced } from '../helpers/spaced';

const pair = (l: string, r: string, _ctx: unknown, out: { collect(v: string): void }) => out.collect(`${l}${r}`);
const records = (xs: unknown[]) => xs.filter((e) => e instanceof StreamRecord) as StreamRecord<string>[];

async function join(left: StreamElement<string>[], right: StreamElement<string>[], between: [number, number], opts: { lowerExclusive?: boolean; upperExclusive?: boolean } = {}) {
  const out = await lastValueFrom(of(...left, maxWm()).pipe(intervalJoin(of(...right, maxWm()), { between, process: pair, ...opts }), toArray()));
  return records(out).map((r) => `${r.value}@${r.timestamp}`).sort();
}

describe('intervalJoin', () => {
  it('joins each left element with the right elements in [t + lower, t + upper], result at the larger timestamp', marbles((m) => {
    const left = m.cold(spaced(['a', '', '', '', 'W', '|']), { a: rec('a', 5, 'k'), W: wm(10) });
    const right = m.cold(spaced(['', 'x', 'y', 'z', 'W', '|']), { x: rec('x', 3, 'k'), y: rec('y', 6, 'k'), z: rec('z', 7, 'k'), W: wm(10) });
    m.expect(left.pipe(intervalJoin(right, { between: [-2, 1], process: pair }))).toBeObservable(spaced(['', 'p', 'q', '', 'W', '(M|)']), {
      p: rec('ax', 5, 'k'),
      q: rec('ay', 6, 'k'),
      W: wm(10),
      M: maxWm(),
    });
  }));

  it('emits what the function returns (other than undefined)', async () => {
    const out = await lastValueFrom(
      of(rec('a', 5, 'k'), rec('b', 6, 'k'), maxWm()).pipe(
        intervalJoin(of(rec('x', 5, 'k'), maxWm()), { between: [0, 0], process: (l: string, r: string) => (l === 'a' ? l + r : undefined) }),
        toArray(),
      ),
    );
    expect(records(out)).toEqual([rec('ax', 5, 'k')]);
  });

  it('includes both bounds by default, and excludes them when told', async () => {
    const left = [rec('a', 10, 'k')];
    const right = [rec('l', 8, 'k'), rec('m', 9, 'k'), rec('u', 12, 'k')];
    expect(await join(left, right, [-2, 2])).toEqual(['al@10', 'am@10', 'au@12']);
    expect(await join(left, right, [-2, 2], { lowerExclusive: true })).toEqual(['am@10', 'au@12']);
    expect(await join(left, right, [-2, 2], { upperExclusive: true })).toEqual(['al@10', 'am@10']);
    expect(await join(left, right, [-2, 2], { lowerExclusive: true, upperExclusive: true })).toEqual(['am@10']);
  });

  it('allows negative bounds on both ends', async () => {
    expect(await join([rec('a', 10, 'k')], [rec('x', 4, 'k'), rec('y', 6, 'k'), rec('z', 10, 'k')], [-5, -1])).toEqual(['ay@10']);
  });

  it('joins duplicates on both sides pairwise, and keeps keys apart', async () => {
    const left = [rec('a', 1, 'k'), rec('b', 1, 'k'), rec('c', 1, 'other')];
    const right = [rec('x', 1, 'k'), rec('y', 1, 'k'), rec('z', 1, 'nope')];
    expect(await join(left, right, [0, 0])).toEqual(['ax@1', 'ay@1', 'bx@1', 'by@1']);
  });

  it('joins elements exactly on a bound whichever side arrives first', async () => {
    expect(await join([rec('a', 10, 'k')], [rec('x', 13, 'k')], [0, 3])).toEqual(['ax@13']);
    const out = await lastValueFrom(
      of(rec('x', 13, 'k'), maxWm()).pipe(intervalJoin(of(rec('a', 10, 'k'), maxWm()), { between: [-3, 0], process: pair }), toArray()),
    );
    expect(records(out).map((r) => r.value)).toEqual(['xa']);
  });

  it('counts late elements and sends them to the late outputs', () => {
    const lateLeft = new OutputTag<string>('late-left');
    const metrics = new MetricGroup();
    const left = new Subject<StreamElement<string>>();
    const right = new Subject<StreamElement<string>>();
    const out: unknown[] = [];
    left.pipe(intervalJoin(right, { between: [0, 0], process: pair, leftLateOutput: lateLeft, metrics })).subscribe((e) => out.push(e));
    left.next(rec('a', 20, 'k'));
    right.next(rec('x', 20, 'k'));
    left.next(wm(15));
    right.next(wm(15)); // the joined watermark is now 15
    left.next(rec('b', 3, 'k')); // behind it: late
    left.next(rec('c', 15, 'k')); // at it: not late
    expect(out.filter((e) => e instanceof SideOutput)).toEqual([side(lateLeft, 'b', 3, 'k')]);
    expect(records(out).map((r) => r.value)).toEqual(['ax']);
    expect(metrics.counterValue(NUM_LATE_LEFT)).toBe(1);
  });

  it('empties its buffers once the watermark passes every possible match', async () => {
    const metrics = new MetricGroup();
    const left = Array.from({ length: 50 }, (_, i) => rec(`l${i}`, i * 3, `k${i % 5}`));
    const right = Array.from({ length: 50 }, (_, i) => rec(`r${i}`, i * 3 + 1, `k${i % 5}`));
    const seen: number[] = [];
    await lastValueFrom(
      of<StreamElement<string>[]>(...left, wm(400)).pipe(
        intervalJoin(of<StreamElement<string>[]>(...right, wm(400)), { between: [-4, 7], process: pair, metrics }),
        toArray(),
      ),
    );
    seen.push(metrics.snapshot()[JOIN_BUFFER_SIZE]!);
    expect(seen).toEqual([0]);
  });

  describe('bad input', () => {
    it('refuses a lower bound above the upper bound', () => {
      expect(() => intervalJoin(of(), { between: [5, 1], process: pair })).toThrow(InvalidArgumentError);
      expect(() => intervalJoin(of(), { between: [5, 1], process: pair })).toThrow('intervalJoin: between needs lower <= upper, got [5,1]');
      expect(() => intervalJoin(of(), { between: [1, 1], process: pair, lowerExclusive: true })).toThrow(/after applying the exclusive bounds/);
    });
    it('refuses unkeyed inputs', async () => {
      const err = await lastValueFrom(of(rec('a', 1)).pipe(intervalJoin(of(rec('x', 1, 'k')), { between: [0, 1], process: pair }))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotKeyedError);
      expect((err as Error).message).toContain('the left input of intervalJoin needs a keyed stream');
      const err2 = await lastValueFrom(of(rec('a', 1, 'k')).pipe(intervalJoin(of(rec('x', 1)), { between: [0, 1], process: pair }))).catch((e: unknown) => e);
      expect((err2 as Error).message).toContain('the right input of intervalJoin');
    });

    it('refuses a record without a timestamp, or with an invalid one, on either side (it would match anything)', async () => {
      for (const bad of [undefined, NaN, Infinity, '5']) {
        const r = bad === undefined ? rec('x', undefined, 'k') : forgedRecord('x', bad, 'k');
        for (const [left, right] of [[[rec('a', 5, 'k')], [r]], [[r], [rec('a', 5, 'k')]]] as const) {
          const out = of<StreamElement<string>[]>(...left, maxWm()).pipe(intervalJoin(of<StreamElement<string>[]>(...right, maxWm()), { between: [-10, 10], process: pair }), toArray());
          const err = await lastValueFrom(out).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(InvalidTimestampError);
          expect((err as Error).message).toMatch(/^intervalJoin: invalid timestamp /);
        }
      }
    });
  });
});

describe('intervalJoin (property: equals a nested-loop join of the non-late elements)', () => {
  it('matches the brute force for random bounds and bounded disorder', async () => {
    const side = fc.array(fc.record({ key: fc.constantFrom('a', 'b'), ts: fc.integer({ min: 0, max: 60 }) }), { maxLength: 25 });
    await fc.assert(
      fc.asyncProperty(side, side, fc.integer({ min: -10, max: 10 }), fc.integer({ min: 0, max: 12 }), async (ls, rs, lower, width) => {
        const upper = lower + width;
        // watermarks lag 100 behind: nothing is late, so the brute force is a plain nested loop
        const lefts = ls.map((e, i) => rec(`L${i}`, e.ts, e.key));
        const rights = rs.map((e, i) => rec(`R${i}`, e.ts, e.key));
        const out = await lastValueFrom(
          of<StreamElement<string>[]>(...lefts, new Watermark(-100), maxWm()).pipe(
            intervalJoin(of<StreamElement<string>[]>(...rights, maxWm()), { between: [lower, upper], process: pair }),
            toArray(),
          ),
        );
        const got = records(out).map((r) => `${r.value}@${r.timestamp}`).sort();
        const expected: string[] = [];
        ls.forEach((l, i) =>
          rs.forEach((r, j) => {
            if (l.key === r.key && r.ts >= l.ts + lower && r.ts <= l.ts + upper) expected.push(`L${i}R${j}@${Math.max(l.ts, r.ts)}`);
          }),
        );
        expect(got).toEqual(expected.sort());
      }),
      { numRuns: 200 },
    );
  });
});
