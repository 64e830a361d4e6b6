/**
 * windowJoin and coGroup in a checkpointed job: they run on the window operator (under their uid), so a
 * checkpoint writes each key's windows with both sides; restored into a fresh pipeline, what an
 * exactly-once sink committed before the barrier plus the restored run's output equals an uninterrupted
 * run and a brute-force reference.
 */
import fc from 'fast-check';
import { coGroup, MemoryCheckpointStorage, SlidingEventTimeWindows, TumblingEventTimeWindows, windowJoin, type TimeWindow } from '../../lib/index';
import { type Cut, type Ev, eventsOf, keyOf, runJob, sortedJson, type TwoInputPipeline } from './two-input-job';

const SIZE = 6;
const SLIDE = 3;

const joinPipeline: TwoInputPipeline = (left, right) =>
  left.pipe(
    windowJoin<Ev, Ev, string, TimeWindow>(right, { where: keyOf, equalTo: keyOf, window: TumblingEventTimeWindows.of(SIZE), uid: 'join', apply: (l, r) => `${l.id}-${r.id}` }),
  ) as ReturnType<TwoInputPipeline>;

const coGroupPipeline: TwoInputPipeline = (left, right) =>
  left.pipe(
    coGroup<Ev, Ev, string, TimeWindow>(right, {
      where: keyOf,
      equalTo: keyOf,
      window: SlidingEventTimeWindows.of(SIZE, SLIDE),
      uid: 'cogroup',
      apply: (ls, rs, _out, key, w) => `${JSON.stringify(key)}@${w.start}:${ls.map((l) => l.id).join(',')}|${rs.map((r) => r.id).join(',')}`,
    }),
  ) as ReturnType<TwoInputPipeline>;

/** Tumbling windows: every pair of a key in the same window. */
function joinReference(lefts: readonly Ev[], rights: readonly Ev[]): string[] {
  const out: string[] = [];
  for (const l of lefts) for (const r of rights) if (l.k === r.k && Math.floor(l.t / SIZE) === Math.floor(r.t / SIZE)) out.push(`${l.id}-${r.id}`);
  return out;
}

/** Sliding windows: per key and window with elements, both groups in arrival (input) order. */
function coGroupReference(lefts: readonly Ev[], rights: readonly Ev[]): string[] {
  const groups = new Map<string, { key: unknown; start: number; ls: string[]; rs: string[] }>();
  const add = (e: Ev, side: 'ls' | 'rs'): void => {
    const last = e.t - (e.t % SLIDE);
    for (let start = last; start > e.t - SIZE; start -= SLIDE) {
      const id = `${e.k}@${start}`;
      let g = groups.get(id);
      if (g === undefined) groups.set(id, (g = { key: keyOf(e), start, ls: [], rs: [] }));
      g[side].push(e.id);
    }
  };
  for (const l of lefts) add(l, 'ls');
  for (const r of rights) add(r, 'rs');
  return [...groups.values()].map((g) => `${JSON.stringify(g.key)}@${g.start}:${g.ls.join(',')}|${g.rs.join(',')}`);
}

function restoredEqualsUninterrupted(pipeline: TwoInputPipeline, reference: (l: readonly Ev[], r: readonly Ev[]) => string[]): Promise<void> {
  return fc.assert(
    fc.asyncProperty(eventsOf('l', 4), eventsOf('r', 4), fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 5 }), async (lefts, rights, c, onRight, chunkSize) => {
      const side: 0 | 1 = onRight ? 1 : 0;
      const cut: Cut = { side, at: 1 + (c % (side === 0 ? lefts : rights).length) };
      const storage = new MemoryCheckpointStorage();
      const expected = sortedJson(reference(lefts, rights));
      const first = await runJob(pipeline, lefts, rights, storage, { cut, chunkSize });
      expect(sortedJson(first.all)).toEqual(expected);
      fc.pre(first.stats !== undefined); // both sources ended before the cut
      expect(first.stats!.status).toBe('completed');
      const restored = await runJob(pipeline, lefts, rights, storage, { chunkSize });
      expect(sortedJson([...first.committed, ...restored.all])).toEqual(expected);
    }),
    { numRuns: 120 },
  );
}

describe('window joins in a checkpointed job', () => {
  it('windowJoin (tumbling), restored at a random barrier, continues as an uninterrupted run (property)', async () => {
    await restoredEqualsUninterrupted(joinPipeline, joinReference);
  });

  it('coGroup (sliding), restored at a random barrier, continues as an uninterrupted run (property)', async () => {
    await restoredEqualsUninterrupted(coGroupPipeline, coGroupReference);
  });

  it('with unaligned checkpoints, the union inside aligns, so the restored run still equals an uninterrupted run', async () => {
    const lefts: Ev[] = [0, 1, 2, 3].map((i) => ({ k: 1, t: i, id: `l${i}` }));
    const rights: Ev[] = [{ k: 1, t: 0, id: 'r0' }, { k: 1, t: 7, id: 'r1' }];
    const storage = new MemoryCheckpointStorage();
    const first = await runJob(joinPipeline, lefts, rights, storage, { cut: { side: 1, at: 1 }, checkpoints: { unaligned: true }, chunkSize: 4 });
    expect(first.stats?.status).toBe('completed');
    const restored = await runJob(joinPipeline, lefts, rights, storage, { checkpoints: { unaligned: true }, chunkSize: 4 });
    expect(sortedJson([...first.committed, ...restored.all])).toEqual(sortedJson(joinReference(lefts, rights)));
  });
});

describe('coGroup with an evictor', () => {
  it('keeps both sides as plain [side, value] pairs: the evictor sees them in arrival order, they serialize as data, and it evicts across both sides', async () => {
    const { CountEvictor, Job, fromCollection, assignWatermarks, WatermarkStrategy, values } = await import('../../lib/index');
    const { defaultStateSerializer } = await import('../../lib/state/serializer');
    const { lastValueFrom, toArray } = await import('rxjs');
    const seen: unknown[] = [];
    const job = new Job({ name: 'evict' });
    const timed = <T extends { t: number }>() => assignWatermarks(WatermarkStrategy.forMonotonousTimestamps<T>().withTimestampAssigner((e: T) => e.t));
    const rights = fromCollection([{ k: 1, t: 1, id: 'r0' }, { k: 1, t: 3, id: 'r1' }], { job }).pipe(timed());
    const out = await lastValueFrom(
      fromCollection([{ k: 1, t: 0, id: 'l0' }, { k: 1, t: 2, id: 'l1' }], { job }).pipe(
        timed(),
        coGroup<Ev, Ev, string, TimeWindow>(rights, {
          where: (e) => e.k,
          equalTo: (e) => e.k,
          window: TumblingEventTimeWindows.of(10),
          evictor: {
            evictBefore: (elements, size) => {
              for (const e of elements) seen.push(defaultStateSerializer.deserialize(defaultStateSerializer.serialize(e.value)));
              return CountEvictor.of(2).evictBefore(elements, size);
            },
            evictAfter: (elements) => elements,
          },
          apply: (ls, rs) => `${ls.map((l) => l.id).join(',')}|${rs.map((r) => r.id).join(',')}`,
        }),
        values(),
        toArray(),
      ),
    );
    expect(seen.map((p) => [(p as [number, Ev])[0], (p as [number, Ev])[1].id])).toEqual([[0, 'l0'], [0, 'l1'], [1, 'r0'], [1, 'r1']]);
    // the count evictor kept the last two elements (the left source ran first: both right ones)
    expect(out).toEqual(['|r0,r1']);
  });
});
