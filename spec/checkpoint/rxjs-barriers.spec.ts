/**
 * Which plain RxJS operators keep checkpoint barriers in order with the records around them, and which
 * do not: each claim of docs/checkpoints.md ("Barriers through plain RxJS operators") checked on a
 * stream `a B b` (a barrier between two records) in virtual time.
 */
import { bufferCount, concatMap, debounceTime, delay, filter as rxFilter, map as rxMap, mergeMap, type Observable, of } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { CheckpointBarrier, filter, map, StreamRecord, values, type StreamElement } from '../../lib/index';
import { rec } from '../../lib/testing/index';

const B = new CheckpointBarrier(1, 0);
const input = { a: rec('a', 1), B, b: rec('b', 2) };

/** The order of what `o` emits, once the scheduler ran. */
function orderOf(m: { flush(): void }, o: Observable<unknown>): string[] {
  const seen: string[] = [];
  view(o).subscribe((x) => seen.push(x));
  m.flush();
  return seen;
}

/** Records as their value, barriers as `B`. */
function view(o: Observable<unknown>): Observable<string> {
  return o.pipe(rxMap((x) => (x instanceof CheckpointBarrier ? 'B' : x instanceof StreamRecord ? String(x.value) : JSON.stringify(x))));
}

describe('barriers through plain RxJS operators', () => {
  it("tidemark's map and filter handle records only: the barrier passes unchanged, in order", marbles((m) => {
    const s = m.cold('aBb|', input) as Observable<StreamElement<string>>;
    m.expect(view(s.pipe(map((x: string) => x.toUpperCase()), filter((x: string) => x !== 'Z')))).toBeObservable('aBb|', { a: 'A', B: 'B', b: 'B' });
  }));

  it("RxJS's own map sees the barrier as a value (a function written for records meets it)", marbles((m) => {
    const s = m.cold('aBb|', input);
    m.expect(s.pipe(rxMap((x) => x instanceof CheckpointBarrier))).toBeObservable('fTf|', { f: false, T: true });
  }));

  it("RxJS's own filter sees the barrier as a value too", marbles((m) => {
    const s = m.cold('aBb|', input);
    m.expect(view(s.pipe(rxFilter((x) => x instanceof CheckpointBarrier)))).toBeObservable('-B-|', { B: 'B' });
  }));

  it('concatMap keeps the order even when a record takes time', marbles((m) => {
    const s = m.cold('aBb|', input);
    const slow = (x: unknown) => (x instanceof StreamRecord ? of(x).pipe(delay(3, m.scheduler)) : of(x));
    expect(orderOf(m, s.pipe(concatMap(slow)))).toEqual(['a', 'B', 'b']);
  }));

  it('mergeMap with a record that takes time lets the barrier overtake it', marbles((m) => {
    const s = m.cold('aBb|', input);
    const slow = (x: unknown) => (x instanceof StreamRecord ? of(x).pipe(delay(3, m.scheduler)) : of(x));
    expect(orderOf(m, s.pipe(mergeMap(slow)))).toEqual(['B', 'a', 'b']);
  }));

  it('delay shifts every element alike: the order is kept', marbles((m) => {
    const s = m.cold('aBb|', input);
    expect(orderOf(m, s.pipe(delay(5, m.scheduler)))).toEqual(['a', 'B', 'b']);
  }));

  it('bufferCount (like bufferTime) puts the barrier inside an array: downstream it is no element any more', marbles((m) => {
    const s = m.cold('aBb|', input);
    m.expect(s.pipe(bufferCount(2), rxMap((xs) => xs.some((x) => x instanceof CheckpointBarrier)))).toBeObservable('-T-(f|)', { T: true, f: false });
  }));

  it('debounceTime drops the barrier when a record follows it within the time', marbles((m) => {
    const s = m.cold('aBb|', input);
    m.expect(view(s.pipe(debounceTime(2, m.scheduler)))).toBeObservable('---(b|)', { b: 'b' });
  }));

  it('after values() there are no barriers at all', marbles((m) => {
    const s = m.cold('aBb|', input) as Observable<StreamElement<string>>;
    m.expect(s.pipe(values(), rxFilter((x) => typeof x !== 'string'))).toBeObservable('---|');
  }));
});
