import fc from 'fast-check';
import { lastValueFrom, map, of, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  InvalidArgumentError,
  Job,
  keyBy,
  max,
  maxBy,
  min,
  minBy,
  NotKeyedError,
  reduce,
  StateTtlConfig,
  StreamRecord,
  type Key,
  sum,
  values,
  Watermark,
} from '../../lib/index';
import { maxWm, rec, start, wm } from '../../lib/testing/index';
import { mapKey } from '../../lib/keyed/key-group';
import { RollingStates, TimedRollingState } from '../../lib/keyed/rolling-aggregate-internals';

interface Row {
  k: string;
  n: number;
  t: string;
}
const r = (k: string, n: number, t: string): Row => ({ k, n, t });

describe('rolling aggregations', () => {
  it('sum updates the field only; the other fields stay as in the first record of the key', marbles((m) => {
    const source = m.cold('a-b-c-W|', { a: rec(r('x', 1, 'first'), 1), b: rec(r('y', 5, 'y1'), 2), c: rec(r('x', 2, 'second'), 3), W: wm(3) });
    m.expect(source.pipe(keyBy((v: Row) => v.k), sum('n'))).toBeObservable('a-b-c-W|', {
      a: rec(r('x', 1, 'first'), 1, 'x'),
      b: rec(r('y', 5, 'y1'), 2, 'y'),
      c: rec(r('x', 3, 'first'), 3, 'x'),
      W: wm(3),
    });
  }));

  it('min and max update the field only', marbles((m) => {
    const source = m.cold('abc|', { a: r('x', 3, 'a'), b: r('x', 1, 'b'), c: r('x', 2, 'c') });
    m.expect(source.pipe(keyBy((v: Row) => v.k), min('n'), values())).toBeObservable('abc|', {
      a: r('x', 3, 'a'),
      b: r('x', 1, 'a'),
      c: r('x', 1, 'a'),
    });
    m.expect(source.pipe(keyBy((v: Row) => v.k), max('n'), values())).toBeObservable('abc|', {
      a: r('x', 3, 'a'),
      b: r('x', 3, 'a'),
      c: r('x', 3, 'a'),
    });
  }));

  it('minBy and maxBy emit the whole record holding the extreme; first wins on ties unless told otherwise', marbles((m) => {
    const source = m.cold('abcd|', { a: r('x', 3, 'a'), b: r('x', 1, 'b'), c: r('x', 1, 'c'), d: r('x', 3, 'd') });
    const keyed = source.pipe(keyBy((v: Row) => v.k));
    m.expect(keyed.pipe(minBy('n'), values())).toBeObservable('abbb|', { a: r('x', 3, 'a'), b: r('x', 1, 'b') });
    m.expect(keyed.pipe(minBy('n', false), values())).toBeObservable('abcc|', { a: r('x', 3, 'a'), b: r('x', 1, 'b'), c: r('x', 1, 'c') });
    m.expect(keyed.pipe(maxBy('n'), values())).toBeObservable('aaaa|', { a: r('x', 3, 'a') });
    m.expect(keyed.pipe(maxBy('n', false), values())).toBeObservable('aaad|', { a: r('x', 3, 'a'), d: r('x', 3, 'd') });
  }));

  it('reduce combines the aggregate so far with each value', marbles((m) => {
    const source = m.cold('1234|', { 1: 1, 2: 2, 3: 3, 4: 4 });
    m.expect(source.pipe(keyBy((x: number) => x % 2), reduce((a: number, b: number) => a + b), values())).toBeObservable('abcd|', {
      a: 1,
      b: 2,
      c: 4,
      d: 6,
    });
  }));

  it('names fields by tuple index, and aggregates plain numbers without a field', async () => {
    const tuples = await lastValueFrom(
      of(['a', 1] as [string, number], ['a', 2] as [string, number], ['b', 7] as [string, number]).pipe(keyBy((t: [string, number]) => t[0]), sum(1), values(), toArray()),
    );
    expect(tuples).toEqual([['a', 1], ['a', 3], ['b', 7]]);
    const plain = await lastValueFrom(of(1, 2, 3, 4).pipe(keyBy((x: number) => x % 2), sum(), values(), toArray()));
    expect(plain).toEqual([1, 2, 4, 6]);
    const big = await lastValueFrom(of(1n, 2n).pipe(keyBy(() => 'k'), sum(), values(), toArray()));
    expect(big).toEqual([1n, 3n]);
  });

  it('does not mutate the records it received', async () => {
    const first = r('x', 1, 'a');
    await lastValueFrom(of(first, r('x', 2, 'b')).pipe(keyBy((v: Row) => v.k), sum('n'), toArray()));
    expect(first).toEqual(r('x', 1, 'a'));
  });

  describe('execution modes', () => {
    const rows = { a: rec(r('x', 1, 'a'), 10), b: rec(r('y', 2, 'b'), 20), c: rec(r('x', 3, 'c'), 30), W: wm(25) };

    it('batch: emits only the final value per key at the end of input and ignores watermarks', marbles((m) => {
      const job = new Job({ executionMode: 'batch' });
      const source = m.cold('Sa-bW-c|', { ...rows, S: start(job, true) });
      m.expect(source.pipe(keyBy((v: Row) => v.k), sum('n'))).toBeObservable('S------(xyM|)', {
        S: start(job, true),
        x: rec(r('x', 4, 'a'), 30, 'x'),
        y: rec(r('y', 2, 'b'), 20, 'y'),
        M: maxWm(),
      });
    }));

    it('automatic: batch when the input is bounded, streaming when it is not', marbles((m) => {
      const job = new Job({ executionMode: 'automatic' });
      const bounded = m.cold('Sa-c|', { ...rows, S: start(job, true) });
      const unbounded = m.cold('Sa-c|', { ...rows, S: start(job, false) });
      m.expect(bounded.pipe(keyBy((v: Row) => v.k), sum('n'), values())).toBeObservable('----(x|)', { x: r('x', 4, 'a') });
      m.expect(unbounded.pipe(keyBy((v: Row) => v.k), sum('n'), values())).toBeObservable('-a-c|', { a: r('x', 1, 'a'), c: r('x', 4, 'a') });
    }));

    it('streaming (the default): one output per input', marbles((m) => {
      const source = m.cold('a-c|', rows);
      m.expect(source.pipe(keyBy((v: Row) => v.k), sum('n'), values())).toBeObservable('a-c|', { a: r('x', 1, 'a'), c: r('x', 4, 'a') });
    }));
  });

  describe('bad input', () => {
    it('refuses a stream that is not keyed with a NotKeyedError', async () => {
      const err = await lastValueFrom(of(1).pipe(sum())).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotKeyedError);
      expect((err as Error).message).toBe('sum: this operator needs a keyed stream: apply keyBy(selector) before it');
    });

    it('refuses a field that is not a number, naming the operator, field and value', async () => {
      const err = await lastValueFrom(of({ k: 'a', n: 'lots' }).pipe(keyBy((v: { k: string }) => v.k), sum('n' as never, { uid: 'totals' }))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toBe('sum (uid "totals"): field "n" must be a number or bigint to be summed, got "lots"');
    });

    it('refuses an uncomparable field for min', async () => {
      const err = await lastValueFrom(of({ k: 'a', n: null }).pipe(keyBy((v: { k: string }) => v.k), min('n' as never))).catch((e: unknown) => e);
      expect((err as Error).message).toBe('min: field "n" must be a number, bigint or string to be compared, got null');
    });
  });
});

