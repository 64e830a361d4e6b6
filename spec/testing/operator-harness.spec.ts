/**
 * OperatorHarness: drives one-input operators element by element on a virtual clock; outputs read apart;
 * snapshot and restore mid-stream into a fresh operator.
 */
import {
  assignWatermarks,
  InvalidArgumentError,
  keyedProcess,
  map,
  OutputTag,
  StateError,
  StreamRecord,
  tumblingProcessingWindow,
  UserFunctionError,
  ValueStateDescriptor,
  WatermarkStrategy,
  type KeyedProcessFunction,
  type ValueState,
} from '../../lib/index';
import { HarnessSnapshot, OperatorHarness, rec } from '../../lib/testing/index';

interface Click {
  user: string;
  n: number;
}

const evens = new OutputTag<string>('evens');

/** Sums n per user; emits the running sum; an event-time timer at timestamp + 10 and a processing-time one at now + 100 report it. */
function summer(): KeyedProcessFunction<string, Click, string> {
  let sum!: ValueState<number>;
  return {
    open(ctx) {
      sum = ctx.getState(new ValueStateDescriptor<number>('sum', 0));
    },
    processElement(c, ctx, out) {
      sum.update(sum.value()! + c.n);
      out.collect(`${c.user}=${sum.value()}`);
      if (c.n % 2 === 0) ctx.output(evens, `${c.user}:${c.n}`);
      ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 10);
      ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 100);
    },
    onTimer(t, ctx, out) {
      out.collect(`${ctx.getCurrentKey()} ${ctx.timeDomain()} timer ${t}: ${sum.value()}`);
    },
  };
}

const harnessFor = () => OperatorHarness.forKeyed(keyedProcess(summer(), { uid: 'summer' }), (c: Click) => c.user);

describe('OperatorHarness', () => {
  it('reads main output, side outputs and watermarks apart', () => {
    const h = harnessFor();
    h.processElement({ user: 'ann', n: 2 }, 1).processElement({ user: 'bob', n: 3 }, 2).processWatermark(11);
    expect(h.output()).toEqual([rec('ann=2', 1, 'ann'), rec('bob=3', 2, 'bob'), rec('ann event-time timer 11: 2', 11, 'ann')]);
    expect(h.sideOutput(evens)).toEqual([rec('ann:2', 1, 'ann')]);
    expect(h.watermarks()).toEqual([11]);
    h.clearOutput().processWatermark(12);
    expect(h.outputValues()).toEqual(['bob event-time timer 12: 3']);
    expect(h.watermarks()).toEqual([12]);
  });

  it('sets processing time to an exact value and fires the processing-time timers due by then, in order', () => {
    const h = OperatorHarness.forKeyed(keyedProcess(summer(), { uid: 'summer' }), (c: Click) => c.user, { processingTime: 1_000 });
    h.processElement({ user: 'ann', n: 1 }, 1);
    h.setProcessingTime(1_050).processElement({ user: 'bob', n: 1 }, 2);
    h.clearOutput().setProcessingTime(1_099);
    expect(h.outputValues()).toEqual([]);
    expect(h.getProcessingTime()).toBe(1_099);
    h.setProcessingTime(1_200);
    expect(h.outputValues()).toEqual(['ann processing-time timer 1100: 1', 'bob processing-time timer 1150: 1']);
    expect(h.getProcessingTime()).toBe(1_200);
  });

  it('runs periodic watermarks and processing-time windows on the virtual clock', () => {
    const wms = OperatorHarness.forOperator(assignWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>(), { interval: 100 }));
    wms.processElement(1, 500).setProcessingTime(99);
    expect(wms.watermarks()).toEqual([]);
    wms.setProcessingTime(100);
    expect(wms.watermarks()).toEqual([499]);

    const windows = OperatorHarness.forKeyed(tumblingProcessingWindow<string>(100), () => 'k');
    windows.processElement('a').setProcessingTime(40).processElement('b').setProcessingTime(98);
    expect(windows.output()).toEqual([]);
    windows.setProcessingTime(99).processElement('c');
    expect(windows.output()).toEqual([new StreamRecord(['a', 'b'], 99, 'k')]);
  });

  it('snapshots mid-stream and restores into a fresh operator: state and timers continue from the snapshot', () => {
    const first = harnessFor();
    first.processElement({ user: 'ann', n: 1 }, 1).processElement({ user: 'bob', n: 2 }, 2).processWatermark(5);
    const snapshot = first.snapshot();
    expect(snapshot).toBeInstanceOf(HarnessSnapshot);
    expect(snapshot.uids()).toEqual(['summer']);
    first.processElement({ user: 'ann', n: 100 }, 6); // after the snapshot: not in it

    const second = harnessFor().restore(snapshot);
    second.processElement({ user: 'ann', n: 4 }, 7).processWatermark(20);
    expect(second.outputValues()).toEqual([
      'ann=5', // 1 from the snapshot + 4, not 105
      'ann event-time timer 11: 5',
      'bob event-time timer 12: 2', // bob's timer came back with the snapshot
      'ann event-time timer 17: 5',
    ]);
  });

  it('refuses a snapshot nothing acknowledged, naming the uid option', () => {
    const h = OperatorHarness.forKeyed(keyedProcess(summer()), (c: Click) => c.user);
    h.processElement({ user: 'ann', n: 1 }, 1);
    expect(() => h.snapshot()).toThrow(StateError);
    expect(() => h.snapshot()).toThrow(/only a stateful operator with a uid checkpoints \(pass \{ uid: '...' \} to it\)/);
  });

  it('restores only into a fresh harness', () => {
    const h = harnessFor().processElement({ user: 'ann', n: 1 }, 1);
    expect(() => h.restore(h.snapshot())).toThrow(/restore\(snapshot\) must come before the first element/);
  });

  it('throws the operator error from the call that caused it', () => {
    const h = OperatorHarness.forOperator(
      map((x: number) => {
        if (x < 0) throw new Error('negative');
        return x;
      }, { name: 'checked' }),
    );
    h.processElement(1);
    expect(() => h.processElement(-1)).toThrow(UserFunctionError);
    expect(() => h.processElement(2)).toThrow(/checked/);
    expect(h.outputValues()).toEqual([1]);
  });

  it('refuses processing time going backwards, and a missing operator or key selector', () => {
    const h = harnessFor().processElement({ user: 'ann', n: 1 }, 1);
    h.setProcessingTime(10);
    expect(() => h.setProcessingTime(9)).toThrow(InvalidArgumentError);
    expect(() => h.setProcessingTime(9)).toThrow(/setProcessingTime\(time\) must be a finite number of milliseconds >= the current processing time 10, got 9/);
    expect(() => OperatorHarness.forOperator(undefined as never)).toThrow(InvalidArgumentError);
    expect(() => OperatorHarness.forKeyed(map((x: number) => x), undefined as never)).toThrow(/keySelector must be a function/);
  });

  it('ends the input: remaining event-time timers fire and the operator completes', () => {
    const h = harnessFor().processElement({ user: 'ann', n: 1 }, 1);
    expect(h.isCompleted()).toBe(false);
    h.clearOutput().endInput();
    expect(h.outputValues()).toEqual(['ann event-time timer 11: 1']);
    expect(h.isCompleted()).toBe(true);
    expect(() => h.processElement({ user: 'ann', n: 1 }, 2)).toThrow(/the operator has completed/);
  });
});
