/**
 * Tumbling, sliding and session event-time windows with a `reduce`/`aggregate` and the default trigger
 * run on specialised operators (lib/windowing/incremental-event-window-operator.ts and
 * incremental-session-window-operator.ts). For random input (bounded disorder, negative timestamps,
 * offsets, allowed lateness, a late output or none, string keys, array keys and windowAll, watermarks
 * that sometimes step back, checkpoint barriers, input that ends with or without the final watermark,
 * every kind of window function including keyed state and a throwing one), their output, element by
 * element and in order, their late counters and state gauges, and their errors equal those of the general
 * window operator, reached by hiding the assigner's class behind a plain object. The general operator
 * itself is checked against a brute-force reference in windows.property.spec.ts; one test here checks a
 * specialised operator against the same kind of reference directly.
 */
import fc from 'fast-check';
import { lastValueFrom, of, toArray, type Observable, type OperatorFunction } from 'rxjs';
import {
  type AggregateFunction,
  CheckpointBarrier,
  type Collector,
  type ProcessWindowContext,
  type RuntimeContext,
  type ValueState,
  ValueStateDescriptor,
  ListStateDescriptor,
  ReducingStateDescriptor,
  floorMod,
  CountEvictor,
  CountTrigger,
  EventTimeSessionWindows,
  MetricGroup,
  OutputTag,
  ProcessingTimeSessionWindows,
  SideOutput,
  SlidingEventTimeWindows,
  StreamRecord,
  TumblingEventTimeWindows,
  Watermark,
  window,
  windowAll,
  type StreamElement,
  type TimeWindow,
  type MergingWindowAssigner,
  type WindowAssigner,
} from '../../lib/index';
import { isIncrementalEventWindow } from '../../lib/windowing/incremental-event-window-operator';
import { isIncrementalSessionWindow } from '../../lib/windowing/incremental-session-window-operator';
import { barrier, maxWm, rec } from '../../lib/testing/index';

interface Ev {
  key: string;
  ts: number;
  id: number;
}

/** Events with timestamps that drift upward from a possibly negative base, up to 10 out of order. */
const eventsArb = fc
  .tuple(
    fc.integer({ min: -60, max: 20 }),
    fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), step: fc.integer({ min: 0, max: 4 }), jitter: fc.integer({ min: 0, max: 10 }) }), { maxLength: 60 }),
  )
  .map(([base, xs]) => {
    let t = base;
    return xs.map((x, id) => {
      t += x.step;
      return { key: x.key, ts: t - x.jitter, id };
    });
  });

type KeyMode = 'string' | 'array' | 'all';

/** Each event, then a punctuated watermark (max - delay - 1) when it advances, sometimes a stale one. */
function input(evs: Ev[], keyMode: KeyMode, delay: number, stale: boolean, final: boolean, barriers = false): StreamElement<Ev>[] {
  const out: StreamElement<Ev>[] = [];
  let max = -Infinity;
  let mark = Number.MIN_SAFE_INTEGER;
  evs.forEach((e, i) => {
    const key = keyMode === 'array' ? [e.key, e.key.length] : e.key;
    out.push(rec(e, e.ts, key));
    max = Math.max(max, e.ts);
    if (max - delay - 1 > mark) {
      mark = max - delay - 1;
      out.push(new Watermark(mark));
    } else if (stale && i % 3 === 0) {
      out.push(new Watermark(mark - 5)); // a watermark behind the current one changes nothing
    }
    if (barriers && i % 5 === 4) out.push(barrier(i)); // checkpoint barriers pass through in place
  });
  if (final) out.push(maxWm());
  return out;
}

/** The same assigner behind a plain object: `window` can no longer tell its class and takes the general path. */
function hidden(a: WindowAssigner<Ev, TimeWindow>): WindowAssigner<Ev, TimeWindow> {
  const merging = a as Partial<MergingWindowAssigner<Ev, TimeWindow>>;
  return {
    name: `hidden ${a.name}`,
    assignWindows: (e, ts, ctx) => a.assignWindows(e, ts, ctx),
    getDefaultTrigger: () => a.getDefaultTrigger(),
    isEventTime: () => true,
    ...(merging.merging === true ? { merging: true, mergeWindows: (ws: readonly TimeWindow[], cb: (m: TimeWindow[], r: TimeWindow) => void) => merging.mergeWindows!(ws, cb) } : {}),
  } as WindowAssigner<Ev, TimeWindow>;
}

/** Ids of a window, as an aggregate that copies (`fresh`) or mutates its accumulator. */
function idsAggregate(fresh: boolean): AggregateFunction<Ev, number[], string> {
  return {
    createAccumulator: () => [],
    add: (e, acc) => {
      if (fresh) return [...acc, e.id];
      acc.push(e.id);
      return acc;
    },
    getResult: (acc) => acc.join(','),
    merge: (a, b) => [...a, ...b],
  };
}

