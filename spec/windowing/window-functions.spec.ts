import { lastValueFrom, of, toArray, type OperatorFunction } from 'rxjs';
import {
  InvalidArgumentError,
  OutputTag,
  SideOutput,
  StreamRecord,
  CountTrigger,
  EventTimeSessionWindows,
  TimeWindow,
  TumblingEventTimeWindows,
  WindowedValue,
  window,
  tumblingEventWindow,
  windowAll,
  windowCount,
  windowMax,
  windowMaxBy,
  windowMin,
  windowMinBy,
  windowSum,
  type AggregateFunction,
  type Collector,
  type ProcessWindowContext,
  type StreamElement,
} from '../../lib/index';
import { maxWm, rec, wm } from '../../lib/testing/index';

interface Sale {
  shop: string;
  amount: number;
  item: string;
}
const sale = (shop: string, amount: number, item: string, ts: number) => rec<Sale>({ shop, amount, item }, ts, shop);
const input = [sale('s', 5, 'a', 1), sale('s', 9, 'b', 2), sale('s', 2, 'c', 3), sale('s', 9, 'd', 4), sale('s', 7, 'e', 12)];
const run = <R>(op: OperatorFunction<StreamElement<Sale>, StreamElement<R>>): Promise<StreamRecord<R>[]> =>
  lastValueFrom(of<StreamElement<Sale>[]>(...input, maxWm()).pipe(op, toArray())).then((xs) => xs.filter((e) => e instanceof StreamRecord) as StreamRecord<R>[]);

