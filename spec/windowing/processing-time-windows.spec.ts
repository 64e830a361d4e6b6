import { marbles } from 'rxjs-marbles/jest';
import {
  ContinuousProcessingTimeTrigger,
  globalWindow,
  Job,
  MetricGroup,
  sessionProcessingWindow,
  slidingProcessingWindow,
  tumblingProcessingWindow,
  windowCount,
  windowStateSize,
} from '../../lib/index';
import { rec, start } from '../../lib/testing/index';

const k = (v: string) => rec(v, undefined, 'k');

describe('processing-time windows in virtual time', () => {
  it('tumblingProcessingWindow fires at end - 1 of the scheduler clock', marbles((m) => {
    const source = m.cold('-a---b------c-----------------|', { a: k('a'), b: k('b'), c: k('c') });
    const metrics = new MetricGroup();
    const out = source.pipe(tumblingProcessingWindow(10, { aggregate: windowCount(), scheduler: m.scheduler, metrics }));
    m.expect(out).toBeObservable('---------x---------y----------|', { x: rec(2, 9, 'k'), y: rec(1, 19, 'k') });
    m.flush();
    expect(windowStateSize(metrics)).toBe(0);
  }));

  it('slidingProcessingWindow puts an element in each covering window', marbles((m) => {
    const source = m.cold('-------a----------------------|', { a: k('a') });
    const out = source.pipe(slidingProcessingWindow(10, 5, { aggregate: windowCount(), scheduler: m.scheduler }));
    m.expect(out).toBeObservable('---------x----y---------------|', { x: rec(1, 9, 'k'), y: rec(1, 14, 'k') });
  }));

  it('sessionProcessingWindow closes a session after the gap without elements', marbles((m) => {
    const source = m.cold('-a--b---------------c-----------------------|', { a: k('a'), b: k('b'), c: k('c') });
    const out = source.pipe(sessionProcessingWindow(5, { aggregate: windowCount(), scheduler: m.scheduler }));
    m.expect(out).toBeObservable('--------x---------------y-------------------|', { x: rec(2, 8, 'k'), y: rec(1, 24, 'k') });
  }));

  it('ContinuousProcessingTimeTrigger fires a global window every interval', marbles((m) => {
    const source = m.cold('-a-b--------c-----------|', { a: k('a'), b: k('b'), c: k('c') });
    const out = source.pipe(globalWindow({ trigger: ContinuousProcessingTimeTrigger.of(10), scheduler: m.scheduler }));
    m.expect(out).toBeObservable('----------x---------y---|', { x: rec(['a', 'b'], Number.MAX_SAFE_INTEGER, 'k'), y: rec(['a', 'b', 'c'], Number.MAX_SAFE_INTEGER, 'k') });
  }));

  it('drops pending processing-time windows at the end of streaming input, fires them in batch mode', marbles((m) => {
    const streaming = m.cold('-a-|', { a: k('a') });
    m.expect(streaming.pipe(tumblingProcessingWindow(10, { aggregate: windowCount(), scheduler: m.scheduler }))).toBeObservable('---|');
    const job = new Job({ executionMode: 'batch', scheduler: m.scheduler });
    const batch = m.cold('Sa-|', { S: start(job, true), a: k('a') });
    m.expect(batch.pipe(tumblingProcessingWindow(10, { aggregate: windowCount() }))).toBeObservable('S--(x|)', { S: start(job, true), x: rec(1, 9, 'k') });
  }));
});
