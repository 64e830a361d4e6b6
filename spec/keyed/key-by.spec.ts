import { lastValueFrom, of, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { InvalidKeyError, keyBy, keyGroupOf, map, StreamRecord, sum, values } from '../../lib/index';
import { rec, wm } from '../../lib/testing/index';

describe('keyBy', () => {
  it('sets the key of every record and keeps timestamps', marbles((m) => {
    const source = m.cold('a-W-b|', { a: rec({ u: 'ann' }, 1), W: wm(1), b: { u: 'bob' } });
    m.expect(source.pipe(keyBy((v: { u: string }) => v.u))).toBeObservable('a-W-b|', {
      a: rec({ u: 'ann' }, 1, 'ann'),
      W: wm(1),
      b: rec({ u: 'bob' }, undefined, 'bob'),
    });
  }));

  it('accepts numbers, booleans, bigints and arrays of those; array keys compare by content', async () => {
    const out = await lastValueFrom(
      of({ a: 1, b: 'x' }, { a: 1, b: 'x' }, { a: 2, b: 'x' }).pipe(
        keyBy((v: { a: number; b: string }) => [v.a, v.b]),
        map((v: { a: number }) => ({ ...v, n: 1 })),
        sum('n'),
        values(),
        toArray(),
      ),
    );
    expect(out.map((o) => o.n)).toEqual([1, 2, 1]);
    const keys = await lastValueFrom(of(1, 2).pipe(keyBy((x: number) => (x === 1 ? true : 5n)), toArray()));
    expect(keys.map((r) => (r as StreamRecord<number>).key)).toEqual([true, 5n]);
  });

  it('accepts any key through a key serializer', async () => {
    const out = await lastValueFrom(
      of({ id: { n: 1 } }).pipe(keyBy((v: { id: { n: number } }) => v.id, { keySerializer: (k) => `id-${k.n}` }), toArray()),
    );
    expect((out[0] as StreamRecord<unknown>).key).toBe('id-1');
  });

  it.each([
    ['an object', { id: 1 }, 'object'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a function', () => 1, 'function'],
  ])('refuses %s with an InvalidKeyError naming keyBy and the value', async (_name, bad, kind) => {
    const err = await lastValueFrom(of(1).pipe(keyBy(() => bad as never), toArray())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidKeyError);
    expect((err as Error).message).toMatch(new RegExp(`^keyBy: invalid key .*: a key must be a string, number, boolean, bigint or an array of those, not ${kind}`));
  });

  it('refuses NaN', async () => {
    const err = await lastValueFrom(of(1).pipe(keyBy(() => NaN), toArray())).catch((e: unknown) => e);
    expect((err as Error).message).toBe('keyBy: invalid key NaN: NaN is not a key (it equals nothing)');
  });

  it('assigns stable key groups in [0, maxParallelism)', () => {
    expect(keyGroupOf('ann')).toBe(keyGroupOf('ann'));
    for (const k of ['a', 'b', 1, 2, true, 3n, ['x', 1]] as const) {
      const g = keyGroupOf(k, 128);
      expect(g).toBeGreaterThanOrEqual(0);
      expect(g).toBeLessThan(128);
    }
  });
});