describe('window functions', () => {
  it('process and apply may return their one result instead of collecting it (after what they collect)', async () => {
    // with an aggregate on the incremental operator, alone on the general one, and apply
    const a = await run(tumblingEventWindow(10, { aggregate: windowCount(), process: (shop, ctx, [n]) => `${shop}:${n}@${ctx.window.end}` }));
    expect(a).toEqual([rec('s:4@10', 9, 's'), rec('s:1@20', 19, 's')]);
    const b = await run(
      tumblingEventWindow(10, {
        process: (shop, _ctx, els, out) => {
          out.collect(`${shop} first`);
          return els.length > 1 ? els.length : undefined; // undefined: nothing more
        },
      }),
    );
    expect(b).toEqual([rec('s first', 9, 's'), rec(4, 9, 's'), rec('s first', 19, 's')]);
    const c = await run(tumblingEventWindow(10, { reduce: (x, y) => (x.amount >= y.amount ? x : y), apply: (shop, w, [best]) => ({ shop, end: w.end, item: best!.item }) }));
    expect(c).toEqual([rec({ shop: 's', end: 10, item: 'b' }, 9, 's'), rec({ shop: 's', end: 20, item: 'e' }, 19, 's')]);
    const d = await run(tumblingEventWindow(10, { process: { process: (_shop, _ctx, els) => els.length, clear: () => {} } }));
    expect(d).toEqual([rec(4, 9, 's'), rec(1, 19, 's')]);
  });

  it('windowed: true emits the key and the window with each result, on every operator', async () => {
    const tw = (start: number, end: number) => new TimeWindow(start, end);
    // incremental tumbling (aggregate alone)
    expect(await run(tumblingEventWindow(10, { aggregate: windowCount(), windowed: true }))).toEqual([
      rec(new WindowedValue('s', tw(0, 10), 4), 9, 's'),
      rec(new WindowedValue('s', tw(10, 20), 1), 19, 's'),
    ]);
    // incremental session, with a reduce and a process function that collects two results
    expect(
      await run(
        window(EventTimeSessionWindows.withGap(5), {
          reduce: (x, y) => ({ ...x, amount: x.amount + y.amount }),
          process: (_shop, _ctx, [sum], out) => {
            out.collect(sum!.amount);
            out.collect(-sum!.amount);
          },
          windowed: true,
        }),
      ),
    ).toEqual([
      rec(new WindowedValue('s', tw(1, 9), 25), 8, 's'),
      rec(new WindowedValue('s', tw(1, 9), -25), 8, 's'),
      rec(new WindowedValue('s', tw(12, 17), 7), 16, 's'),
      rec(new WindowedValue('s', tw(12, 17), -7), 16, 's'),
    ]);
    // the general operator (a custom trigger), no function: the arrays of elements
    const items = await run(
      tumblingEventWindow(10, { trigger: CountTrigger.of<TimeWindow>(2), windowed: true }),
    );
    expect(items.map((r) => [r.value.key, r.value.window.start, r.value.value.map((e) => e.item).join('')])).toEqual([
      ['s', 0, 'ab'],
      ['s', 0, 'abcd'],
    ]);
    // windowAll: no key
    const all = await run(windowAll(TumblingEventTimeWindows.of(10), { aggregate: windowSum<Sale>('amount'), windowed: true }));
    expect(all.map((r) => [r.key, r.value.key, r.value.window.end, r.value.value.amount])).toEqual([
      [undefined, undefined, 10, 25],
      [undefined, undefined, 20, 7],
    ]);
  });

  it('reduce combines the elements incrementally', async () => {
    const out = await run<Sale>(tumblingEventWindow(10, { reduce: (a: Sale, b: Sale) => ({ ...a, amount: a.amount + b.amount }) }));
    expect(out).toEqual([rec({ shop: 's', amount: 25, item: 'a' }, 9, 's'), rec({ shop: 's', amount: 7, item: 'e' }, 19, 's')]);
  });

  it('aggregate uses createAccumulator, add and getResult', async () => {
    const avg: AggregateFunction<Sale, { sum: number; n: number }, number> = {
      createAccumulator: () => ({ sum: 0, n: 0 }),
      add: (v, acc) => ({ sum: acc.sum + v.amount, n: acc.n + 1 }),
      getResult: (acc) => acc.sum / acc.n,
      merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
    };
    expect((await run<number>(tumblingEventWindow(10, { aggregate: avg }))).map((r) => r.value)).toEqual([6.25, 7]);
  });

  it('process gets every element and a context with window, time, state and side outputs', async () => {
    const big = new OutputTag<string>('big');
    const seen: string[] = [];
    const out = await lastValueFrom(
      of<StreamElement<Sale>[]>(...input.slice(0, 4), wm(9), input[4]!, maxWm()).pipe(
        tumblingEventWindow(10, {
          process: (shop: unknown, ctx: ProcessWindowContext<TimeWindow>, els: Sale[], o: Collector<string>) => {
            const fired = ctx.globalState().getState<number>('fired');
            fired.update((fired.value() ?? 0) + 1);
            seen.push(`${String(shop)} [${ctx.window.start},${ctx.window.end}) wm=${ctx.currentWatermark()} fired=${fired.value()}`);
            for (const e of els) if (e.amount > 8) ctx.output(big, e.item);
            o.collect(els.map((e) => e.item).join(''));
          },
        }),
        toArray(),
      ),
    );
    expect(seen).toEqual(['s [0,10) wm=9 fired=1', `s [10,20) wm=${Number.MAX_SAFE_INTEGER} fired=2`]);
    expect(out.filter((e) => e instanceof StreamRecord)).toEqual([rec('abcd', 9, 's'), rec('e', 19, 's')]);
    expect(out.filter((e) => e instanceof SideOutput)).toEqual([new SideOutput(big, rec('b', 9, 's')), new SideOutput(big, rec('d', 9, 's'))]);
  });

  it('per-window state lives until the window is cleaned up; clear() is called then', async () => {
    const cleared: number[] = [];
    const out = await lastValueFrom(
      of<StreamElement<Sale>[]>(sale('s', 1, 'a', 1), wm(9), sale('s', 2, 'b', 2), wm(14), maxWm()).pipe(
        tumblingEventWindow(10, {
          allowedLateness: 5,
          process: {
            process(_k: unknown, ctx: ProcessWindowContext<TimeWindow>, els: Sale[], o: Collector<number>) {
              const n = ctx.windowState().getState<number>('firings');
              n.update((n.value() ?? 0) + 1);
              o.collect(n.value()! * 100 + els.length);
            },
            clear(ctx: ProcessWindowContext<TimeWindow>) {
              cleared.push(ctx.window.start);
              ctx.windowState().getState('firings').clear();
            },
          },
        }),
        toArray(),
      ),
    );
    expect(out.filter((e) => e instanceof StreamRecord).map((e) => (e as StreamRecord<number>).value)).toEqual([101, 202]);
    expect(cleared).toEqual([0]);
  });

  it('apply gets key, window and elements', async () => {
    const out = await run<string>(
      tumblingEventWindow(10, { apply: (key: unknown, w: TimeWindow, els: Sale[], o: Collector<string>) => o.collect(`${String(key)}:${w.end}:${els.length}`) }) as never,
    );
    expect(out.map((r) => r.value)).toEqual(['s:10:4', 's:20:1']);
  });

  it('incremental plus full: process receives the single pre-aggregated value', async () => {
    const calls: unknown[][] = [];
    const out = await run<{ shop: unknown; count: number; end: number }>(
      tumblingEventWindow(10, {
        aggregate: windowCount(),
        process: (shop: unknown, ctx: ProcessWindowContext<TimeWindow>, els: number[], o: Collector<{ shop: unknown; count: number; end: number }>) => {
          calls.push(els);
          o.collect({ shop, count: els[0]!, end: ctx.window.end });
        },
      }) as never,
    );
    expect(calls).toEqual([[4], [1]]);
    expect(out.map((r) => r.value)).toEqual([{ shop: 's', count: 4, end: 10 }, { shop: 's', count: 1, end: 20 }]);
  });

  it('with no function, emits the array of elements', async () => {
    const out = await run<Sale[]>(tumblingEventWindow(10));
    expect(out.map((r) => r.value.map((s) => s.item))).toEqual([['a', 'b', 'c', 'd'], ['e']]);
  });

  it('built-in aggregations follow Flink: sum/min/max update one field of the first element; minBy/maxBy pick the element', async () => {
    const values = async (agg: AggregateFunction<Sale, any, Sale>) => (await run(tumblingEventWindow(10, { aggregate: agg }))).map((r) => r.value);
    expect(await values(windowSum('amount'))).toEqual([{ shop: 's', amount: 25, item: 'a' }, { shop: 's', amount: 7, item: 'e' }]);
    expect((await values(windowMin('amount')))[0]).toEqual({ shop: 's', amount: 2, item: 'a' });
    expect((await values(windowMax('amount')))[0]).toEqual({ shop: 's', amount: 9, item: 'a' });
    expect((await values(windowMinBy('amount')))[0]).toEqual({ shop: 's', amount: 2, item: 'c' });
    expect((await values(windowMaxBy('amount')))[0]).toEqual({ shop: 's', amount: 9, item: 'b' });
    expect((await values(windowMaxBy('amount', false)))[0]).toEqual({ shop: 's', amount: 9, item: 'd' });
    const counts = await run<number>(tumblingEventWindow(10, { aggregate: windowCount() }));
    expect(counts.map((r) => r.value)).toEqual([4, 1]);
  });

  it('windowAll windows a non-keyed stream and emits records without keys', async () => {
    const out = await lastValueFrom(of(rec(1, 1), rec(2, 5), rec(3, 12), maxWm()).pipe(windowAll(TumblingEventTimeWindows.of(10), { aggregate: windowSum<number>() }), toArray()));
    expect(out.filter((e) => e instanceof StreamRecord)).toEqual([rec(3, 9), rec(3, 19)]);
  });

  it('refuses conflicting functions', () => {
    // @ts-expect-error the types refuse both too; this is what a JavaScript caller gets
    expect(() => tumblingEventWindow<number>(10, { reduce: (a: number, b: number) => a + b, aggregate: windowCount() })).toThrow(InvalidArgumentError);
    // @ts-expect-error the types refuse both too
    expect(() => tumblingEventWindow(10, { process: () => {}, apply: () => {} })).toThrow('give at most one of process and apply');
  });
});

