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
