import { lastValueFrom, of, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  InvalidTimestampError,
  keyedProcess,
  MetricGroup,
  EVENT_TIME_TIMERS,
  NotKeyedError,
  OutputTag,
  StateError,
  StreamRecord,
  ListStateDescriptor,
  ValueStateDescriptor,
  type KeyedProcessFunction,
  type ValueState,
} from '../../lib/index';
import { maxWm, rec, side, wm } from '../../lib/testing/index';
import { spaced } from '../helpers/spaced';

const recs = (xs: unknown[]) => xs.filter((e) => e instanceof StreamRecord);

describe('keyedProcess', () => {
  it('emits what processElement and onTimer return (other than undefined), after what they collect', async () => {
    const out = await lastValueFrom(
      of(rec(1, 1, 'k'), rec(2, 2, 'k'), maxWm()).pipe(
        keyedProcess({
          processElement(v, ctx, out) {
            out.collect(v * 10);
            ctx.timerService().registerEventTimeTimer(5);
            return v === 1 ? v : undefined;
          },
          onTimer: (t) => -t,
        }),
        toArray(),
      ),
    );
    expect(recs(out)).toEqual([rec(10, 1, 'k'), rec(1, 1, 'k'), rec(20, 2, 'k'), rec(-5, 5, 'k')]);
  });

  it('fires an event-time timer when the watermark reaches it, before forwarding the watermark', marbles((m) => {
    const fn: KeyedProcessFunction<string, string, string> = {
      processElement: (_v, ctx) => ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 5),
      onTimer: (t, ctx, out) => out.collect(`${ctx.getCurrentKey()}:${t}:${ctx.timeDomain()}`),
    };
    const source = m.cold(spaced(['a', 'W', 'X', '|']), { a: rec('a', 1, 'k'), W: wm(5), X: wm(6) });
    m.expect(source.pipe(keyedProcess(fn))).toBeObservable(spaced(['', 'W', '(tX)', '|']), {
      W: wm(5),
      t: rec('k:6:event-time', 6, 'k'),
      X: wm(6),
    });
  }));

  it('fires processing-time timers on the scheduler, with no timestamp', marbles((m) => {
    const fn: KeyedProcessFunction<string, string, string> = {
      processElement: (_v, ctx) => ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 5),
      onTimer: (t, ctx, out) => out.collect(`${ctx.getCurrentKey()}@${t}:${ctx.timeDomain()}`),
    };
    const source = m.cold('--a----------|', { a: rec('a', 1, 'k') });
    m.expect(source.pipe(keyedProcess(fn, { scheduler: m.scheduler }))).toBeObservable('-------t-----|', { t: rec('k@7:processing-time', undefined, 'k') });
  }));

  it('keeps one timer per (key, time, domain), deletes timers, and fires in time order', async () => {
    const fn: KeyedProcessFunction<string, number, string> = {
      processElement: (v, ctx) => {
        const ts = ctx.timerService();
        if (v < 0) ts.deleteEventTimeTimer(-v);
        else ts.registerEventTimeTimer(v);
      },
      onTimer: (t, ctx, out) => out.collect(`${ctx.getCurrentKey()}@${t}`),
    };
    const out = await lastValueFrom(
      of(rec(30, 0, 'a'), rec(10, 0, 'b'), rec(10, 0, 'b'), rec(20, 0, 'a'), rec(10, 0, 'a'), rec(-20, 0, 'a'), wm(100)).pipe(keyedProcess(fn), toArray()),
    );
    expect(recs(out).map((r) => (r as StreamRecord<string>).value)).toEqual(['b@10', 'a@10', 'a@30']);
  });

  it('fires every event-time timer at the end of input', async () => {
    const fn: KeyedProcessFunction<string, number, number> = {
      processElement: (v, ctx) => ctx.timerService().registerEventTimeTimer(v * 1000),
      onTimer: (t, _ctx, out) => out.collect(t),
    };
    const viaMax = await lastValueFrom(of(rec(5, 1, 'x'), rec(7, 1, 'y'), maxWm()).pipe(keyedProcess(fn), toArray()));
    expect(recs(viaMax).map((r) => (r as StreamRecord<number>).value)).toEqual([5000, 7000]);
    const viaCompletion = await lastValueFrom(of(rec(5, 1, 'x')).pipe(keyedProcess(fn), toArray()));
    expect(recs(viaCompletion).map((r) => (r as StreamRecord<number>).value)).toEqual([5000]);
  });

  it('keeps keyed state per key and sends side outputs', async () => {
    const big = new OutputTag<number>('big');
    const fn: KeyedProcessFunction<string, number, number> & { sum?: ValueState<number> } = {
      open(ctx) {
        this.sum = ctx.getState(new ValueStateDescriptor<number>('sum', 0));
      },
      processElement(v, ctx, out) {
        this.sum!.update(this.sum!.value()! + v);
        if (this.sum!.value()! > 10) ctx.output(big, this.sum!.value()!);
        else out.collect(this.sum!.value()!);
      },
    };
    const out = await lastValueFrom(of(rec(4, 1, 'a'), rec(5, 2, 'b'), rec(8, 3, 'a')).pipe(keyedProcess(fn), toArray()));
    expect(out).toEqual([rec(4, 1, 'a'), rec(5, 2, 'b'), side(big, 12, 3, 'a')]);
  });

  it('reports its timers and state in the metrics, and they empty as timers fire', async () => {
    const metrics = new MetricGroup();
    let snapshotAtEnd: Record<string, number> = {};
    const fn: KeyedProcessFunction<string, number, number> = {
      processElement: (v, ctx) => ctx.timerService().registerEventTimeTimer(v),
      onTimer: () => {},
      close: () => {
        snapshotAtEnd = metrics.snapshot();
      },
    };
    await lastValueFrom(of(rec(1, 0, 'a'), rec(2, 0, 'b'), maxWm()).pipe(keyedProcess(fn, { metrics }), toArray()));
    expect(snapshotAtEnd[EVENT_TIME_TIMERS]).toBe(0);
  });

  describe('bad input', () => {
    it('refuses a record without a key', async () => {
      const err = await lastValueFrom(of(rec(1, 1)).pipe(keyedProcess({ processElement: () => {} }))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotKeyedError);
      expect((err as Error).message).toBe('keyedProcess: this operator needs a keyed stream: apply keyBy(selector) before it');
    });

    it('refuses a state name re-registered with another kind', async () => {
      const err = await lastValueFrom(
        of(rec(1, 1, 'k')).pipe(
          keyedProcess({
            open(ctx) {
              ctx.getState(new ValueStateDescriptor('s'));
              ctx.getListState(new ListStateDescriptor('s'));
            },
            processElement: () => {},
          }),
        ),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as Error).message).toBe('keyedProcess: state "s" is already registered as value state; it cannot be used as list state');
    });
  });

  describe('timer times', () => {
    it('refuses an event-time timer at NaN (ctx.timestamp()! + 10 on a record without a timestamp) with an InvalidTimestampError', async () => {
      const fired: string[] = [];
      const fn: KeyedProcessFunction<string, string, string> = {
        processElement: (_v, ctx) => ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 10),
        onTimer: (t, ctx) => void fired.push(`${ctx.getCurrentKey()}@${t}`),
      };
      const err = await lastValueFrom(of(rec('a', 5, 'a'), rec('b', undefined, 'b'), wm(100)).pipe(keyedProcess(fn), toArray())).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidTimestampError);
      expect((err as InvalidTimestampError).value).toBeNaN();
      expect((err as Error).message).toMatch(/^keyedProcess: invalid timestamp NaN: registerEventTimeTimer\(time\) needs a finite number .*apply assignWatermarks upstream\)$/);
      expect(fired).toEqual([]);
    });

    it.each([Infinity, -Infinity, '20' as unknown as number, 2 ** 60])('refuses a timer at %s in either time domain', async (t) => {
      for (const domain of ['event', 'processing'] as const) {
        const fn: KeyedProcessFunction<string, string, string> = {
          processElement: (_v, ctx) =>
            domain === 'event' ? ctx.timerService().registerEventTimeTimer(t) : ctx.timerService().registerProcessingTimeTimer(t),
        };
        const err = await lastValueFrom(of(rec('a', 5, 'a')).pipe(keyedProcess(fn), toArray())).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidTimestampError);
        expect((err as Error).message).toContain(domain === 'event' ? 'registerEventTimeTimer(time)' : 'registerProcessingTimeTimer(time)');
      }
    });
  });
});