describe('rolling aggregations (properties against a brute-force model)', () => {
  const rowArb = fc.record({ k: fc.constantFrom('a', 'b', 'c'), n: fc.integer({ min: -20, max: 20 }), t: fc.string({ maxLength: 2 }) });

  function keyed(rows: Row[]) {
    return of(...rows).pipe(keyBy((v: Row) => v.k));
  }

  /** For each input, the rows of its key so far (the brute-force view a rolling aggregate summarises). */
  function prefixes(rows: Row[]): Row[][] {
    return rows.map((row, i) => rows.slice(0, i + 1).filter((x) => x.k === row.k));
  }

  it('sum, min, max keep the first record and aggregate one field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 30 }), async (rows) => {
        const groups = prefixes(rows);
        const first = (g: Row[]): Row => g[0]!;
        const ns = (g: Row[]): number[] => g.map((x) => x.n);
        expect(await lastValueFrom(keyed(rows).pipe(sum('n'), values(), toArray()))).toEqual(
          groups.map((g) => ({ ...first(g), n: ns(g).reduce((a, b) => a + b, 0) })),
        );
        expect(await lastValueFrom(keyed(rows).pipe(min('n'), values(), toArray()))).toEqual(groups.map((g) => ({ ...first(g), n: Math.min(...ns(g)) })));
        expect(await lastValueFrom(keyed(rows).pipe(max('n'), values(), toArray()))).toEqual(groups.map((g) => ({ ...first(g), n: Math.max(...ns(g)) })));
      }),
      { numRuns: 150 },
    );
  });

  it('minBy and maxBy pick the first (or last) record holding the extreme', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 30 }), fc.boolean(), async (rows, first) => {
        const groups = prefixes(rows);
        const pick = (g: Row[], better: (a: number, b: number) => boolean): Row => {
          let best = g[0]!;
          for (const x of g.slice(1)) if (better(x.n, best.n) || (x.n === best.n && !first)) best = x;
          return best;
        };
        expect(await lastValueFrom(keyed(rows).pipe(minBy('n', first), values(), toArray()))).toEqual(groups.map((g) => pick(g, (a, b) => a < b)));
        expect(await lastValueFrom(keyed(rows).pipe(maxBy('n', first), values(), toArray()))).toEqual(groups.map((g) => pick(g, (a, b) => a > b)));
      }),
      { numRuns: 150 },
    );
  });

  it('reduce folds each key left to right, and batch mode emits the last fold per key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 30 }), async (rows) => {
        const fn = (a: Row, b: Row): Row => ({ k: a.k, n: a.n * 2 - b.n, t: a.t + b.t });
        const groups = prefixes(rows);
        const fold = (g: Row[]): Row => g.slice(1).reduce(fn, g[0]!);
        expect(await lastValueFrom(keyed(rows).pipe(reduce(fn), values(), toArray()))).toEqual(groups.map(fold));
        const job = new Job({ executionMode: 'batch' });
        const batch = await lastValueFrom(
          fromStart(job, rows).pipe(keyBy((v: Row) => v.k), reduce(fn), toArray()),
        );
        const finals = [...new Set(rows.map((x) => x.k))].map((k) => fold(rows.filter((x) => x.k === k)));
        expect(batch.filter((e) => e instanceof StreamRecord).map((e) => (e as StreamRecord<Row>).value)).toEqual(finals);
        expect(batch.at(-1)).toBe(Watermark.MAX);
      }),
      { numRuns: 100 },
    );
  });
});

