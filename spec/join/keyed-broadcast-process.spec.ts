import { lastValueFrom, of, Subject, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  broadcast,
  connect,
  keyBy,
  keyedBroadcastProcess,
  MapStateDescriptor,
  NotKeyedError,
  StateError,
  StreamRecord,
  ValueStateDescriptor,
  values,
  type BroadcastState,
  type KeyedBroadcastProcessFunction,
  type StreamElement,
  type ValueState,
} from '../../lib/index';
import { maxWm, rec, wm } from '../../lib/testing/index';

interface Reading {
  sensor: string;
  value: number;
}
const limitDesc = new MapStateDescriptor<string, number>('limit');
const countDesc = new ValueStateDescriptor<number>('count', 0);

describe('keyedBroadcastProcess', () => {
  it('reads the broadcast state on the keyed side, per key', marbles((m) => {
    const fn: KeyedBroadcastProcessFunction<string, Reading, number, string> = {
      processBroadcastElement: (l, ctx) => ctx.getBroadcastState(limitDesc).put('limit', l),
      processElement: (r, ctx, out) => {
        const l = ctx.getBroadcastState(limitDesc).get('limit');
        if (l !== undefined && r.value > l) out.collect(`alert ${ctx.getCurrentKey()} ${r.value}`);
      },
    };
    const readings = m.cold('----t----u--|', { t: rec({ sensor: 's1', value: 50 }, 2), u: rec({ sensor: 's2', value: 90 }, 4) });
    const rules = m.cold('--L----------|', { L: rec(80, 1) });
    m.expect(readings.pipe(keyBy((r: Reading) => r.sensor), connect(rules.pipe(broadcast(limitDesc))), keyedBroadcastProcess(fn))).toBeObservable(
      '---------a---(M|)',
      { a: rec('alert s2 90', 4, 's2'), M: maxWm() },
    );
  }));

  it('has per-key timers that fire with the combined watermark, and at the end of input', marbles((m) => {
    const fn: KeyedBroadcastProcessFunction<string, Reading, number, string> = {
      processBroadcastElement: () => {},
      processElement: (r, ctx) => ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + r.value),
      onTimer: (t, ctx, out) => out.collect(`${ctx.getCurrentKey()}@${t} ${ctx.timeDomain()}`),
    };
    const readings = m.cold('a-b---W---|', { a: rec({ sensor: 's1', value: 3 }, 1), b: rec({ sensor: 's2', value: 100 }, 1), W: wm(10) });
    const rules = m.cold<StreamElement<number>>('----V----|', { V: wm(20) });
    m.expect(readings.pipe(keyBy((r: Reading) => r.sensor), connect(rules.pipe(broadcast(limitDesc))), keyedBroadcastProcess(fn))).toBeObservable(
      '------(tW)(uM|)',
      { t: rec('s1@4 event-time', 4, 's1'), W: wm(10), u: rec('s2@101 event-time', 101, 's2'), M: maxWm() },
    );
  }));

  it('applies a function to every key\'s keyed state from the broadcast side', async () => {
    const fn: KeyedBroadcastProcessFunction<string, Reading, string, string> & { count?: ValueState<number> } = {
      open(ctx) {
        this.count = ctx.getState(countDesc);
      },
      processElement(_r) {
        this.count!.update(this.count!.value()! + 1);
      },
      processBroadcastElement(cmd, ctx, out) {
        ctx.applyToKeyedState(countDesc, (key, state) => {
          out.collect(`${key}=${state.value()}`);
          if (cmd === 'reset') state.clear();
        });
      },
    };
    const readings = new Subject<Reading>();
    const commands = new Subject<string>();
    const result = lastValueFrom(readings.pipe(keyBy((r: Reading) => r.sensor), connect(commands.pipe(broadcast(limitDesc))), keyedBroadcastProcess(fn), values(), toArray()));
    readings.next({ sensor: 'a', value: 1 });
    readings.next({ sensor: 'b', value: 1 });
    readings.next({ sensor: 'a', value: 1 });
    commands.next('reset');
    readings.next({ sensor: 'b', value: 1 });
    commands.next('report');
    readings.complete();
    commands.complete();
    expect(await result).toEqual(['a=2', 'b=1', 'b=1']);
  });

  it('refuses broadcast-state writes from processElement and onTimer with StateError', async () => {
    const fn: KeyedBroadcastProcessFunction<string, Reading, number, string> = {
      processBroadcastElement: () => {},
      processElement: (r, ctx) => (ctx.getBroadcastState(limitDesc) as BroadcastState<string, number>).remove(r.sensor),
    };
    const err = await lastValueFrom(
      of({ sensor: 's', value: 1 }).pipe(keyBy((r: Reading) => r.sensor), connect(of(1).pipe(broadcast(limitDesc))), keyedBroadcastProcess(fn)),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toContain('broadcast state "limit" is read-only in processElement');
  });

  it('refuses timers without a key and keyed state on the broadcast side, with NotKeyedError', async () => {
    const fn: KeyedBroadcastProcessFunction<string, number, number, string> = {
      processBroadcastElement: () => {},
      processElement: (v, ctx) => ctx.timerService().registerEventTimeTimer(v),
    };
    const err = await lastValueFrom(of(1).pipe(connect(of(1).pipe(broadcast(limitDesc))), keyedBroadcastProcess(fn))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotKeyedError);
    expect((err as Error).message).toBe('keyedBroadcastProcess: setting timers needs a keyed stream: apply keyBy(selector) before it');
    const fromBroadcast: KeyedBroadcastProcessFunction<string, number, number, string> & { c?: ValueState<number> } = {
      open(ctx) {
        this.c = ctx.getState(countDesc);
      },
      processElement() {},
      processBroadcastElement() {
        this.c!.value();
      },
    };
    const err2 = await lastValueFrom(
      of(rec(1, 1, 'k')).pipe(connect(of(1).pipe(broadcast(limitDesc))), keyedBroadcastProcess(fromBroadcast)),
    ).catch((e: unknown) => e);
    // the broadcast side has no current key: keyed state there is refused (use applyToKeyedState)
    expect(err2).toBeInstanceOf(NotKeyedError);
  });

  it('emits outputs of processElement with the record key, and of the broadcast side with none', async () => {
    const fn: KeyedBroadcastProcessFunction<string, string, string, string> = {
      processBroadcastElement: (v, _ctx, out) => out.collect(`rule ${v}`),
      processElement: (v, _ctx, out) => out.collect(v),
    };
    const out = await lastValueFrom(of(rec('a', 1, 'k')).pipe(connect(of(rec('r', 2)).pipe(broadcast(limitDesc))), keyedBroadcastProcess(fn), toArray()));
    expect(out.filter((e) => e instanceof StreamRecord)).toEqual([rec('a', 1, 'k'), rec('rule r', 2)]);
  });
});
