/**
 * Window operators snapshot and restore through the operator test harness too (a barrier with an
 * acknowledger, no coordinator): the snapshot is whole, and a fresh operator restored from it continues
 * with the same contents, trigger state, timers (event and processing time, on the harness's virtual
 * clock) and watermark.
 *
 * ```text
 * harness 1:  a(1) b(5) W(3) snapshot
 * harness 2:  restore c(7) W(9) d(2)      → count 3 at 9, then d(2) goes to the late output
 * ```
 */
import { countWindow, OutputTag, sessionEventWindow, tumblingEventWindow, tumblingProcessingWindow, windowCount } from '../../lib/index';
import { OperatorHarness } from '../../lib/testing/index';

interface Click {
  user: string;
  n: number;
}

describe('window operators in the operator harness', () => {
  it('an incremental tumbling window restored from a snapshot keeps its counts and its watermark', () => {
    const late = new OutputTag<Click>('late');
    const op = () => tumblingEventWindow(10, { aggregate: windowCount(), lateOutput: late, uid: 'counts' });
    const first = OperatorHarness.forKeyed(op(), (c: Click) => c.user);
    first.processElement({ user: 'ann', n: 1 }, 1).processElement({ user: 'ann', n: 2 }, 5).processWatermark(3);
    const snapshot = first.snapshot();
    expect(snapshot.uids()).toEqual(['counts']);
    const second = OperatorHarness.forKeyed(op(), (c: Click) => c.user).restore(snapshot);
    second.processElement({ user: 'ann', n: 3 }, 7).processWatermark(9);
    expect(second.output().map((r) => [r.value, r.timestamp, r.key])).toEqual([[3, 9, 'ann']]);
    second.processElement({ user: 'ann', n: 4 }, 2);
    expect(second.sideOutput(late).map((r) => r.value)).toEqual([{ user: 'ann', n: 4 }]);
  });

  it('a session window merges with a restored session', () => {
    const op = () => sessionEventWindow(5, { aggregate: windowCount(), uid: 'sessions' });
    const first = OperatorHarness.forKeyed(op(), (c: Click) => c.user);
    first.processElement({ user: 'bob', n: 1 }, 0).processElement({ user: 'bob', n: 2 }, 10);
    const second = OperatorHarness.forKeyed(op(), (c: Click) => c.user).restore(first.snapshot());
    second.processElement({ user: 'bob', n: 3 }, 5).processWatermark(100);
    expect(second.output().map((r) => [r.value, r.timestamp])).toEqual([[3, 14]]);
  });

  it('a count window keeps its count trigger state across a restore', () => {
    const op = () => countWindow(3, undefined, { uid: 'threes' });
    const first = OperatorHarness.forKeyed(op(), (c: Click) => c.user);
    first.processElement({ user: 'cy', n: 1 }).processElement({ user: 'cy', n: 2 });
    const second = OperatorHarness.forKeyed(op(), (c: Click) => c.user).restore(first.snapshot());
    second.processElement({ user: 'cy', n: 3 });
    expect(second.outputValues()).toEqual([[{ user: 'cy', n: 1 }, { user: 'cy', n: 2 }, { user: 'cy', n: 3 }]]);
  });

  it('a processing-time window fires its restored timer on the restored clock', () => {
    const op = () => tumblingProcessingWindow(10, { aggregate: windowCount(), uid: 'pt' });
    const first = OperatorHarness.forKeyed(op(), (c: Click) => c.user);
    first.setProcessingTime(3).processElement({ user: 'dee', n: 1 });
    const second = OperatorHarness.forKeyed(op(), (c: Click) => c.user, { processingTime: 4 }).restore(first.snapshot());
    second.processElement({ user: 'dee', n: 2 });
    expect(second.outputValues()).toEqual([]);
    second.setProcessingTime(10);
    expect(second.output().map((r) => [r.value, r.timestamp])).toEqual([[2, 9]]);
  });
});
