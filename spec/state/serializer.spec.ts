import fc from 'fast-check';
import { StateError } from '../../lib/core/errors';
import { defaultStateSerializer as s } from '../../lib/state/serializer';

const roundTrip = (v: unknown): unknown => s.deserialize(s.serialize(v));

describe('defaultStateSerializer', () => {
  it('writes plain data as plain JSON', () => {
    const v = { a: 1, b: ['x', true, null, { c: 2.5 }] };
    expect(s.serialize(v)).toBe(JSON.stringify(v));
  });

  it('round-trips Map, Set, Date, bigint, undefined, non-finite numbers and -0, nested', () => {
    const v = {
      m: new Map<unknown, unknown>([['k', new Set([1, 2n])], [3, { d: new Date(5) }]]),
      u: undefined,
      list: [undefined, NaN, Infinity, -Infinity, -0, 0],
      bad: new Date(NaN),
      big: -12345678901234567890n,
    };
    const back = roundTrip(v) as typeof v;
    expect(back).toEqual(v);
    expect(Object.is(back.list[4], -0)).toBe(true);
    expect('u' in back).toBe(true);
    expect(back.bad.getTime()).toBeNaN();
  });

  it('keeps any property name as data: "$", "__proto__", "constructor", "toString"', () => {
    const v = JSON.parse('{"$":"m","__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"toString":2}') as Record<string, unknown>;
    const inner = { $: 'u', n: new Map([['__proto__', 1]]) };
    const back = roundTrip({ v, inner }) as { v: Record<string, unknown>; inner: typeof inner };
    expect(Object.keys(back.v)).toEqual(['$', '__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(back.v, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(Object.getPrototypeOf(back.v)).toBe(Object.prototype);
    expect(back.inner).toEqual(inner);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a rebuilt object with a __proto__ field does not touch its prototype', () => {
    const text = '{"__proto__":{"a":1},"later":{"$":"u"}}';
    const back = s.deserialize(text) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ a: 1 });
    expect('later' in back && back['later'] === undefined).toBe(true);
  });

  it('round-trips arbitrary data (property test)', () => {
    const data = fc.anything({
      withBigInt: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withSparseArray: false,
      withBoxedValues: false,
      withTypedArray: false,
      withNullPrototype: false,
      withObjectString: true,
      key: fc.oneof(fc.string(), fc.constantFrom('$', '__proto__', 'constructor', 'v')),
    });
    fc.assert(
      fc.property(data, (v) => {
        const text = s.serialize(v);
        const back = s.deserialize(text);
        expect(back).toEqual(v);
        // toEqual ignores undefined properties and own "constructor" fields: the re-encoding must match too.
        expect(s.serialize(back)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses functions, symbols, class instances and cycles with a StateError naming the path', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => s.serialize({ a: { f: () => 1 } })).toThrow(/at a\.f: a function is not data/);
    expect(() => s.serialize(Symbol('x'))).toThrow(StateError);
    expect(() => s.serialize({ p: new Point(1) })).toThrow(/instance of Point/);
    expect(() => s.serialize(cyclic)).toThrow(/a cycle/);
  });

  it('refuses corrupt input with a StateError', () => {
    for (const bad of ['{', '{"$":"zz"}', '{"$":"b","v":"1.5"}', '{"$":"m","v":[[1]]}', '{"$":"n","v":"1"}', '{"$":"o","v":3}']) {
      expect(() => s.deserialize(bad), bad).toThrow(StateError);
    }
    expect(() => s.deserialize(undefined as unknown as string)).toThrow(/expected a string/);
  });
});