function fromStart(job: Job, rows: Row[]) {
  return of(start(job, true) as unknown as Row, ...rows);
}

describe('rolling aggregations with a state TTL', () => {
  it('forgets a key not seen for the TTL (processing time): its next record starts over', marbles((m) => {
    const ttl = StateTtlConfig.newBuilder(10).build();
    // key x at 0, 5 (alive: 5 < 10), 15 (10 ms after its last write: expired), 20; key y keeps its sum
    const source = m.cold('a----b---c-----d----e|', { a: r('x', 1, 'a'), b: r('x', 2, 'b'), c: r('y', 7, 'c'), d: r('x', 4, 'd'), e: r('x', 8, 'e') });
    m.expect(source.pipe(keyBy((v: Row) => v.k), sum('n', { ttl, scheduler: m.scheduler }), values())).toBeObservable('a----b---c-----d----e|', {
      a: r('x', 1, 'a'),
      b: r('x', 3, 'a'),
      c: r('y', 7, 'c'),
      d: r('x', 4, 'd'),
      e: r('x', 12, 'd'),
    });
  }));

  it('every aggregation honours the TTL, and ReturnExpiredIfNotCleanedUp continues from an expired aggregate not yet removed', marbles((m) => {
    const strict = StateTtlConfig.newBuilder(3).build();
    const lenient = StateTtlConfig.newBuilder(3).setStateVisibility('ReturnExpiredIfNotCleanedUp').build();
    const source = m.cold('a-b---c|', { a: r('x', 5, 'a'), b: r('x', 9, 'b'), c: r('x', 1, 'c') });
    const keyed = source.pipe(keyBy((v: Row) => v.k));
    const options = { ttl: strict, scheduler: m.scheduler };
    m.expect(keyed.pipe(max('n', options), values())).toBeObservable('a-b---c|', { a: r('x', 5, 'a'), b: r('x', 9, 'a'), c: r('x', 1, 'c') });
    m.expect(keyed.pipe(min('n', options), values())).toBeObservable('a-b---c|', { a: r('x', 5, 'a'), b: r('x', 5, 'a'), c: r('x', 1, 'c') });
    m.expect(keyed.pipe(maxBy('n', true, options), values())).toBeObservable('a-b---c|', { a: r('x', 5, 'a'), b: r('x', 9, 'b'), c: r('x', 1, 'c') });
    m.expect(keyed.pipe(minBy('n', true, options), values())).toBeObservable('a-b---c|', { a: r('x', 5, 'a'), b: r('x', 5, 'a'), c: r('x', 1, 'c') });
    m.expect(keyed.pipe(reduce((x: Row, y: Row) => ({ ...x, n: x.n + y.n }), options), values())).toBeObservable('a-b---c|', {
      a: r('x', 5, 'a'),
      b: r('x', 14, 'a'),
      c: r('x', 1, 'c'),
    });
    // lenient: the expired sum (not cleaned up: one key, checked only after the record) still counts
    m.expect(keyed.pipe(sum('n', { ttl: lenient, scheduler: m.scheduler }), values())).toBeObservable('a-b---c|', {
      a: r('x', 5, 'a'),
      b: r('x', 14, 'a'),
      c: r('x', 15, 'a'),
    });
  }));

  it('removes expired keys incrementally: a removed key starts over even where an expired one would still be visible', marbles((m) => {
    // a and b at 0; from 10 both expired. ReturnExpiredIfNotCleanedUp continues from an expired sum that
    // was not removed yet. Each record checks the next entry (in insertion order, wrapping around): z at
    // 20 checks z, z at 21 wraps and removes a; so b at 22 continues (b2) and a at 23 starts over (a1)
    const ttl = StateTtlConfig.newBuilder(10).setStateVisibility('ReturnExpiredIfNotCleanedUp').cleanupIncrementally(1).build();
    const source = m.cold('(ab)----------------zzba|', { a: r('a', 1, ''), b: r('b', 1, ''), z: r('z', 1, '') });
    const out = source.pipe(keyBy((v: Row) => v.k), sum('n', { ttl, scheduler: m.scheduler }), values(), map((x) => `${x.k}${x.n}`));
    m.expect(out).toBeObservable('(ab)----------------yzcd|', { a: 'a1', b: 'b1', y: 'z1', z: 'z2', c: 'b2', d: 'a1' });
  }));

  it('refuses a ttl that is not a StateTtlConfig', () => {
    expect(() => sum<number>(undefined, { ttl: 1000 as unknown as StateTtlConfig })).toThrow(InvalidArgumentError);
  });
});

