/**
 * The specialised incremental event-time session operator in a checkpointed job: each key's open
 * sessions (window, accumulator, and the order their firing times were set) are written per key, merged
 * sessions included, and a restored job continues as an uninterrupted run: the same merges, results,
 * order and late elements.
 */
import {
  EventTimeSessionWindows,
  OutputTag,
  sessionEventWindow,
  ValueStateDescriptor,
  windowAll,
  windowCount,
  windowSum,
  type ProcessWindowFunction,
  type TimeWindow,
} from '../../lib/index';
import { checkRestore, events, lateAfterCut, restoredEqualsUninterrupted, runWithCheckpoints, type Ev } from './window-checkpoint-helpers';
import { MemoryCheckpointStorage } from '../../lib/index';

const late = new OutputTag<Ev>('late');

/** Reports each session's sum with how many sessions of the key fired so far (global state). */
const numbered: ProcessWindowFunction<Ev, string, unknown, TimeWindow> = (key, ctx, input, out) => {
  const n = ctx.globalState().getState(new ValueStateDescriptor<number>('n', 0));
  n.update(n.value()! + 1);
  out.collect(`${String(key)} ${ctx.window.toString()} #${n.value()}: ${input[0]!.v}`);
};

describe('incremental event-time sessions in a checkpointed job', () => {
  it('sessions that merge, with allowed lateness and a late output, restored at random barriers (property)', async () => {
    await restoredEqualsUninterrupted({ windowing: () => sessionEventWindow(4, { aggregate: windowSum<Ev>('v'), allowedLateness: 3, lateOutput: late, uid: 'sessions' }) });
  });

  it('dynamic gaps with reduce and a process function keeping global state (property)', async () => {
    await restoredEqualsUninterrupted({
      windowing: () => sessionEventWindow((e: Ev) => 1 + (e.v % 5), { reduce: (a: Ev, b: Ev) => ({ ...a, v: a.v + b.v }), process: numbered, allowedLateness: 2, uid: 'dynamic' }),
    });
  });

  it('windowAll sessions (operator state) (property)', async () => {
    await restoredEqualsUninterrupted({ keyed: false, windowing: () => windowAll(EventTimeSessionWindows.withGap(2), { aggregate: windowCount(), allowedLateness: 2, lateOutput: late, uid: 'all-sessions' }) });
  });

  it('keeps the watermark: an element late at the checkpoint is late after the restore', async () => {
    const out = await checkRestore({ windowing: () => sessionEventWindow(3, { aggregate: windowCount(), lateOutput: late, uid: 'sessions' }) }, lateAfterCut, [2]);
    expect(out).toContain(JSON.stringify(['late', { k: 1, v: 4, t: 1 }, 1]));
  });

  it('a session merged after the checkpoint merges the restored sessions', async () => {
    // two sessions of key 1, [0, 5) and [10, 15); after the cut, t = 5 bridges them into [0, 15)
    const evs: Ev[] = [
      { k: 1, v: 1, t: 0 },
      { k: 1, v: 2, t: 10 },
      { k: 1, v: 4, t: 5 },
      { k: 1, v: 8, t: 40 },
    ];
    const out = await checkRestore({ outOfOrderness: 20, windowing: () => sessionEventWindow(5, { aggregate: windowSum<Ev>('v'), uid: 'merge' }) }, evs, [2]);
    expect(out[0]).toBe(JSON.stringify([{ k: 1, v: 7, t: 0 }, 14, 1]));
  });

  it('a session closed by the watermark after its key was last written stays closed after the restore', async () => {
    // key 1's session [20, 25) is written by the full checkpoint, then closed by the watermark (24) that
    // key 2's record brings; the increment writes key 2 only. After the restore, t = 22 opens a new
    // session [22, 27), which would merge with the closed one if it came back.
    const evs: Ev[] = [
      { k: 1, v: 1, t: 20 },
      { k: 2, v: 2, t: 30 },
      { k: 1, v: 4, t: 22 },
      { k: 2, v: 8, t: 60 },
    ];
    const out = await checkRestore({ windowing: () => sessionEventWindow(5, { aggregate: windowSum<Ev>('v'), uid: 'closed' }) }, evs, [1, 2]);
    expect(out).toContain(JSON.stringify([{ k: 1, v: 4, t: 22 }, 26, 1]));
  });

  it('writes only the keys a record touched since the previous checkpoint', async () => {
    const evs: Ev[] = Array.from({ length: 100 }, (_, i) => ({ k: i, v: 1, t: 0 }));
    for (const k of [5, 5, 60]) evs.push({ k, v: 1, t: 1 });
    const { stats } = await runWithCheckpoints({ windowing: () => sessionEventWindow(10, { aggregate: windowCount(), uid: 's' }) }, evs, new MemoryCheckpointStorage(), 'increments', [100, evs.length]);
    // per key one entry, plus the source's offset and the operator's kind and watermark
    expect(stats.map((st) => [st.full, st.entries])).toEqual([
      [true, 100 + 3],
      [false, 2 + 3],
    ]);
  });
});
