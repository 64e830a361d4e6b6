/**
 * The input valve against Flink's StatusWatermarkValveTest: each case feeds watermarks and statuses to
 * the valve and checks that exactly the expected watermark or status comes out after each step, and
 * nothing else. Where Flink's test reads an input's internal state (its watermark, whether it is
 * aligned), these check the behaviour that state decides instead.
 */
import { InputValve, MAX_WATERMARK, type WatermarkStatus } from '../../lib/index';
import { active, idle, wm } from '../../lib/testing/index';

/** A valve of `n` inputs and a `take()` that returns what it emitted since the last call. */
function valveOf(n: number): { valve: InputValve; take: () => Array<number | 'idle' | 'active'> } {
  let out: Array<number | 'idle' | 'active'> = [];
  const valve = new InputValve(n, {
    element: () => {},
    watermark: (w) => out.push(w.time),
    status: (s: WatermarkStatus) => out.push(s.idle ? 'idle' : 'active'),
    end: () => {},
  });
  return {
    valve,
    take: () => {
      const taken = out;
      out = [];
      return taken;
    },
  };
}

describe('InputValve (Flink StatusWatermarkValveTest cases)', () => {
  it('single input: increasing watermarks advance', () => {
    const { valve, take } = valveOf(1);
    valve.push(0, wm(0));
    expect(take()).toEqual([0]);
    valve.push(0, wm(25));
    expect(take()).toEqual([25]);
  });

  it('single input: a decreasing watermark yields nothing', () => {
    const { valve, take } = valveOf(1);
    valve.push(0, wm(25));
    expect(take()).toEqual([25]);
    valve.push(0, wm(18));
    expect(take()).toEqual([]);
    valve.push(0, wm(25));
    expect(take()).toEqual([]);
    valve.push(0, wm(42));
    expect(take()).toEqual([42]);
  });

  it('single input: statuses toggle, and a status that changes nothing yields nothing', () => {
    const { valve, take } = valveOf(1);
    valve.push(0, active()); // inputs start active
    expect(take()).toEqual([]);
    valve.push(0, idle());
    expect(take()).toEqual(['idle']);
    valve.push(0, idle());
    expect(take()).toEqual([]);
    valve.push(0, active());
    expect(take()).toEqual(['active']);
  });

  it('single input: a watermark that arrives while idle is ignored, and not remembered for later', () => {
    const { valve, take } = valveOf(1);
    valve.push(0, wm(25));
    expect(take()).toEqual([25]);
    valve.push(0, idle());
    expect(take()).toEqual(['idle']);
    valve.push(0, wm(50));
    expect(take()).toEqual([]);
    valve.push(0, active());
    expect(take()).toEqual(['active']);
    // had the valve kept 50 as the input's watermark while it was idle, this would be a repeat and yield nothing
    valve.push(0, wm(50));
    expect(take()).toEqual([50]);
  });

  it('multiple inputs: a watermark comes out only once every input has one', () => {
    const { valve, take } = valveOf(3);
    valve.push(0, wm(0));
    valve.push(1, wm(0));
    expect(take()).toEqual([]);
    valve.push(2, wm(0));
    expect(take()).toEqual([0]);
  });

  it('multiple inputs: the minimum comes out as soon as it advances', () => {
    const { valve, take } = valveOf(3);
    valve.push(0, wm(0));
    valve.push(1, wm(0));
    valve.push(2, wm(0));
    expect(take()).toEqual([0]);
    valve.push(0, wm(12));
    valve.push(2, wm(8));
    valve.push(2, wm(10));
    expect(take()).toEqual([]);
    valve.push(1, wm(15));
    expect(take()).toEqual([10]); // input 2
    valve.push(2, wm(17));
    expect(take()).toEqual([12]); // input 0
    valve.push(0, wm(20));
    expect(take()).toEqual([15]); // input 1
  });

  it('multiple inputs: decreasing watermarks yield nothing', () => {
    const { valve, take } = valveOf(3);
    valve.push(0, wm(25));
    valve.push(1, wm(10));
    valve.push(2, wm(17));
    expect(take()).toEqual([10]);
    valve.push(0, wm(12));
    valve.push(1, wm(8));
    valve.push(2, wm(15));
    expect(take()).toEqual([]);
  });

  it('multiple inputs: idle only when every input is, active as soon as one is', () => {
    const { valve, take } = valveOf(2);
    valve.push(0, active());
    valve.push(1, active());
    expect(take()).toEqual([]);
    valve.push(1, idle());
    expect(take()).toEqual([]);
    valve.push(0, idle());
    expect(take()).toEqual(['idle']);
    valve.push(0, idle());
    valve.push(1, idle());
    expect(take()).toEqual([]);
    valve.push(1, active());
    expect(take()).toEqual(['active']);
    valve.push(0, active());
    expect(take()).toEqual([]);
  });

  it('multiple inputs: the minimum advances over the active inputs while some are idle', () => {
    const { valve, take } = valveOf(3);
    valve.push(0, wm(15));
    valve.push(1, wm(10));
    expect(take()).toEqual([]);
    valve.push(2, idle());
    expect(take()).toEqual([10]);
    valve.push(1, wm(18));
    expect(take()).toEqual([15]);
    valve.push(0, wm(20));
    expect(take()).toEqual([18]);
  });

  it('multiple inputs: the minimum advances as inputs go idle one by one', () => {
    const { valve, take } = valveOf(3);
    valve.push(0, wm(25));
    valve.push(1, wm(10));
    valve.push(2, wm(17));
    expect(take()).toEqual([10]);
    valve.push(1, idle());
    expect(take()).toEqual([17]);
    valve.push(2, idle());
    expect(take()).toEqual([25]);
  });

  it('multiple inputs: when the last active input goes idle, the largest watermark comes out, then idle', () => {
    const { valve, take } = valveOf(3);
    valve.push(0, wm(10));
    valve.push(1, wm(5));
    valve.push(2, wm(3));
    expect(take()).toEqual([3]);
    // the inputs go idle in the opposite order to the case above, so the minimum never moves on its own
    valve.push(0, idle());
    valve.push(1, idle());
    expect(take()).toEqual([]);
    valve.push(2, idle());
    expect(take()).toEqual([10, 'idle']);
  });

  it('multiple inputs: an input active again rejoins the minimum only once it has caught up', () => {
    const { valve, take } = valveOf(3);
    valve.push(0, wm(10));
    valve.push(1, wm(7));
    valve.push(2, wm(3));
    expect(take()).toEqual([3]);
    valve.push(2, idle());
    expect(take()).toEqual([7]);
    valve.push(2, active());
    expect(take()).toEqual([]);
    // behind the last watermark (7): accepted for the input, but the minimum ignores it
    valve.push(2, wm(5));
    expect(take()).toEqual([]);
    valve.push(2, wm(9)); // caught up: rejoins
    expect(take()).toEqual([]);
    valve.push(1, wm(12));
    expect(take()).toEqual([9]); // input 2 holds the minimum again
  });

  it('multiple inputs: nothing comes out while every active input is behind (no largest watermark by mistake)', () => {
    const { valve, take } = valveOf(3);
    valve.push(0, wm(10));
    valve.push(1, wm(7));
    valve.push(2, idle());
    expect(take()).toEqual([7]);
    valve.push(2, active()); // behind 7: not aligned
    expect(take()).toEqual([]);
    valve.push(0, idle());
    valve.push(1, idle());
    expect(take()).toEqual([]);
  });
});