describe('RollingStates: changed keys for incremental checkpoints', () => {
  it('records each changed or removed key once per round, none while tracking is off, array keys as given', () => {
    let now = 0;
    const s = new RollingStates<number, number>(StateTtlConfig.newBuilder(10).cleanupIncrementally(1).build(), () => now);
    const put = (key: Key, v: number): void => {
      const mk = mapKey(key);
      const st = s.states.get(mk);
      if (st === undefined) s.add(mk, key, new TimedRollingState(v, v, true, now));
      else {
        st.acc += v;
        (st as TimedRollingState<number, number>).time = now;
        s.touch(mk, st);
      }
    };
    put('a', 1);
    put(['b', 1], 1);
    s.startChangeTracking();
    expect(s.takeChanged()).toEqual([]);
    put('a', 2);
    put('a', 3);
    put('c', 1);
    expect(s.takeChanged().map(([k, st]) => [k, st?.acc])).toEqual([['a', 6], ['c', 1]]);
    put(['b', 1], 5);
    now = 100;
    s.cleanup(now); // 'a' expires: removed, recorded as removed
    expect(s.takeChanged().map(([k, st]) => [k, st?.acc])).toEqual([[['b', 1], 6], ['a', undefined]]);
    expect(s.takeChanged()).toEqual([]);
  });
});
