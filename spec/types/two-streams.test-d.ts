import { of, type Observable } from 'rxjs';
import {
  broadcast,
  broadcastProcess,
  coMap,
  coProcess,
  connect,
  keyBy,
  keyedBroadcastProcess,
  MapStateDescriptor,
  type StreamElement,
} from '../../lib/index';
import { rec } from '../../lib/testing/index';

interface Reading {
  sensor: string;
  value: number;
}
const limitDesc = new MapStateDescriptor<string, number>('limit');
const readings$ = of(rec<Reading>({ sensor: 'a', value: 1 }, 1));
const limits$ = of(rec(5, 1));

describe('two-stream operator types', () => {
  it('infers coMap outputs from plain observables', () => {
    const out = of(1).pipe(connect(of('x')), coMap((n: number) => n > 0, (s: string) => s.length > 0));
    expectTypeOf(out).toEqualTypeOf<Observable<StreamElement<boolean>>>();
  });

  it('infers coProcess over keyed element streams', () => {
    const out = readings$.pipe(
      keyBy((r) => r.sensor),
      connect(limits$),
      coProcess<Reading, number, string>({ processElement1: (r, _c, o) => o.collect(r.sensor), processElement2: () => {} }),
    );
    expectTypeOf(out).toEqualTypeOf<Observable<StreamElement<string>>>();
  });

  it('types the broadcast process functions', () => {
    const a = readings$.pipe(
      connect(limits$.pipe(broadcast(limitDesc))),
      broadcastProcess<Reading, number, Reading>({
        processBroadcastElement: (l, ctx) => ctx.getBroadcastState(limitDesc).put('limit', l),
        processElement: (r, ctx, out) => {
          const l = ctx.getBroadcastState(limitDesc).get('limit');
          expectTypeOf(l).toEqualTypeOf<number | undefined>();
          // @ts-expect-error the non-broadcast side gets a read-only view
          ctx.getBroadcastState(limitDesc).put('x', 1);
          out.collect(r);
        },
      }),
    );
    expectTypeOf(a).toEqualTypeOf<Observable<StreamElement<Reading>>>();
    const b = readings$.pipe(
      keyBy((r) => r.sensor),
      connect(limits$.pipe(broadcast(limitDesc))),
      keyedBroadcastProcess<string, Reading, number, string>({
        processBroadcastElement: () => {},
        processElement: (_r, ctx, out) => out.collect(ctx.getCurrentKey()),
      }),
    );
    expectTypeOf(b).toEqualTypeOf<Observable<StreamElement<string>>>();
  });
});