/** One output element as text: kind, value, timestamp, key. */
function show(e: StreamElement<unknown>): string {
  if (e instanceof StreamRecord) return `R ${JSON.stringify(e.value)} @${e.timestamp} ${JSON.stringify(e.key)}`;
  if (e instanceof Watermark) return `W ${e.time}`;
  if (e instanceof SideOutput) return `S ${e.tag.id} ${JSON.stringify(e.record.value)} @${e.record.timestamp}`;
  if (e instanceof CheckpointBarrier) return `B ${e.checkpointId}`;
  return `? ${String(e)}`;
}

interface Case {
  kind: 'tumbling' | 'sliding' | 'session' | 'dynamic session';
  size: number;
  slideDiv: number;
  offsetFrac: number;
  lateness: number;
  late: boolean;
  keyMode: KeyMode;
  fn: 'fresh' | 'mutating' | 'reduce' | 'process' | 'apply' | 'rich' | 'throws';
  delay: number;
  stale: boolean;
  final: boolean;
  barriers?: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  kind: fc.constantFrom<Case['kind']>('tumbling', 'sliding', 'session', 'dynamic session'),
  size: fc.integer({ min: 1, max: 12 }),
  slideDiv: fc.integer({ min: 1, max: 4 }),
  offsetFrac: fc.double({ min: -0.99, max: 0.99, noNaN: true }),
  lateness: fc.constantFrom(0, 0, 1, 5, 20),
  late: fc.boolean(),
  keyMode: fc.constantFrom<KeyMode>('string', 'string', 'array', 'all'),
  fn: fc.constantFrom<Case['fn']>('fresh', 'mutating', 'reduce', 'process', 'apply', 'rich', 'throws'),
  delay: fc.integer({ min: 0, max: 8 }),
  stale: fc.boolean(),
  final: fc.boolean(),
  barriers: fc.boolean(),
});

function assignerOf(c: Case): WindowAssigner<Ev, TimeWindow> {
  // sessions: the gap is the size (fixed), or 1..size by the element (dynamic)
  if (c.kind === 'session') return EventTimeSessionWindows.withGap(c.size) as WindowAssigner<Ev, TimeWindow>;
  if (c.kind === 'dynamic session') return EventTimeSessionWindows.withDynamicGap((e: Ev) => 1 + (e.id % c.size)) as WindowAssigner<Ev, TimeWindow>;
  if (c.kind === 'tumbling') return TumblingEventTimeWindows.of(c.size, Math.trunc(c.offsetFrac * c.size));
  const slide = Math.max(1, Math.floor(c.size / c.slideDiv));
  return SlidingEventTimeWindows.of(c.size, slide, Math.trunc(c.offsetFrac * slide));
}

const reduceEv = (a: Ev, b: Ev): Ev => ({ key: a.key, ts: Math.max(a.ts, b.ts), id: a.id * 100 + b.id });
const firingsTag = new OutputTag<string>('firings');

/** The window functions of a case: incremental alone, or with a full function that uses its context. */
/** `perWindow`: use per-window state (session windows have none). */
function functionsOf(fn: Case['fn'], perWindow: boolean): Record<string, unknown> {
  switch (fn) {
    case 'fresh':
    case 'mutating':
      return { aggregate: idsAggregate(fn === 'fresh') };
    case 'reduce':
      return { reduce: reduceEv };
    case 'throws':
      // a user function failing part way: both operators must emit the same prefix, then the same error
      return {
        reduce: (a: Ev, b: Ev): Ev => {
          if (b.id === 7) throw new Error('no 7 please');
          return reduceEv(a, b);
        },
      };
    case 'apply':
      return { reduce: reduceEv, apply: (key: unknown, w: TimeWindow, [e]: Ev[], out: Collector<string>) => out.collect(`${String(key)} ${w.start} ${e!.id}`) };
    case 'process':
      // per-window state (firings of this window), per-key state (windows fired for the key), side output
      return {
        aggregate: idsAggregate(true),
        process: (key: unknown, ctx: ProcessWindowContext<TimeWindow>, [ids]: string[], out: Collector<string>) => {
          const firings = perWindow ? ctx.windowState().getState<number>('firings') : ctx.globalState().getState<number>(`firings ${ctx.window.start}`);
          firings.update((firings.value() ?? 0) + 1);
          const total = ctx.globalState().getState<number>('total');
          total.update((total.value() ?? 0) + 1);
          if (firings.value() === 2 || Math.abs(ctx.window.start) % 2 === 1) total.clear();
          const sizes = (perWindow ? ctx.windowState() : ctx.globalState()).getListState(new ListStateDescriptor<number>('sizes'));
          sizes.add(ids!.length);
          const longest = ctx.globalState().getReducingState(new ReducingStateDescriptor<number>('longest', (a, b) => Math.max(a, b)));
          longest.add(ids!.length);
          out.collect(`${String(key)} ${ctx.window.start} [${ids}] #${firings.value()} total ${total.value()} sizes ${[...sizes.get()]} longest ${longest.get()} wm ${ctx.currentWatermark()}`);
          if (firings.value()! > 1) ctx.output(firingsTag, `refired ${ctx.window.start}`);
        },
      };
    case 'rich': {
      // keyed state from the runtime context, across windows
      let count!: ValueState<number>;
      return {
        aggregate: idsAggregate(false),
        process: {
          open(rt: RuntimeContext) {
            count = rt.getState(new ValueStateDescriptor<number>('count', 0));
          },
          process(key: unknown, ctx: ProcessWindowContext<TimeWindow>, [ids]: string[], out: Collector<string>) {
            count.update(count.value()! + 1);
            out.collect(`${String(key)} ${ctx.window.end} [${ids}] #${count.value()}`);
          },
        },
      };
    }
  }
}

