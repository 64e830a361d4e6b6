import { lastValueFrom, of } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { filter, UserFunctionError } from '../../lib/index';
import { rec, wm } from '../../lib/testing/index';

describe('filter', () => {
  it('keeps matching records with their timestamps and forwards watermarks', marbles((m) => {
    const source = m.cold('a-b-W-c|', { a: rec(1, 1), b: rec(2, 2), W: wm(5), c: rec(3, 6, 'k') });
    m.expect(source.pipe(filter((x: number) => x !== 2))).toBeObservable('a---W-c|', { a: rec(1, 1), W: wm(5), c: rec(3, 6, 'k') });
  }));

  it('accepts a rich filter function', marbles((m) => {
    let threshold = 0;
    const source = m.cold('abc|', { a: 1, b: 5, c: 9 });
    const f = filter<number>({ open: () => (threshold = 4), filter: (x) => x > threshold });
    m.expect(source.pipe(f)).toBeObservable('-bc|', { b: 5, c: 9 });
  }));

  it('wraps a throwing predicate in a UserFunctionError', async () => {
    const err = await lastValueFrom(
      of(1).pipe(
        filter(() => {
          throw new Error('bad');
        }),
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFunctionError);
    expect((err as Error).message).toBe('filter: user function threw: bad');
  });
});
