/**
 * Type tests of the window operators: the output and key types flow from the stream and the options
 * (checked by `npm run typecheck`, which compiles spec/ with tsc).
 */
import type { Observable } from 'rxjs';
import { expectTypeOf } from 'vitest';
import {
  assignWatermarks,
  countWindow,
  CountTrigger,
  EventTimeSessionWindows,
  globalWindow,
  keyBy,
  OutputTag,
  sessionEventWindow,
  slidingEventWindow,
  slidingProcessingWindow,
  TumblingEventTimeWindows,
  tumblingEventWindow,
  tumblingProcessingWindow,
  sessionProcessingWindow,
  values,
  window,
  windowAll,
  windowCount,
  windowMax,
  WatermarkStrategy,
  type Collector,
  type GlobalWindow,
  type StreamElement,
  type TimeWindow,
  type WindowedValue,
} from '../../lib/index';

interface Click {
  user: string;
  url: string;
  ts: number;
}
declare const clicks$: Observable<Click>;
const byUrl$ = clicks$.pipe(assignWatermarks(WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((c) => c.ts)), keyBy((c) => c.url));

describe('window operator types', () => {
  it('keyBy types the key by its selector', () => {
    expectTypeOf(byUrl$).toEqualTypeOf<Observable<StreamElement<Click, string>>>();
    expectTypeOf(clicks$.pipe(keyBy((c) => [c.user, c.ts] as const))).toEqualTypeOf<Observable<StreamElement<Click, readonly [string, number]>>>();
    expectTypeOf(clicks$.pipe(keyBy((c) => ({ u: c.user }), { keySerializer: (k) => k.u }))).toEqualTypeOf<Observable<StreamElement<Click, string>>>();
  });

  it('an aggregate alone gives its result; reduce the element; nothing the array', () => {
    expectTypeOf(byUrl$.pipe(tumblingEventWindow(60_000, { aggregate: windowCount() }))).toEqualTypeOf<Observable<StreamElement<number, string>>>();
    expectTypeOf(byUrl$.pipe(slidingEventWindow(60_000, 10_000, { reduce: (a, b) => (a.ts > b.ts ? a : b) }))).toEqualTypeOf<Observable<StreamElement<Click, string>>>();
    expectTypeOf(byUrl$.pipe(sessionEventWindow(5_000))).toEqualTypeOf<Observable<StreamElement<Click[], string>>>();
    expectTypeOf(byUrl$.pipe(countWindow(10))).toEqualTypeOf<Observable<StreamElement<Click[], string>>>();
    expectTypeOf(byUrl$.pipe(countWindow(10, 5, { aggregate: windowMax<Click>('ts') }))).toEqualTypeOf<Observable<StreamElement<Click, string>>>();
  });

  it('a process function gets the typed key, the aggregate result and its window, and its return is the output', () => {
    const out$ = byUrl$.pipe(
      tumblingEventWindow(60_000, {
        aggregate: windowCount(),
        process: (url, ctx, [count]) => {
          expectTypeOf(url).toEqualTypeOf<string>();
          expectTypeOf(ctx.window).toEqualTypeOf<TimeWindow>();
          expectTypeOf(count).toEqualTypeOf<number | undefined>();
          return { url, count: count!, end: ctx.window.end };
        },
      }),
      values(),
    );
    expectTypeOf(out$).toEqualTypeOf<Observable<{ url: string; count: number; end: number }>>();
  });

  it('a collecting process function takes its output type from out: Collector<X>; apply as well', () => {
    const a$ = byUrl$.pipe(slidingProcessingWindow(10, 5, { process: (url, _ctx, els, out: Collector<[string, number]>) => out.collect([url, els.length]) }));
    expectTypeOf(a$).toEqualTypeOf<Observable<StreamElement<[string, number], string>>>();
    const b$ = byUrl$.pipe(tumblingProcessingWindow(10, { apply: (url, w, els) => `${url}@${w.end}: ${els.length}` }));
    expectTypeOf(b$).toEqualTypeOf<Observable<StreamElement<string, string>>>();
    const c$ = byUrl$.pipe(sessionProcessingWindow(10, { reduce: (a, b) => b, apply: (url, _w, [last]) => last!.ts }));
    expectTypeOf(c$).toEqualTypeOf<Observable<StreamElement<number, string>>>();
  });

  it('window and windowAll take their element type from the stream and their window type from the assigner', () => {
    const a$ = byUrl$.pipe(window(EventTimeSessionWindows.withGap(5_000), { trigger: CountTrigger.of(2), process: (url, ctx, els) => [url, ctx.window, els] as const }));
    expectTypeOf(a$).toEqualTypeOf<Observable<StreamElement<readonly [string, TimeWindow, Click[]], string>>>();
    const b$ = clicks$.pipe(windowAll(TumblingEventTimeWindows.of(1000), { process: (key, _ctx, els) => ({ key, n: els.length }) }), values());
    expectTypeOf(b$).toEqualTypeOf<Observable<{ key: undefined; n: number }>>();
    expectTypeOf(clicks$.pipe(windowAll(TumblingEventTimeWindows.of(1000)), values())).toEqualTypeOf<Observable<Click[]>>();
    const g$ = byUrl$.pipe(globalWindow({ trigger: CountTrigger.of(3), process: (_url, ctx) => ctx.window }));
    expectTypeOf(g$).toEqualTypeOf<Observable<StreamElement<GlobalWindow, string>>>();
  });

  it('windowed: true wraps each result with its key and window', () => {
    const a$ = byUrl$.pipe(tumblingEventWindow(60_000, { aggregate: windowCount(), windowed: true }), values());
    expectTypeOf(a$).toEqualTypeOf<Observable<WindowedValue<number, string, TimeWindow>>>();
    const b$ = clicks$.pipe(windowAll(TumblingEventTimeWindows.of(1000), { windowed: true }), values());
    expectTypeOf(b$).toEqualTypeOf<Observable<WindowedValue<Click[], undefined, TimeWindow>>>();
  });

  it('the element type comes from the stream: a late output tag of another type is refused', () => {
    const late = new OutputTag<Click>('late');
    byUrl$.pipe(tumblingEventWindow(60_000, { aggregate: windowCount(), lateOutput: late }));
    // @ts-expect-error a tag for numbers on a stream of clicks
    byUrl$.pipe(tumblingEventWindow(60_000, { aggregate: windowCount(), lateOutput: new OutputTag<number>('n') }));
    // @ts-expect-error process and apply together
    byUrl$.pipe(tumblingEventWindow(60_000, { process: () => 1, apply: () => 2 }));
  });
});
