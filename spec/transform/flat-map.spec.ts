import { marbles } from 'rxjs-marbles/jest';
import { flatMap } from '../../lib/index';
import { rec, wm } from '../../lib/testing/index';

describe('flatMap', () => {
  it('emits every returned item with the input timestamp and key', marbles((m) => {
    const source = m.cold('a 9ms W 9ms b 9ms |', { a: rec('xy', 1, 'k'), W: wm(2), b: rec('', 3) });
    m.expect(source.pipe(flatMap((s: string) => s.split('')))).toBeObservable('(xy) 6ms W 19ms |', {
      x: rec('x', 1, 'k'),
      y: rec('y', 1, 'k'),
      W: wm(2),
    });
  }));

  it('emits through the collector too', marbles((m) => {
    const source = m.cold('a 9ms |', { a: rec('a b', 7) });
    const words = flatMap<string, string>((line, out) => {
      for (const w of line.split(' ')) out.collect(w.toUpperCase());
    });
    m.expect(source.pipe(words)).toBeObservable('(AB) 6ms |', { A: rec('A', 7), B: rec('B', 7) });
  }));
});