async function runCase(c: Case, evs: Ev[], assigner: WindowAssigner<Ev, TimeWindow>): Promise<{ out: string[]; metrics: Record<string, number> }> {
  const metrics = new MetricGroup();
  const lateOutput = c.late ? new OutputTag<Ev>('late') : undefined;
  const fnOpts = functionsOf(c.fn, !c.kind.includes('session'));
  const options = { ...fnOpts, allowedLateness: c.lateness, metrics, ...(lateOutput ? { lateOutput } : {}) };
  const op = (c.keyMode === 'all' ? windowAll(assigner, options) : window(assigner, options)) as OperatorFunction<StreamElement<Ev>, StreamElement<unknown>>;
  const source: Observable<StreamElement<Ev>> = of(...input(evs, c.keyMode, c.delay, c.stale, c.final, c.barriers));
  // errors (keyed state asked for in windowAll, a throwing function) end the output: both operators must
  // emit the same elements before the same error
  const out: string[] = [];
  await new Promise<void>((resolve) =>
    source.pipe(op).subscribe({
      next: (e) => out.push(show(e)),
      error: (err: Error) => {
        out.push(`error ${err.name}: ${err.message}`);
        resolve();
      },
      complete: resolve,
    }),
  );
  const snap = metrics.snapshot();
  const pick = (suffix: string) => Object.entries(snap).find(([k]) => k.endsWith(suffix))?.[1] ?? 0;
  return {
    out,
    metrics: {
      numLateRecords: pick('numLateRecords'),
      numLateRecordsDropped: pick('numLateRecordsDropped'),
      windowStateSize: pick('windowStateSize'),
      keysWithState: pick('keysWithState'),
    },
  };
}

