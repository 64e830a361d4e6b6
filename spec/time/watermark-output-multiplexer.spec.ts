import fc from 'fast-check';
import { MIN_WATERMARK, StateError, WatermarkOutputMultiplexer, type WatermarkOutput } from '../../lib/index';

/** Records what the multiplexer reports: every watermark, every idle and active mark, and the current state. */
class Recorder implements WatermarkOutput {
  readonly watermarks: number[] = [];
  idleUpdates = 0;
  activeUpdates = 0;
  idle = false;
  emitWatermark(time: number): void {
    this.watermarks.push(time);
    this.idle = false;
  }
  markIdle(): void {
    this.idleUpdates++;
    this.idle = true;
  }
  markActive(): void {
    this.activeUpdates++;
    this.idle = false;
  }
  get last(): number | undefined {
    return this.watermarks[this.watermarks.length - 1];
  }
}

let next = 0;
function setup(): { out: Recorder; mux: WatermarkOutputMultiplexer; immediate(): WatermarkOutput; deferred(): WatermarkOutput } {
  const out = new Recorder();
  const mux = new WatermarkOutputMultiplexer(out);
  const id = (): string => `split-${next++}`;
  return {
    out,
    mux,
    immediate: () => {
      const i = id();
      mux.registerNewOutput(i);
      return mux.getImmediateOutput(i);
    },
    deferred: () => {
      const i = id();
      mux.registerNewOutput(i);
      return mux.getDeferredOutput(i);
    },
  };
}

