/**
 * keyedProcess and process snapshot at a checkpoint barrier (with a uid) and restore from a job's
 * restored state: keyed state, timers and operator state survive. The keyedProcess cases snapshot and
 * restore mid-stream with the OperatorHarness (tidemark/testing), as Flink's operator tests do.
 */
import { Subject } from 'rxjs';
import {
  CheckpointBarrier,
  Job,
  keyedProcess,
  ListStateDescriptor,
  process,
  StartElement,
  StreamRecord,
  ValueStateDescriptor,
  type CheckpointedFunction,
  type KeyedProcessFunction,
  type ListState,
  type OperatorSnapshot,
  type ProcessFunction,
  type StreamElement,
  type ValueState,
} from '../../lib/index';
import { HarnessSnapshot, OperatorHarness, rec } from '../../lib/testing/index';

function counter(): KeyedProcessFunction<string, number, string> {
  let n!: ValueState<number>;
  return {
    open(ctx) {
      n = ctx.getState(new ValueStateDescriptor<number>('n', 0));
    },
    processElement(v, ctx, out) {
      n.update(n.value()! + v);
      out.collect(`${ctx.getCurrentKey()}=${n.value()}`);
      ctx.timerService().registerEventTimeTimer(100);
    },
    onTimer(t, ctx, out) {
      out.collect(`${ctx.getCurrentKey()} timer ${t} n=${n.value()}`);
    },
  };
}

/** A harness over a fresh counter operator with uid "counter" (records keyed by their own key). */
const counterHarness = () => OperatorHarness.forOperator(keyedProcess(counter(), { uid: 'counter' }));

describe('checkpointing keyedProcess', () => {
  it('acknowledges a barrier with its keyed state and timers, and a restored job continues from them', () => {
    const before = counterHarness();
    before.processStreamElement(rec(1, 1, 'a')).processStreamElement(rec(2, 2, 'b'));
    const snapshot = before.snapshot();
    before.processStreamElement(rec(10, 3, 'a')); // after the checkpoint: lost on restore
    expect(before.outputValues()).toEqual(['a=1', 'b=2', 'a=11']);
    expect(snapshot.uids()).toEqual(['counter']);

    const after = counterHarness().restore(snapshot);
    after.processStreamElement(rec(5, 4, 'a')).processWatermark(100);
    // a's count resumes from the checkpoint (1), and the restored timers fire for both keys
    expect(after.outputValues()).toEqual(['a=6', 'a timer 100 n=6', 'b timer 100 n=2']);
  });

  it('acknowledges through the barrier acknowledger, with the handle a job restores from', () => {
    const handles: OperatorSnapshot[] = [];
    const acknowledger = { acknowledge: (uid: string, h: unknown) => uid === 'counter' && handles.push(h as OperatorSnapshot), decline: () => {} };
    const out: string[] = [];
    const s = new Subject<StreamElement<number>>();
    s.pipe(keyedProcess(counter(), { uid: 'counter' })).subscribe((e) => {
      if (e instanceof StreamRecord) out.push(e.value as string);
    });
    s.next(new StartElement(new Job({ name: 'cp' }).context(false)));
    s.next(rec(1, 1, 'a'));
    s.next(new CheckpointBarrier(1, 0, 'checkpoint', acknowledger));
    expect(handles).toHaveLength(1);
    const restored = counterHarness().restore(new HarnessSnapshot(1, new Map([['counter', handles[0]]])));
    restored.processStreamElement(rec(2, 2, 'a'));
    expect(restored.outputValues()).toEqual(['a=3']);
  });
});

describe('checkpointing process with operator state', () => {
  it('calls snapshotState at the barrier and initializeState with the restored list state', () => {
    const handles: OperatorSnapshot[] = [];
    const acknowledger = { acknowledge: (_uid: string, h: unknown) => handles.push(h as OperatorSnapshot), decline: () => {} };
    const make = (): ProcessFunction<string, string> & CheckpointedFunction & { seen: string[] } => {
      let state!: ListState<string>;
      const fn = {
        seen: [] as string[],
        initializeState(ctx: import('../../lib/index').FunctionInitializationContext) {
          state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<string>('seen'));
          if (ctx.isRestored()) fn.seen = state.get();
        },
        snapshotState() {
          state.update(fn.seen);
        },
        processElement(v: string, _ctx: unknown, out: { collect(x: string): void }) {
          fn.seen.push(v);
          out.collect(fn.seen.join(''));
        },
      };
      return fn;
    };
    const first = make();
    const s1 = new Subject<StreamElement<string>>();
    s1.pipe(process(first, { uid: 'p' })).subscribe();
    s1.next('x');
    s1.next('y');
    s1.next(new CheckpointBarrier(7, 0, 'checkpoint', acknowledger));
    expect(handles).toHaveLength(1);
    const second = make();
    const out: unknown[] = [];
    const s2 = new Subject<StreamElement<string>>();
    s2.pipe(process(second, { uid: 'p' })).subscribe((e) => out.push(e));
    s2.next(new StartElement({ ...new Job().context(false), restoredState: new Map([['p', handles[0]]]) }));
    s2.next('z');
    expect(out.filter((e) => typeof e === 'string')).toEqual(['xyz']);
  });
});
