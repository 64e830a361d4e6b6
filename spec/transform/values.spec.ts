import { marbles } from 'rxjs-marbles/jest';
import { OutputTag, sideOutput, values } from '../../lib/index';
import { barrier, idle, maxWm, rec, side, start, wm } from '../../lib/testing/index';

describe('values', () => {
  it('emits record values and drops every control element', marbles((m) => {
    const tag = new OutputTag<number>('t');
    const source = m.cold('SaWibLcM|', { S: start(), a: rec(1, 1), W: wm(1), i: idle(), b: barrier(1), L: side(tag, 5), c: 3, M: maxWm() });
    m.expect(source.pipe(values())).toBeObservable('-a----c-|', { a: 1, c: 3 });
  }));
});

describe('sideOutput', () => {
  it('selects the records of one tag, with their timestamps, and the watermarks', marbles((m) => {
    const late = new OutputTag<string>('late');
    const other = new OutputTag<string>('other');
    const source = m.cold('aLWOM|', { a: rec('main', 1), L: side(late, 'x', 3, 'k'), W: wm(4), O: side(other, 'y'), M: maxWm() });
    m.expect(source.pipe(sideOutput(late))).toBeObservable('-xW-M|', { x: rec('x', 3, 'k'), W: wm(4), M: maxWm() });
  }));

  it('matches tags by id', marbles((m) => {
    const source = m.cold('L|', { L: side(new OutputTag<string>('late'), 'x') });
    m.expect(source.pipe(sideOutput(new OutputTag<string>('late')))).toBeObservable('x|', { x: rec('x') });
  }));
});