// The cases of Flink's WatermarkOutputMultiplexerTest, one by one.
describe('WatermarkOutputMultiplexer', () => {
  it('a single immediate watermark goes out at once', () => {
    const { out, immediate } = setup();
    immediate().emitWatermark(0);
    expect(out.last).toBe(0);
    expect(out.idle).toBe(false);
  });

  it('a single immediate idleness marks the output idle, with no watermark', () => {
    const { out, immediate } = setup();
    immediate().markIdle();
    expect(out.last).toBeUndefined();
    expect(out.idle).toBe(true);
  });

  it('a watermark after idleness makes the output active again', () => {
    const { out, immediate } = setup();
    const a = immediate();
    a.markIdle();
    expect(out.idle).toBe(true);
    a.emitWatermark(0);
    expect(out.last).toBe(0);
    expect(out.idle).toBe(false);
    expect(out.activeUpdates).toBe(1);
  });

  it('several immediate outputs: the minimum over the active ones', () => {
    const { out, immediate } = setup();
    const [a, b, c] = [immediate(), immediate(), immediate()];
    a.emitWatermark(2);
    b.emitWatermark(5);
    c.markIdle();
    expect(out.last).toBe(2);
    expect(out.idle).toBe(false);
  });

  it('when an immediate output goes idle the watermark advances', () => {
    const { out, immediate } = setup();
    const [a, b] = [immediate(), immediate()];
    a.emitWatermark(2);
    b.emitWatermark(5);
    expect(out.last).toBe(2);
    a.markIdle();
    expect(out.last).toBe(5);
  });

  it('when every immediate output goes idle the watermark advances to the largest, whatever the order', () => {
    const { out, immediate } = setup();
    const [a, b] = [immediate(), immediate()];
    a.emitWatermark(5);
    b.emitWatermark(2);
    expect(out.last).toBe(2);
    a.markIdle();
    b.markIdle();
    expect(out.last).toBe(5);
    expect(out.idle).toBe(true);
  });

  it('deferred outputs that emit and go idle in one go advance only at the periodic emit', () => {
    const { out, mux, deferred } = setup();
    const [a, b] = [deferred(), deferred()];
    a.emitWatermark(5);
    a.markIdle();
    b.emitWatermark(2);
    b.markIdle();
    expect(out.last).toBeUndefined();
    expect(out.idle).toBe(false);
    mux.onPeriodicEmit();
    expect(out.last).toBe(5);
    expect(out.idle).toBe(true);
  });

  it('the combined watermark does not regress when an idle output comes back behind it', () => {
    const { out, immediate } = setup();
    const [a, b] = [immediate(), immediate()];
    a.emitWatermark(2);
    b.emitWatermark(5);
    a.markIdle();
    expect(out.last).toBe(5);
    a.emitWatermark(3);
    expect(out.watermarks).toEqual([2, 5]);
  });

  it('reports nothing with zero outputs', () => {
    const { out, mux } = setup();
    mux.onPeriodicEmit();
    expect(out.watermarks).toEqual([]);
    expect(out.idleUpdates + out.activeUpdates).toBe(0);
  });

  it('a deferred output does not advance the watermark until the periodic emit', () => {
    const { out, mux, deferred } = setup();
    const [a, b] = [deferred(), deferred()];
    a.emitWatermark(0);
    b.emitWatermark(1);
    expect(out.last).toBeUndefined();
    mux.onPeriodicEmit();
    expect(out.last).toBe(0);
  });

  it('a single deferred watermark, idleness, and watermark after idleness', () => {
    const { out, mux, deferred } = setup();
    const a = deferred();
    a.markIdle();
    mux.onPeriodicEmit();
    expect(out.last).toBeUndefined();
    expect(out.idle).toBe(true);
    a.emitWatermark(0);
    mux.onPeriodicEmit();
    expect(out.last).toBe(0);
    expect(out.idle).toBe(false);
  });

  it('several deferred outputs: the minimum over the active ones at the periodic emit', () => {
    const { out, mux, deferred } = setup();
    const [a, b, c] = [deferred(), deferred(), deferred()];
    a.emitWatermark(2);
    b.emitWatermark(5);
    c.markIdle();
    mux.onPeriodicEmit();
    expect(out.last).toBe(2);
    expect(out.idle).toBe(false);
  });

  it('an immediate update takes the deferred updates into account', () => {
    const { out, immediate, deferred } = setup();
    const i = immediate();
    const d = deferred();
    d.emitWatermark(5);
    expect(out.last).toBeUndefined();
    i.emitWatermark(2);
    expect(out.last).toBe(2);
  });

  it('an immediate update on the same split as a deferred one does not regress it', () => {
    const { out, mux } = setup();
    mux.registerNewOutput('s');
    const i = mux.getImmediateOutput('s');
    const d = mux.getDeferredOutput('s');
    d.emitWatermark(5);
    mux.onPeriodicEmit();
    expect(out.last).toBe(5);
    i.emitWatermark(2);
    mux.onPeriodicEmit();
    expect(out.watermarks).toEqual([5]);
  });

  it('a lower immediate update on the same split emits nothing', () => {
    const { out, mux } = setup();
    mux.registerNewOutput('s');
    mux.getDeferredOutput('s').emitWatermark(5);
    mux.getImmediateOutput('s').emitWatermark(2);
    expect(out.last).toBeUndefined();
  });

  it('unregistering a split unblocks the watermark', () => {
    const { out, mux } = setup();
    mux.registerNewOutput('lower');
    mux.registerNewOutput('higher');
    mux.getImmediateOutput('lower').emitWatermark(156_765);
    mux.unregisterOutput('lower');
    mux.getImmediateOutput('higher').emitWatermark(156_775);
    expect(out.last).toBe(156_775);
  });

  it('unregistering the lowest split does not advance the watermark at once', () => {
    const { out, mux } = setup();
    mux.registerNewOutput('lower');
    mux.registerNewOutput('higher');
    mux.getImmediateOutput('lower').emitWatermark(-4343);
    mux.getImmediateOutput('higher').emitWatermark(-4333);
    mux.unregisterOutput('lower');
    expect(out.last).toBe(-4343);
  });

  it('unregistering the highest split does not retract the watermark', () => {
    const { out, mux } = setup();
    mux.registerNewOutput('higher');
    mux.getImmediateOutput('higher').emitWatermark(2);
    mux.unregisterOutput('higher');
    mux.registerNewOutput('lower');
    mux.getImmediateOutput('lower').emitWatermark(1);
    expect(out.watermarks).toEqual([2]);
  });

  it('unregister says whether the split was registered', () => {
    const { mux } = setup();
    mux.registerNewOutput('does-exist');
    expect(mux.unregisterOutput('does-exist')).toBe(true);
    expect(mux.unregisterOutput('does-not-exist')).toBe(false);
  });

  it('goes idle once every split is unregistered, keeping its watermark', () => {
    const { out, mux } = setup();
    mux.registerNewOutput('s');
    mux.getImmediateOutput('s').emitWatermark(1);
    expect(out.idle).toBe(false);
    mux.unregisterOutput('s');
    mux.onPeriodicEmit();
    expect(out.watermarks).toEqual([1]);
    expect(out.idle).toBe(true);
  });

  it('idle immediate outputs that become active mark the output active', () => {
    const { out, immediate } = setup();
    const [a, b] = [immediate(), immediate()];
    a.emitWatermark(5);
    b.emitWatermark(2);
    a.markIdle();
    b.markIdle();
    expect(out.last).toBe(5);
    expect(out.idle).toBe(true);
    a.markActive();
    expect(out.idle).toBe(false);
  });

  it('an idle deferred split that resumes behind marks the output active without a watermark', () => {
    const { out, mux, deferred } = setup();
    const [a, b] = [deferred(), deferred()];
    a.emitWatermark(5);
    b.emitWatermark(2);
    a.markIdle();
    b.markIdle();
    mux.onPeriodicEmit();
    expect(out.last).toBe(5);
    expect(out.idle).toBe(true);
    a.emitWatermark(3);
    mux.onPeriodicEmit();
    expect(out.watermarks).toEqual([5]);
    expect(out.idle).toBe(false);
  });

  it('a registered split that reports nothing reports nothing', () => {
    const { out, mux } = setup();
    mux.registerNewOutput('silent');
    mux.onPeriodicEmit();
    expect(out.watermarks).toEqual([]);
    expect(out.idleUpdates + out.activeUpdates).toBe(0);
  });

  it('refuses a duplicate split and an unknown one with a StateError', () => {
    const { mux } = setup();
    mux.registerNewOutput('a');
    expect(() => mux.registerNewOutput('a')).toThrow(StateError);
    expect(() => mux.getImmediateOutput('b')).toThrow(/no split is registered with id "b"/);
    expect(() => mux.getDeferredOutput('b')).toThrow(StateError);
  });

  // Against a brute-force model: after every immediate update, the combined watermark is the largest of
  // (the previous one, the minimum over the active splits), or the largest split watermark when all are idle.
  it('immediate outputs match the model: min over active splits, never regressing, idle when all are', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('wm' as const), split: fc.nat(3), time: fc.integer({ min: -50, max: 50 }) }),
      fc.record({ kind: fc.constant('idle' as const), split: fc.nat(3) }),
      fc.record({ kind: fc.constant('active' as const), split: fc.nat(3) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const out = new Recorder();
        const mux = new WatermarkOutputMultiplexer(out);
        const model = [0, 1, 2, 3].map(() => ({ wm: MIN_WATERMARK, idle: false }));
        for (let s = 0; s < 4; s++) mux.registerNewOutput(String(s));
        let combined = MIN_WATERMARK;
        for (const o of ops) {
          const output = mux.getImmediateOutput(String(o.split));
          const m = model[o.split]!;
          if (o.kind === 'wm') {
            output.emitWatermark(o.time);
            m.idle = false;
            m.wm = Math.max(m.wm, o.time);
          } else if (o.kind === 'idle') {
            output.markIdle();
            m.idle = true;
          } else {
            output.markActive();
            m.idle = false;
          }
          const active = model.filter((x) => !x.idle);
          const candidate = active.length === 0 ? Math.max(...model.map((x) => x.wm)) : Math.min(...active.map((x) => x.wm));
          combined = Math.max(combined, candidate);
          expect(mux.currentWatermark).toBe(combined);
          expect(out.idle).toBe(active.length === 0);
        }
        for (let i = 1; i < out.watermarks.length; i++) expect(out.watermarks[i]!).toBeGreaterThan(out.watermarks[i - 1]!);
      }),
    );
  });
});
