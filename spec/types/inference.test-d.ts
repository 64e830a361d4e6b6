import { of, type Observable } from 'rxjs';
import { expectTypeOf } from 'vitest';
import { keyBy, map, filter, values, type StreamElement } from '../../lib/index';
import { rec } from '../../lib/testing/index';

const plain = of(1, 2, 3).pipe(map((x) => `${x}`), values());
expectTypeOf(plain).toEqualTypeOf<Observable<string>>();

const recs = of(rec({ user: 'a', n: 1 }, 5)).pipe(filter((c) => c.n > 0), keyBy((c) => c.user), map((c) => c.n), values());
expectTypeOf(recs).toEqualTypeOf<Observable<number>>();

declare const s: Observable<StreamElement<{ a: number }>>;
const t = s.pipe(map((v) => v.a), values());
expectTypeOf(t).toEqualTypeOf<Observable<number>>();

// a type-guard predicate narrows the stream's type
type Shape = { kind: 'circle'; r: number } | { kind: 'square'; side: number };
declare const shapes: Observable<StreamElement<Shape>>;
const circles = shapes.pipe(filter((x): x is Extract<Shape, { kind: 'circle' }> => x.kind === 'circle'), map((c) => c.r), values());
expectTypeOf(circles).toEqualTypeOf<Observable<number>>();
const still = shapes.pipe(filter((x) => x.kind === 'square' || x.r > 1), values());
expectTypeOf(still).toEqualTypeOf<Observable<Shape>>();