describe('rich process window functions', () => {
  it('get keyed state (per key, across windows) from the runtime context', async () => {
    const { ValueStateDescriptor } = await import('../../lib/index');
    let fired!: import('../../lib/index').ValueState<number>;
    const out = await lastValueFrom(
      of<StreamElement<Sale>[]>(...input, sale('t', 1, 'z', 5), maxWm()).pipe(
        tumblingEventWindow(10, {
          process: {
            open(ctx) {
              fired = ctx.getState(new ValueStateDescriptor<number>('fired', 0));
            },
            process(key: unknown, _ctx: ProcessWindowContext<TimeWindow>, els: Sale[], o: Collector<string>) {
              fired.update(fired.value()! + 1);
              o.collect(`${String(key)}#${fired.value()}:${els.length}`);
            },
          },
        }),
        toArray(),
      ),
    );
    expect(out.filter((e) => e instanceof StreamRecord).map((e) => (e as StreamRecord<string>).value).sort()).toEqual(['s#1:4', 's#2:1', 't#1:1']);
  });
});

describe('per-window and global state of process window functions', () => {
  it('offer every kind of keyed state: per key and window, and per key across windows', async () => {
    const { ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor, windowSum: sum } = await import('../../lib/index');
    const lines: string[] = [];
    await lastValueFrom(
      // shop s: window [0,10) fires at 9, then re-fires twice for late sales (lateness 10); window [10,20) once
      of<StreamElement<Sale>[]>(sale('s', 5, 'a', 1), sale('t', 1, 'x', 2), wm(9), sale('s', 2, 'b', 3), sale('s', 3, 'c', 12), sale('s', 4, 'd', 5), maxWm()).pipe(
        tumblingEventWindow(10, {
          allowedLateness: 10,
          aggregate: sum<Sale>('amount'),
          process: (shop: unknown, ctx: ProcessWindowContext<TimeWindow>, [total]: Sale[], o: Collector<string>) => {
            const firings = ctx.windowState().getState(new ValueStateDescriptor<number>('firings', 0));
            firings.update(firings.value()! + 1);
            const totals = ctx.windowState().getListState(new ListStateDescriptor<number>('totals'));
            totals.add(total!.amount);
            const best = ctx.globalState().getReducingState(new ReducingStateDescriptor<number>('best', (a, b) => Math.max(a, b)));
            best.add(total!.amount);
            const byWindow = ctx.globalState().getMapState(new MapStateDescriptor<number, number>('byWindow'));
            byWindow.put(ctx.window.start, firings.value()!);
            lines.push(`${String(shop)} [${ctx.window.start}) firing ${firings.value()} totals ${[...totals.get()].join('/')} best ${best.get()} windows ${[...byWindow.keys()].join(',')}`);
            o.collect('');
          },
        }),
        toArray(),
      ),
    );
    expect(lines).toEqual([
      's [0) firing 1 totals 5 best 5 windows 0',
      't [0) firing 1 totals 1 best 1 windows 0',
      's [0) firing 2 totals 5/7 best 7 windows 0',
      's [0) firing 3 totals 5/7/11 best 11 windows 0',
      's [10) firing 1 totals 3 best 11 windows 0,10',
    ]);
  });

  it('globalState() of a keyed window is the keyed state of the runtime context (the same state by name)', async () => {
    const { ValueStateDescriptor } = await import('../../lib/index');
    const seen: string[] = [];
    let fromOpen!: import('../../lib/index').ValueState<number>;
    await lastValueFrom(
      of<StreamElement<Sale>[]>(...input, maxWm()).pipe(
        tumblingEventWindow(10, {
          aggregate: windowCount(),
          process: {
            open(rt) {
              fromOpen = rt.getState(new ValueStateDescriptor<number>('n', 0));
            },
            process(_k: unknown, ctx: ProcessWindowContext<TimeWindow>, [n]: number[], o: Collector<number>) {
              const g = ctx.globalState().getState(new ValueStateDescriptor<number>('n', 0));
              g.update(g.value()! + n!);
              seen.push(`${fromOpen.value()}`);
              o.collect(n!);
            },
          },
        }),
        toArray(),
      ),
    );
    expect(seen).toEqual(['4', '5']);
  });

  it('windowState() on session windows is a StateError, as in Flink; globalState() works', async () => {
    const { sessionEventWindow, StateError } = await import('../../lib/index');
    const withWindowState = lastValueFrom(
      of<StreamElement<Sale>[]>(...input, maxWm()).pipe(
        sessionEventWindow(5, {
          process: (_k: unknown, ctx: ProcessWindowContext<TimeWindow>, els: Sale[], o: Collector<number>) => {
            ctx.windowState().getState<number>('x').update(1);
            o.collect(els.length);
          },
        }),
        toArray(),
      ),
    );
    await expect(withWindowState).rejects.toThrow(StateError);
    await expect(withWindowState).rejects.toThrow(/merging \(session\) windows/);
    const counts: number[] = [];
    await lastValueFrom(
      of<StreamElement<Sale>[]>(...input, maxWm()).pipe(
        sessionEventWindow(5, {
          process: (_k: unknown, ctx: ProcessWindowContext<TimeWindow>, els: Sale[], o: Collector<number>) => {
            const seen = ctx.globalState().getState<number>('seen');
            seen.update((seen.value() ?? 0) + els.length);
            counts.push(seen.value()!);
            o.collect(els.length);
          },
        }),
        toArray(),
      ),
    );
    expect(counts).toEqual([4, 5]);
  });

  it('per-window state is dropped when its window is cleaned up', async () => {
    const { ProcessWindowState } = await import('../../lib/windowing/functions/process-window-state');
    const states = new ProcessWindowState({ operator: 'test' }, () => 0, undefined, false);
    states.enter('k', 'k', 0);
    states.windowStore.getState<number>('x').update(1);
    states.enter('k', 'k', 10);
    states.windowStore.getState<number>('x').update(2);
    states.clearWindow('k', 'k', 0);
    states.enter('k', 'k', 0);
    expect(states.windowStore.getState<number>('x').value()).toBeUndefined();
    states.enter('k', 'k', 10);
    expect(states.windowStore.getState<number>('x').value()).toBe(2);
  });
});
