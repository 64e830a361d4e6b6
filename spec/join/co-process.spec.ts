import { from, lastValueFrom, of, Subject, toArray, type Observable } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  CheckpointBarrier,
  coProcess,
  connect,
  InvalidArgumentError,
  InvalidKeyError,
  InvalidTimestampError,
  Job,
  keyBy,
  ListStateDescriptor,
  NotKeyedError,
  OutputTag,
  StartElement,
  StateError,
  StreamRecord,
  ValueStateDescriptor,
  values,
  type CoProcessFunction,
  type ListState,
  type OperatorSnapshot,
  type StreamElement,
  type ValueState,
} from '../../lib/index';
import { maxWm, rec, side, wm } from '../../lib/testing/index';
import { operatorStates } from '../helpers/snapshot-parts';

const els = <T>(...xs: StreamElement<T>[]): Observable<StreamElement<T>> => from(xs);
const recs = (xs: unknown[]): unknown[] => xs.filter((e) => e instanceof StreamRecord).map((r) => (r as StreamRecord<unknown>).value);

describe('coProcess', () => {
  it('fires a per-key event-time timer when the combined watermark reaches it, before forwarding it', marbles((m) => {
    // processElement1 registers a timer at ts + 5; processElement2 deletes it and emits "paid"
    const fn: CoProcessFunction<string, string, string> = {
      processElement1: (_v, ctx) => ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 5),
      processElement2: (_v, ctx, out) => {
        ctx.timerService().deleteEventTimeTimer(6);
        out.collect(`${ctx.getCurrentKey()} paid`);
      },
      onTimer: (t, ctx, out) => out.collect(`${ctx.getCurrentKey()} late@${t} ${ctx.timeDomain()}`),
    };
    const orders = m.cold('a-b------W--|', { a: rec('a', 1, 'k1'), b: rec('b', 2, 'k2'), W: wm(10) });
    const payments = m.cold('---p---V-----|', { p: rec('p', 3, 'k1'), V: wm(10) });
    m.expect(orders.pipe(connect(payments), coProcess(fn))).toBeObservable('---p-----(tW)(M|)', {
      p: rec('k1 paid', 3, 'k1'),
      t: rec('k2 late@7 event-time', 7, 'k2'),
      W: wm(10),
      M: maxWm(),
    });
  }));

  it('fires processing-time timers on the scheduler, with no timestamp', marbles((m) => {
    const fn: CoProcessFunction<string, string, string> = {
      processElement1: (_v, ctx) => ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 3),
      processElement2: (_v, ctx) => ctx.timerService().deleteProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 2),
      onTimer: (t, ctx, out) => out.collect(`${ctx.getCurrentKey()}@${t} ${ctx.timeDomain()}`),
    };
    const a = m.cold('-a--b-----|', { a: rec('a', 1, 'x'), b: rec('b', 1, 'y') });
    // x's timer at 1 + 3 = 4 fires; y's at 4 + 3 = 7 is deleted at frame 5 by c (key y)
    const b = m.cold('-----c----|', { c: rec('c', 1, 'y') });
    m.expect(a.pipe(connect(b), coProcess(fn, { scheduler: m.scheduler }))).toBeObservable('----t-----(M|)', {
      t: rec('x@4 processing-time', undefined, 'x'),
      M: maxWm(),
    });
  }));

  it('keeps one timer per (key, time, domain), honours deletes, and fires in time order', async () => {
    const fn: CoProcessFunction<number, number, string> = {
      processElement1: (v, ctx) => ctx.timerService().registerEventTimeTimer(v),
      processElement2: (v, ctx) => ctx.timerService().deleteEventTimeTimer(v),
      onTimer: (t, ctx, out) => out.collect(`${ctx.getCurrentKey()}@${t}`),
    };
    const a = of(rec(30, 0, 'a'), rec(10, 0, 'b'), rec(10, 0, 'b'), rec(20, 0, 'a'), rec(10, 0, 'a'), wm(100));
    const b = of(rec(20, 0, 'a'), rec(30, 0, 'b'), wm(100));
    expect(recs(await lastValueFrom(a.pipe(connect(b), coProcess(fn), toArray())))).toEqual(['b@10', 'a@10', 'a@30']);
  });

  it('fires every event-time timer at the end of input, in time order', async () => {
    const fn: CoProcessFunction<number, number, number> = {
      processElement1: (v, ctx) => ctx.timerService().registerEventTimeTimer(v),
      processElement2: (v, ctx) => ctx.timerService().registerEventTimeTimer(v),
      onTimer: (t, _ctx, out) => out.collect(t),
    };
    const out = await lastValueFrom(of(rec(500, 1, 'x'), rec(70, 1, 'y')).pipe(connect(of(rec(9000, 1, 'x'))), coProcess(fn), toArray()));
    expect(recs(out)).toEqual([70, 500, 9000]);
  });

  it('shares keyed state between the inputs, scoped to the key, and sends side outputs', async () => {
    const unmatched = new OutputTag<string>('unmatched');
    const fn: CoProcessFunction<string, string, string> & { order?: ValueState<string> } = {
      open(ctx) {
        this.order = ctx.getState(new ValueStateDescriptor<string>('order'));
      },
      processElement1(o) {
        this.order!.update(o);
      },
      processElement2(p, ctx, out) {
        const o = this.order!.value();
        if (o === undefined) ctx.output(unmatched, p);
        else out.collect(`${o}+${p}`);
      },
    };
    const orders = new Subject<StreamRecord<string>>();
    const payments = new Subject<StreamRecord<string>>();
    const result = lastValueFrom(
      orders.pipe(keyBy((o: string) => o[0]!), connect(payments.pipe(keyBy((p: string) => p[0]!))), coProcess(fn), toArray()),
    );
    orders.next(rec('a-order', 1));
    payments.next(rec('b-pay', 2));
    payments.next(rec('a-pay', 3));
    orders.complete();
    payments.complete();
    const out = await result;
    expect(out.slice(0, 2)).toEqual([side(unmatched, 'b-pay', 2, 'b'), rec('a-order+a-pay', 3, 'a')]);
  });

  it('refuses timers and keyed state on non-keyed inputs with NotKeyedError', async () => {
    const timers: CoProcessFunction<number, number, number> = {
      processElement1: (v, ctx) => ctx.timerService().registerEventTimeTimer(v),
      processElement2: () => {},
    };
    const e1 = await lastValueFrom(of(1).pipe(connect(of(2)), coProcess(timers))).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(NotKeyedError);
    expect((e1 as Error).message).toBe('coProcess: setting timers needs a keyed stream: apply keyBy(selector) before it');
    const state: CoProcessFunction<number, number, number> & { s?: ValueState<number> } = {
      open(ctx) {
        this.s = ctx.getState(new ValueStateDescriptor<number>('s'));
      },
      processElement1() {},
      processElement2(v) {
        this.s!.update(v);
      },
    };
    // the first input is keyed, the second is not: state on the second fails
    const e2 = await lastValueFrom(of(1).pipe(keyBy((n: number) => n), connect(of(2)), coProcess(state, { uid: 'cp' }))).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(NotKeyedError);
    expect((e2 as Error).message).toBe('coProcess (uid "cp"): keyed state "s" needs a keyed stream: apply keyBy(selector) before it');
  });

  it('refuses inputs keyed by different kinds of key with InvalidKeyError', async () => {
    const fn: CoProcessFunction<number, number, number> = { processElement1: () => {}, processElement2: () => {} };
    const err = await lastValueFrom(of(rec(1, 1, 'a'), rec(2, 2, 'b')).pipe(connect(of(rec(3, 3, 7))), coProcess(fn))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidKeyError);
    expect((err as Error).message).toBe(
      'coProcess: invalid key 7: the inputs of coProcess are keyed by different kinds of key (string and number): key both inputs the same way',
    );
    const ok = await lastValueFrom(of(rec(1, 1, 'a')).pipe(connect(of(rec(3, 3, 'b'))), coProcess(fn), toArray()));
    expect(ok.length).toBeGreaterThan(0);
  });

  it('refuses a state name re-registered with another kind with StateError', async () => {
    const fn: CoProcessFunction<number, number, number> = {
      open(ctx) {
        ctx.getState(new ValueStateDescriptor<number>('n'));
        ctx.getListState(new ListStateDescriptor<number>('n'));
      },
      processElement1() {},
      processElement2() {},
    };
    const err = await lastValueFrom(of(rec(1, 1, 'k')).pipe(connect(of(rec(1, 1, 'k'))), coProcess(fn))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toBe('coProcess: state "n" is already registered as value state; it cannot be used as list state');
  });

  it('refuses a function without processElement1/processElement2', () => {
    expect(() => coProcess({ processElement1: () => {} } as never)).toThrow(InvalidArgumentError);
  });

  it('snapshots keyed state, timers and operator state at a barrier and restores them (round trip)', async () => {
    type Fn = CoProcessFunction<number, number, string> & { sum?: ValueState<number>; log?: ListState<string>; seen: string[] };
    const make = (): Fn => ({
      seen: [],
      initializeState(ctx: { getOperatorStateStore(): { getListState(d: ListStateDescriptor<string>): ListState<string> }; isRestored(): boolean }) {
        this.log = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<string>('log'));
        this.seen = ctx.isRestored() ? this.log.get() : [];
      },
      snapshotState() {
        this.log!.update(this.seen);
      },
      open(ctx) {
        this.sum = ctx.getState(new ValueStateDescriptor<number>('sum', 0));
      },
      processElement1(v, ctx) {
        this.sum!.update(this.sum!.value()! + v);
        this.seen.push(`${ctx.getCurrentKey()}:${v}`);
        ctx.timerService().registerEventTimeTimer(100);
      },
      processElement2(v) {
        this.sum!.update(this.sum!.value()! - v);
      },
      onTimer(_t, ctx, out) {
        out.collect(`${ctx.getCurrentKey()}=${this.sum!.value()} after ${this.seen.join(',')}`);
      },
    } as Fn);
    const handles: OperatorSnapshot[] = [];
    const acknowledger = { acknowledge: (_uid: string, h: unknown) => handles.push(h as OperatorSnapshot), decline: () => {} };
    const job = new Job({ name: 'j' });
    // first run: up to the barrier, then stop (no watermark: the timers stay pending)
    const first = new Subject<StreamElement<number>>();
    const second = new Subject<StreamElement<number>>();
    const run1 = lastValueFrom(first.pipe(connect(second), coProcess(make(), { uid: 'cp' }), toArray()));
    first.next(rec(5, 1, 'a'));
    first.next(rec(7, 2, 'b'));
    second.next(rec(1, 3, 'a'));
    first.next(new CheckpointBarrier(1, 0, 'checkpoint', acknowledger));
    second.next(new CheckpointBarrier(1, 0, 'checkpoint', acknowledger));
    first.error(new Error('crash'));
    await run1.catch(() => undefined);
    expect(handles).toHaveLength(1);
    expect(operatorStates(handles[0])['log']).toEqual({ mode: 'split', items: ['a:5', 'b:7'] });
    // second run: restored from the handle; the timers fire at the end of input
    const restored = new Map([['cp', handles[0]!]]);
    const start = new StartElement(job.context(true, restored));
    const out = await lastValueFrom(els<number>(start, rec(1, 4, 'a')).pipe(connect(els<number>(start)), coProcess(make(), { uid: 'cp' }), values(), toArray()));
    expect(out).toEqual(['a=5 after a:5,b:7,a:1', 'b=7 after a:5,b:7,a:1']);
  });

  it('restores only the keys of its key groups when the job runs with more subtasks', async () => {
    const fn = (): CoProcessFunction<number, number, string> & { n?: ValueState<number> } => ({
      open(ctx) {
        this.n = ctx.getState(new ValueStateDescriptor<number>('n', 0));
      },
      processElement1(v, ctx) {
        this.n!.update(v);
        ctx.timerService().registerEventTimeTimer(50);
      },
      processElement2() {},
      onTimer(_t, ctx, out) {
        out.collect(`${ctx.getCurrentKey()}=${this.n!.value()}`);
      },
    });
    const handles: OperatorSnapshot[] = [];
    const acknowledger = { acknowledge: (_uid: string, h: unknown) => handles.push(h as OperatorSnapshot), decline: () => {} };
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const b = new CheckpointBarrier(1, 0, 'checkpoint', acknowledger);
    await lastValueFrom(els<number>(...keys.map((k, i) => rec(i, 1, k)), b).pipe(connect(els<number>(b)), coProcess(fn(), { uid: 'x' }), toArray()));
    const outputs: string[] = [];
    for (let subtask = 0; subtask < 2; subtask++) {
      const job = new Job({ parallelism: 2, subtaskIndex: subtask });
      const start = new StartElement(job.context(true, new Map([['x', handles[0]!]])));
      outputs.push(...(await lastValueFrom(els<number>(start).pipe(connect(els<number>(start)), coProcess(fn(), { uid: 'x' }), values(), toArray()))));
    }
    expect(outputs.sort()).toEqual(keys.map((k, i) => `${k}=${i}`).sort());
  });
});

describe('coProcess timer times', () => {
  it('refuses an event-time timer at NaN with an InvalidTimestampError', async () => {
    const fn: CoProcessFunction<string, string, string> = {
      processElement1: (_v, ctx) => ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 5),
      processElement2: () => {},
      onTimer: () => {},
    };
    const left = els<string>(rec('a', undefined, 'k'));
    const right = els<string>(rec('b', 1, 'k'));
    const err = await lastValueFrom(left.pipe(connect(right), coProcess(fn), toArray())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidTimestampError);
    expect((err as Error).message).toContain('registerEventTimeTimer(time) needs a finite number');
  });
});

