/**
 * WatermarkStrategy.withPerEventEmit / PerEventWatermarks: the watermark follows every record, so an
 * in-memory source sees late data and fires windows and timers as it goes, not only at completion.
 */
import { lastValueFrom, of, share, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  assignWatermarks,
  fromCollection,
  keyBy,
  OutputTag,
  sideOutput,
  StreamRecord,
  tumblingEventWindow,
  values,
  Watermark,
  WatermarkStrategy,
  type StreamElement,
} from '../../lib/index';
import { active, idle, maxWm, rec, wm } from '../../lib/testing/index';

interface Click {
  user: string;
  ts: number;
}

const clicks: Click[] = [
  { user: 'ann', ts: 1_000 },
  { user: 'bob', ts: 12_000 },
  { user: 'ann', ts: 25_000 },
  { user: 'ann', ts: 3_000 }, // 22 s behind the largest timestamp: late for a 10 s window with 5 s delay
  { user: 'bob', ts: 26_000 },
];

/** Late clicks and the window results of a run over `clicks` with `strategy`. */
async function run(strategy: WatermarkStrategy<Click>): Promise<{ late: Click[]; fired: Array<StreamElement<unknown>> }> {
  const late = new OutputTag<Click>('late');
  const out$ = fromCollection(clicks).pipe(
    assignWatermarks(strategy.withTimestampAssigner((c: Click) => c.ts)),
    keyBy((c) => c.user),
    tumblingEventWindow(10_000, { lateOutput: late }),
    share(),
  );
  const [lateClicks, fired] = await Promise.all([lastValueFrom(out$.pipe(sideOutput(late), values(), toArray())), lastValueFrom(out$.pipe(toArray()))]);
  return { late: lateClicks, fired };
}

describe('WatermarkStrategy.withPerEventEmit', () => {
  it('emits the watermark right after each record that advances it, never backwards', marbles((m) => {
    const source = m.cold('a 9ms b 9ms c 9ms |', { a: rec('a', 2000), b: rec('b', 4000), c: rec('c', 3000) });
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness(1000).withPerEventEmit();
    m.expect(source.pipe(assignWatermarks(strategy, { interval: 0 }))).toBeObservable('(aW) 6ms (bX) 6ms c 9ms (M|)', {
      a: rec('a', 2000),
      W: wm(999),
      b: rec('b', 4000),
      X: wm(2999),
      c: rec('c', 3000),
      M: maxWm(),
    });
  }));

  it('keeps the timestamp assigner whichever order the decorators are applied in', marbles((m) => {
    const source = m.cold('a 9ms b 9ms |', { a: { t: 10 }, b: { t: 20 } });
    const expected = { a: rec({ t: 10 }, 10), W: wm(9), b: rec({ t: 20 }, 20), X: wm(19), M: maxWm() };
    const first = WatermarkStrategy.forMonotonousTimestamps().withPerEventEmit().withTimestampAssigner((v: { t: number }) => v.t);
    const second = WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner((v: { t: number }) => v.t).withPerEventEmit();
    m.expect(source.pipe(assignWatermarks(first, { interval: 0 }))).toBeObservable('(aW) 6ms (bX) 6ms (M|)', expected);
    m.expect(source.pipe(assignWatermarks(second, { interval: 0 }))).toBeObservable('(aW) 6ms (bX) 6ms (M|)', expected);
  }));

  it('still detects idleness on the periodic emits, and the next record makes the input active with its watermark', marbles((m) => {
    const source = m.cold('a 30ms b 5ms |', { a: rec('a', 100), b: rec('b', 200) });
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness(0).withIdleness(10).withPerEventEmit();
    m.expect(source.pipe(assignWatermarks(strategy, { interval: 5, scheduler: m.scheduler }))).toBeObservable('(aW) 21ms i 5ms (AbX) 1ms (M|)', {
      a: rec('a', 100),
      W: wm(99),
      i: idle(),
      A: active(),
      b: rec('b', 200),
      X: wm(199),
      M: maxWm(),
    });
  }));

  it('on an in-memory source, routes a late record to the side output where the periodic default sees none late', async () => {
    const periodic = await run(WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000));
    const perEvent = await run(WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withPerEventEmit());
    // periodic: the whole array passes before the first 200 ms tick, so event time jumps to the end at once
    expect(periodic.late).toEqual([]);
    const periodicWatermarks = periodic.fired.filter((e) => e instanceof Watermark).map((e) => (e as Watermark).time);
    expect(periodicWatermarks).toEqual([26_000 - 5_000 - 1, maxWm().time]);
    expect(perEvent.late).toEqual([{ user: 'ann', ts: 3_000 }]);
    // per event: windows fire as the data goes, between the records, not all after the last one
    const firstFire = perEvent.fired.findIndex((e) => e instanceof StreamRecord);
    const lastWatermark = perEvent.fired.map((e) => e instanceof Watermark && e.time < maxWm().time).lastIndexOf(true);
    expect(firstFire).toBeGreaterThanOrEqual(0);
    expect(firstFire).toBeLessThan(lastWatermark);
  });

  it('runs the same over a synchronous Observable', async () => {
    const strategy = WatermarkStrategy.forMonotonousTimestamps<number>().withPerEventEmit().withTimestampAssigner((v) => v);
    const out = await lastValueFrom(of(5, 7, 6, 9).pipe(assignWatermarks(strategy), toArray()));
    expect(out.filter((e) => e instanceof Watermark).map((e) => (e as Watermark).time)).toEqual([4, 6, 8, maxWm().time]);
  });
});
