/**
 * GlobalWindows.createWithEndOfStreamTrigger / EndOfStreamTrigger: one result per key over the whole
 * bounded input, fired by the end-of-input watermark only.
 */
import { lastValueFrom, of, toArray } from 'rxjs';
import { EndOfStreamTrigger, globalWindow, GlobalWindows, keyBy, MAX_WATERMARK, StreamRecord, window, windowCount, type GlobalWindow, type WindowAssigner } from '../../lib/index';
import { maxWm, rec, wm } from '../../lib/testing/index';
import { OperatorHarness } from '../../lib/testing/index';

describe('EndOfStreamTrigger', () => {
  it('GlobalWindows.createWithEndOfStreamTrigger() fires each key once, at the end of input', async () => {
    const assigner = GlobalWindows.createWithEndOfStreamTrigger() as unknown as WindowAssigner<string, GlobalWindow>;
    const out = await lastValueFrom(
      of(rec('a', 1), rec('b', 2), wm(1e12), rec('a', 3), maxWm()).pipe(keyBy((v: string) => v), window(assigner, { aggregate: windowCount<string>() }), toArray()),
    );
    const records = out.filter((e) => e instanceof StreamRecord);
    expect(records).toEqual([rec(2, MAX_WATERMARK, 'a'), rec(1, MAX_WATERMARK, 'b')]);
    // the results come after every other watermark, with the end-of-input one
    expect(out.indexOf(records[0]!)).toBeGreaterThan(out.findIndex((e) => e instanceof Object && (e as { time?: number }).time === 1e12));
  });

  it('fires when the input ends, not on any watermark before (in a harness)', () => {
    const h = OperatorHarness.forKeyed(globalWindow<number>({ trigger: EndOfStreamTrigger.create() }), (v: number) => v % 2);
    h.processElement(1, 10).processElement(2, 20).processElement(3, 30).processWatermark(1e15);
    expect(h.output()).toEqual([]);
    h.endInput();
    expect(h.output()).toEqual([rec([1, 3], MAX_WATERMARK, 1), rec([2], MAX_WATERMARK, 0)]);
  });

  it('keeps the default never-firing trigger for GlobalWindows.create()', () => {
    expect(GlobalWindows.create().getDefaultTrigger()).not.toBe(EndOfStreamTrigger.create());
    expect(GlobalWindows.createWithEndOfStreamTrigger().getDefaultTrigger()).toBe(EndOfStreamTrigger.create());
  });
});
