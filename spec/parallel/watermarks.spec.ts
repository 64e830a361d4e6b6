import { marbles } from 'rxjs-marbles/jest';
import { assignWatermarks, keyBy, map, parallel, partitionCustom, tumblingEventWindow, WatermarkStrategy } from '../../lib/index';
import { active, idle, maxWm, rec, wm } from '../../lib/testing/index';

interface Ev {
  readonly s: number;
  readonly t: number;
}

describe('watermarks across channels', () => {
  it('every subtask gets every watermark: the merged watermark is the input’s', marbles((m) => {
    const input = m.cold('a-W-b-X-|', { a: rec('a', 1, 'a'), W: wm(4), b: rec('b', 5, 'b'), X: wm(8) });
    m.expect(input.pipe(parallel(3, (s) => s))).toBeObservable('a-W-b-X-(M|)', { a: rec('a', 1, 'a'), W: wm(4), b: rec('b', 5, 'b'), X: wm(8), M: maxWm() });
  }));

  it('a subtask that receives no records does not stall event time (one key, four subtasks)', marbles((m) => {
    const input = m.cold('a-b-W-c-|', { a: rec(1, 1, 'k'), b: rec(2, 5, 'k'), W: wm(9), c: rec(3, 12, 'k') });
    const out = input.pipe(parallel(4, (s) => s.pipe(tumblingEventWindow(10, { reduce: (x: number, y: number) => x + y }))));
    // three subtasks never see a record; their watermarks still advance, so the window [0, 10) fires at W(9)
    m.expect(out).toBeObservable('----(sW)(tM|)', { s: rec(3, 9, 'k'), W: wm(9), t: rec(3, 19, 'k'), M: maxWm() });
  }));

  it('the merged watermark is the minimum over the subtasks; an idle subtask does not hold it back', marbles((m) => {
    // partitionCustom sends each event to subtask ev.s; each subtask generates its own watermarks (periodic,
    // every 5 ms) and goes idle after 10 ms without records
    const input = m.cold('(ab) 32ms c 9ms |', { a: rec({ s: 0, t: 100 }, 100), b: rec({ s: 1, t: 50 }, 50), c: rec({ s: 0, t: 300 }, 300) });
    const out = input.pipe(
      partitionCustom((s: number) => s, (e: Ev) => e.s),
      parallel(2, (s) =>
        s.pipe(
          assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(0).withIdleness(10), { interval: 5, scheduler: m.scheduler }),
          map((e) => e.t),
        ),
      ),
    );
    // 5 ms: subtask 0 is at 99, subtask 1 at 49: the merge emits 49. Both idle at 25 ms (the idleness timer
    // counts from the first periodic tick without records): the merge flushes the largest (99) and goes idle.
    // c (300) wakes subtask 0 alone: idle subtask 1 is left out, so 299 passes at the next tick.
    m.expect(out).toBeObservable('(ab) 1ms W 19ms (XI) 7ms (Ac) Y 5ms (M|)', {
      a: rec(100, 100),
      b: rec(50, 50),
      W: wm(49),
      X: wm(99),
      I: idle(),
      A: active(),
      c: rec(300, 300),
      Y: wm(299),
      M: maxWm(),
    });
  }));

  it('watermarks pass from stage to stage: the next stage’s subtasks see the minimum over the previous stage', marbles((m) => {
    const input = m.cold('(ab) 9ms |', { a: rec({ s: 0, t: 100 }, 100), b: rec({ s: 1, t: 50 }, 50) });
    const out = input.pipe(
      partitionCustom((s: number) => s, (e: Ev) => e.s),
      parallel(2, (s) => s.pipe(assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(0), { interval: 5, scheduler: m.scheduler }))),
      keyBy((e) => e.s),
      parallel(2, (s) => s.pipe(tumblingEventWindow(60, { reduce: (x: Ev) => x }))),
    );
    // at 5 ms the first stage's subtasks are at 99 and 49: the second stage's subtasks (and the output) at 49,
    // so b's window [0, 60) waits; both windows fire at the end of input
    m.expect(out).toBeObservable('5ms W 7ms (baM|)', { W: wm(49), b: rec({ s: 1, t: 50 }, 59, 1), a: rec({ s: 0, t: 100 }, 119, 0), M: maxWm() });
  }));

  it('an idle input status reaches every subtask and comes out of the merge once', marbles((m) => {
    const input = m.cold('a-i-A-b-|', { a: rec('a', 1), i: idle(), A: active(), b: rec('b', 2) });
    m.expect(input.pipe(parallel(2, (s) => s))).toBeObservable('a-i-A-b-(M|)', { a: rec('a', 1), i: idle(), A: active(), b: rec('b', 2), M: maxWm() });
  }));
});
