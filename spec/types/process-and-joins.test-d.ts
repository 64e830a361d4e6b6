/**
 * Type tests of the process functions, the joins and the keyed and stateless operators: outputs and keys
 * flow from the stream and the functions (checked by `npm run typecheck`).
 */
import type { Observable } from 'rxjs';
import { expectTypeOf } from 'vitest';
import {
  coGroup,
  filter,
  flatMap,
  intervalJoin,
  keyBy,
  keyedProcess,
  map,
  max,
  process,
  reduce,
  sum,
  TumblingEventTimeWindows,
  union,
  values,
  windowJoin,
  type Collector,
  type Key,
  type StreamElement,
} from '../../lib/index';

interface Click {
  user: string;
  url: string;
  ts: number;
}
interface Order {
  user: string;
  amount: number;
}
declare const clicks$: Observable<Click>;
declare const orders$: Observable<StreamElement<Order>>;
const byUser$ = clicks$.pipe(keyBy((c) => c.user));

describe('stateless and keyed operator types', () => {
  it('map, filter and flatMap keep the key type; values() leaves it', () => {
    const a$ = byUser$.pipe(map((c) => c.ts), filter((t) => t > 0), flatMap((t) => [t, t + 1]));
    expectTypeOf(a$).toEqualTypeOf<Observable<StreamElement<number, string>>>();
    expectTypeOf(a$.pipe(values())).toEqualTypeOf<Observable<number>>();
  });

  it('rolling aggregations keep element and key types', () => {
    const o$ = orders$.pipe(keyBy((o) => o.user));
    expectTypeOf(o$.pipe(sum('amount'))).toEqualTypeOf<Observable<StreamElement<Order, string>>>();
    expectTypeOf(o$.pipe(max('amount'))).toEqualTypeOf<Observable<StreamElement<Order, string>>>();
    expectTypeOf(o$.pipe(reduce((a, b) => ({ ...a, amount: a.amount + b.amount })))).toEqualTypeOf<Observable<StreamElement<Order, string>>>();
  });
});

describe('process function types', () => {
  it('keyedProcess infers the key from keyBy and the output from what its functions return', () => {
    const out$ = byUser$.pipe(
      keyedProcess({
        processElement(c, ctx) {
          expectTypeOf(c).toEqualTypeOf<Click>();
          expectTypeOf(ctx.getCurrentKey()).toEqualTypeOf<string>();
          ctx.timerService().registerEventTimeTimer(c.ts + 60_000);
        },
        onTimer: (t, ctx) => `${ctx.getCurrentKey()} idle since ${t - 60_000}`,
      }),
    );
    expectTypeOf(out$).toEqualTypeOf<Observable<StreamElement<string, string>>>();
  });

  it('keyedProcess with a collector takes its output from out: Collector<X>', () => {
    const out$ = byUser$.pipe(
      keyedProcess({
        processElement(c, _ctx, out: Collector<number>) {
          out.collect(c.ts);
          out.collect(-c.ts);
        },
      }),
    );
    expectTypeOf(out$).toEqualTypeOf<Observable<StreamElement<number, string>>>();
  });

  it('process keeps the key type and infers its output', () => {
    const out$ = byUser$.pipe(
      process({
        processElement: (c, ctx) => {
          expectTypeOf(ctx.getCurrentKey()).toEqualTypeOf<string | undefined>();
          return c.ts > 0 ? c.url : undefined;
        },
      }),
    );
    expectTypeOf(out$).toEqualTypeOf<Observable<StreamElement<string, string>>>();
  });
});

describe('join types', () => {
  it('coGroup and intervalJoin infer their output from what their functions return', () => {
    const g$ = clicks$.pipe(
      coGroup(orders$, {
        where: (c) => c.user,
        equalTo: (o) => o.user,
        window: TumblingEventTimeWindows.of(60_000),
        apply: (cs, os) => ({ clicks: cs.length, spent: os.reduce((s, o) => s + o.amount, 0) }),
      }),
    );
    expectTypeOf(g$).toEqualTypeOf<Observable<StreamElement<{ clicks: number; spent: number }>>>();
    // naming the collector fixes the output type there: write it once (TypeScript cannot infer from calls)
    const k$ = clicks$.pipe(
      coGroup(orders$, {
        where: (c) => c.user,
        equalTo: (o) => o.user,
        window: TumblingEventTimeWindows.of(60_000),
        apply: (cs, _os, out: Collector<[Key, number]>, key) => out.collect([key, cs.length]),
      }),
    );
    expectTypeOf(k$).toEqualTypeOf<Observable<StreamElement<[Key, number]>>>();
    const j$ = byUser$.pipe(
      intervalJoin(orders$.pipe(keyBy((o) => o.user)), {
        between: [-5_000, 5_000],
        process: (c, o, ctx) => ({ url: c.url, amount: o.amount, at: ctx.getTimestamp() }),
      }),
    );
    expectTypeOf(j$).toEqualTypeOf<Observable<StreamElement<{ url: string; amount: number; at: number }>>>();
  });

  it('windowJoin infers from apply; union keeps the element types', () => {
    const j$ = clicks$.pipe(windowJoin(orders$, { where: (c) => c.user, equalTo: (o) => o.user, window: TumblingEventTimeWindows.of(1000), apply: (c, o) => [c.url, o.amount] as const }));
    expectTypeOf(j$).toEqualTypeOf<Observable<StreamElement<readonly [string, number]>>>();
    const u$ = clicks$.pipe(union(orders$));
    expectTypeOf(u$.pipe(values())).toEqualTypeOf<Observable<Click | Order>>();
  });
});