describe('incremental event-time windows (the specialised operators)', () => {
  it('are the operators chosen for tumbling, sliding and session windows with reduce or aggregate and the default trigger', () => {
    const agg = { aggregate: idsAggregate(true) };
    expect(isIncrementalEventWindow(TumblingEventTimeWindows.of(10), agg)).toBe(true);
    expect(isIncrementalEventWindow(SlidingEventTimeWindows.of(10, 5), { reduce: (a: Ev) => a, allowedLateness: 5 })).toBe(true);
    expect(isIncrementalEventWindow(TumblingEventTimeWindows.of(10), { ...agg, process: () => undefined })).toBe(true);
    expect(isIncrementalEventWindow(TumblingEventTimeWindows.of(10), { ...agg, process: { process: () => undefined, clear: () => undefined } })).toBe(false);
    expect(isIncrementalEventWindow(TumblingEventTimeWindows.of(10), { ...agg, evictor: CountEvictor.of(1) })).toBe(false);
    expect(isIncrementalEventWindow(TumblingEventTimeWindows.of(10), { ...agg, trigger: CountTrigger.of(2) })).toBe(false);
    expect(isIncrementalEventWindow(TumblingEventTimeWindows.of(10), {})).toBe(false);
    expect(isIncrementalEventWindow(hidden(TumblingEventTimeWindows.of(10)), agg)).toBe(false);
    expect(isIncrementalSessionWindow(EventTimeSessionWindows.withGap(10), agg)).toBe(true);
    expect(isIncrementalSessionWindow(EventTimeSessionWindows.withDynamicGap(() => 5), { reduce: (a: Ev) => a, process: () => undefined })).toBe(true);
    expect(isIncrementalSessionWindow(ProcessingTimeSessionWindows.withGap(10), agg)).toBe(false);
    expect(isIncrementalSessionWindow(EventTimeSessionWindows.withGap(10), {})).toBe(false);
  });

  it('counts per tumbling window equal a brute-force grouping of the elements not late on arrival', async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, fc.integer({ min: 1, max: 12 }), async (evs, size) => {
        const elements = input(evs, 'string', 6, false, true);
        // brute force: the watermark in force when each event arrived
        let mark = Number.MIN_SAFE_INTEGER;
        const groups = new Map<string, number[]>();
        for (const el of elements) {
          if (el instanceof Watermark) mark = Math.max(mark, el.time);
          else if (el instanceof StreamRecord) {
            const e = el.value as Ev;
            const start = e.ts - floorMod(e.ts, size);
            if (start + size - 1 <= mark) continue;
            const g = `${e.key} ${start + size - 1}`;
            groups.set(g, [...(groups.get(g) ?? []), e.id]);
          }
        }
        const expected = [...groups].map(([g, ids]) => `${g} ${ids.join(',')}`).sort();
        const out = await lastValueFrom(of(...elements).pipe(window(TumblingEventTimeWindows.of(size), { aggregate: idsAggregate(false) }), toArray()));
        const got = out.filter((e): e is StreamRecord<string> => e instanceof StreamRecord).map((r) => `${String(r.key)} ${r.timestamp} ${r.value}`);
        expect(got.sort()).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps, like the general operator, the state of a window whose cleanup time would pass the largest timestamp', async () => {
    const top = Number.MAX_SAFE_INTEGER;
    const evs: Ev[] = [
      { key: 'a', ts: top - 30, id: 0 },
      { key: 'a', ts: top - 3, id: 1 },
      { key: 'b', ts: top - 2, id: 2 },
    ];
    const c: Case = { kind: 'tumbling', size: 10, slideDiv: 1, offsetFrac: 0, lateness: 20, late: false, keyMode: 'string', fn: 'fresh', delay: 0, stale: false, final: true };
    const fast = await runCase(c, evs, assignerOf(c));
    expect(fast).toEqual(await runCase(c, evs, hidden(assignerOf(c))));
    // windows [top - 31, top - 21) and [top - 11, top - 1): the last one fires at top - 2 but its cleanup
    // time (top - 2 + 20) is past the end of time, so it is never cleaned up, for both keys
    expect(fast.out.filter((s) => s.startsWith('R'))).toEqual([`R "0" @${top - 22} "a"`, `R "1" @${top - 2} "a"`, `R "2" @${top - 2} "b"`]);
    expect(fast.metrics['windowStateSize']).toBe(2);
  });

  it('like the general operator, drops a window ending exactly at the largest timestamp once it fires', async () => {
    const top = Number.MAX_SAFE_INTEGER;
    for (const kind of ['tumbling', 'session'] as const) {
      for (const lateness of [0, 20]) {
        const evs: Ev[] = [
          { key: 'a', ts: top, id: 0 },
          { key: 'b', ts: top - 1, id: 1 },
        ];
        const c: Case = { kind, size: 1, slideDiv: 1, offsetFrac: 0, lateness, late: false, keyMode: 'string', fn: 'fresh', delay: 5, stale: false, final: true };
        const fast = await runCase(c, evs, assignerOf(c));
        expect(fast).toEqual(await runCase(c, evs, hidden(assignerOf(c))));
        // [top, top + 1) fires at the final watermark and goes; [top - 1, top) fires but, with lateness,
        // its cleanup time is past the end of time, so it stays
        expect(fast.out.filter((s) => s.startsWith('R'))).toEqual([`R "1" @${top - 1} "b"`, `R "0" @${top} "a"`]);
        expect(fast.metrics['windowStateSize']).toBe(lateness === 0 ? 0 : 1);
      }
    }
  });

  it('gives, element for element, what the general window operator gives', async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, caseArb, async (evs, c) => {
        const fast = await runCase(c, evs, assignerOf(c));
        const general = await runCase(c, evs, hidden(assignerOf(c)));
        expect(fast).toEqual(general);
        // and barriers are never dropped: every one is forwarded (unless the run failed)
        if (!fast.out.some((x) => x.startsWith('error'))) {
          const sent = input(evs, c.keyMode, c.delay, c.stale, c.final, c.barriers).filter((e) => e instanceof CheckpointBarrier).length;
          expect(fast.out.filter((x) => x.startsWith('B ')).length).toBe(sent);
        }
      }),
      { numRuns: 400 },
    );
  });
});