describe('InputValve beyond Flink: records, completion and idleness', () => {
  it('ignores a watermark on an idle input also when other inputs are active', () => {
    const { valve, take } = valveOf(2);
    valve.push(0, wm(5));
    valve.push(1, wm(5));
    expect(take()).toEqual([5]);
    valve.push(1, idle());
    valve.push(1, wm(100)); // ignored
    valve.push(0, wm(20));
    expect(take()).toEqual([20]);
    valve.push(1, active()); // its watermark is still 5: it must catch up before it counts
    valve.push(0, wm(30));
    expect(take()).toEqual([30]);
    valve.push(1, wm(25));
    valve.push(0, wm(40));
    expect(take()).toEqual([40]); // input 1 is behind (25 < 30): it does not hold the minimum back
    valve.push(1, wm(45)); // caught up with 40: counts again
    valve.push(0, wm(50));
    expect(take()).toEqual([45]);
  });

  it('a record on an idle input makes it active again', () => {
    const { valve, take } = valveOf(2);
    valve.push(0, wm(5));
    valve.push(0, idle());
    valve.push(1, idle());
    expect(take()).toEqual([5, 'idle']);
    valve.push(1, 'x');
    expect(take()).toEqual(['active']);
  });

  it('when every input is idle or completed, the completed ones count as the largest watermark', () => {
    const { valve, take } = valveOf(2);
    valve.push(0, wm(5));
    valve.push(1, wm(3));
    expect(take()).toEqual([3]);
    valve.complete(0);
    expect(take()).toEqual([]);
    valve.push(1, idle());
    expect(take()).toEqual([MAX_WATERMARK, 'idle']);
  });

  it('flushes the largest watermark when the last active input goes idle even if it was behind', () => {
    const { valve, take } = valveOf(2);
    valve.push(0, wm(10));
    valve.push(1, idle());
    expect(take()).toEqual([10]);
    valve.push(1, active()); // behind (MIN < 10)
    valve.push(0, idle());
    expect(take()).toEqual([]); // input 1 is active, if behind: not idle yet
    valve.push(1, idle());
    expect(take()).toEqual(['idle']); // the largest (10) already came out
  });
});
