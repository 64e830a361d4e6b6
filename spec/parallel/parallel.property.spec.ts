/**
 * The defining property of a parallel stage: for any input and any parallelism 1–8, a keyed windowed
 * job's output (as a multiset) equals its output at parallelism 1, and equals a brute-force model.
 */
import fc from 'fast-check';
import { from, lastValueFrom, map as rxMap, type Observable, toArray } from 'rxjs';
import {
  keyBy,
  map,
  parallel,
  rebalance,
  StreamRecord,
  tumblingEventWindow,
  values,
  Watermark,
  type StreamElement,
} from '../../lib/index';

interface Ev {
  readonly user: string;
  readonly n: number;
  readonly t: number;
  /** Emit a watermark (the largest timestamp so far - 4) after this event. */
  readonly w?: boolean;
}

/** The input: each event as a record, with a watermark after it where it says so. */
function input(events: readonly Ev[]): Array<StreamElement<Ev>> {
  const out: Array<StreamElement<Ev>> = [];
  let max = -Infinity;
  for (const e of events) {
    out.push(new StreamRecord(e, e.t));
    max = Math.max(max, e.t);
    if (e.w === true) out.push(new Watermark(max - 4));
  }
  return out;
}

const SIZE = 10;

/** Parse-like stateless work, then a keyed tumbling window sum, the keyed part in `p` subtasks. */
function job(events: readonly Ev[], p: number): Observable<string> {
  return from(input(events)).pipe(
    rebalance(),
    parallel(p, (s) => s.pipe(map((e) => ({ ...e, n: e.n * 2 })))),
    keyBy((e) => e.user),
    parallel(p, (s) =>
      s.pipe(
        tumblingEventWindow(SIZE, { reduce: (a: Ev, b: Ev) => ({ user: a.user, n: a.n + b.n, t: Math.max(a.t, b.t) }), windowed: true }),
      ) as Observable<StreamElement<{ key: string; window: { start: number }; value: Ev }>>,
    ),
    values(),
    rxMap((w) => `${w.key}@${w.window.start}=${w.value.n}`),
  );
}

/** What the job computes, by brute force: per user and window, twice the sum of n of the on-time events. */
function model(events: readonly Ev[]): string[] {
  let watermark = -Infinity;
  let max = -Infinity;
  const sums = new Map<string, number>();
  for (const e of events) {
    const start = Math.floor(e.t / SIZE) * SIZE;
    // a window fires when the watermark reaches its end - 1; later events for it are late (dropped)
    if (start + SIZE - 1 > watermark) sums.set(`${e.user}@${start}`, (sums.get(`${e.user}@${start}`) ?? 0) + 2 * e.n);
    max = Math.max(max, e.t);
    if (e.w === true) watermark = Math.max(watermark, max - 4);
  }
  return [...sums].map(([k, v]) => `${k}=${v}`);
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('parallel stages (property)', () => {
  it('a keyed windowed job at parallelism 1–8 outputs the multiset it outputs at parallelism 1 (in-process)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ user: fc.constantFrom('ann', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus', 'hal', 'ivy'), n: fc.integer({ min: -5, max: 9 }), t: fc.integer({ min: 0, max: 80 }), w: fc.boolean() }), {
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 8 }),
        async (events, p) => {
          const one = await lastValueFrom(job(events, 1).pipe(toArray()));
          const many = await lastValueFrom(job(events, p).pipe(toArray()));
          expect(sorted(many)).toEqual(sorted(one));
          expect(sorted(one)).toEqual(sorted(model(events)));
        },
      ),
      { numRuns: 150 },
    );
  });
});
