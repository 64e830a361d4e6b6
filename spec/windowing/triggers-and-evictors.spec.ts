import { lastValueFrom, of, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  ContinuousEventTimeTrigger,
  CountEvictor,
  CountTrigger,
  countWindow,
  DeltaEvictor,
  DeltaTrigger,
  globalWindow,
  InvalidArgumentError,
  InvalidTimestampError,
  PurgingTrigger,
  StreamRecord,
  TimeEvictor,
  tumblingEventWindow,
  TriggerResult,
  type Evictor,
  type TimeWindow,
  type Trigger,
} from '../../lib/index';
import { maxWm, rec, wm } from '../../lib/testing/index';
import { spaced } from '../helpers/spaced';

const k = <T>(v: T, ts?: number) => rec(v, ts, 'k');
const vals = (xs: unknown[]) => xs.filter((e) => e instanceof StreamRecord).map((e) => (e as StreamRecord<unknown>).value);

describe('count windows', () => {
  it('countWindow(size) fires every size elements and starts over', marbles((m) => {
    const source = m.cold('abcde|', { a: k('a'), b: k('b'), c: k('c'), d: k('d'), e: k('e') });
    m.expect(source.pipe(countWindow(2))).toBeObservable('-x-y-|', { x: rec(['a', 'b'], Number.MAX_SAFE_INTEGER, 'k'), y: rec(['c', 'd'], Number.MAX_SAFE_INTEGER, 'k') });
  }));

  it('countWindow(size, slide) fires every slide elements over the last size', async () => {
    const out = await lastValueFrom(of(k('a'), k('b'), k('c'), k('d')).pipe(countWindow(3, 1), toArray()));
    expect(vals(out)).toEqual([['a'], ['a', 'b'], ['a', 'b', 'c'], ['b', 'c', 'd']]);
  });

  it.each([
    [0, undefined, 'size'],
    [-2, undefined, 'size'],
    [1.5, undefined, 'size'],
    [3, 0, 'slide'],
  ])('refuses size %s slide %s', (size, slide, option) => {
    expect(() => countWindow(size, slide)).toThrow(InvalidArgumentError);
    expect(() => countWindow(size, slide)).toThrow(`countWindow: ${option} must be a positive integer`);
  });
});

describe('triggers', () => {
  it('CountTrigger fires without purging; PurgingTrigger purges on fire', async () => {
    const input = [k(1), k(2), k(3), k(4)];
    expect(vals(await lastValueFrom(of(...input).pipe(globalWindow({ trigger: CountTrigger.of(2) }), toArray())))).toEqual([[1, 2], [1, 2, 3, 4]]);
    expect(vals(await lastValueFrom(of(...input).pipe(globalWindow({ trigger: PurgingTrigger.of(CountTrigger.of(2)) }), toArray())))).toEqual([[1, 2], [3, 4]]);
  });

  it('the global window never fires by default', async () => {
    expect(vals(await lastValueFrom(of(k(1), k(2), maxWm()).pipe(globalWindow(), toArray())))).toEqual([]);
  });

  it('ContinuousEventTimeTrigger fires every interval of event time and at the window end', async () => {
    const out = await lastValueFrom(
      of(k('a', 5), wm(30), k('b', 40), wm(60), k('c', 70), wm(99)).pipe(tumblingEventWindow(100, { trigger: ContinuousEventTimeTrigger.of(30) }), toArray()),
    );
    expect(out.filter((e) => e instanceof StreamRecord)).toEqual([
      rec(['a'], 99, 'k'),
      rec(['a', 'b'], 99, 'k'),
      rec(['a', 'b', 'c'], 99, 'k'),
      rec(['a', 'b', 'c'], 99, 'k'),
    ]);
  });

  it('DeltaTrigger fires when an element moves more than the threshold from the last firing', async () => {
    const out = await lastValueFrom(of(k(1), k(3), k(7), k(8), k(13)).pipe(globalWindow({ trigger: DeltaTrigger.of(5, (a: number, b: number) => b - a) }), toArray()));
    expect(vals(out)).toEqual([[1, 3, 7], [1, 3, 7, 8, 13]]);
  });

  it('runs a custom trigger that registers timers through its context', marbles((m) => {
    // fires at every multiple of 10 of event time inside the window, purging each time
    const everyTen: Trigger<string, TimeWindow> = {
      onElement: (_e, ts, _w, ctx) => {
        ctx.registerEventTimeTimer(Math.floor(ts! / 10) * 10 + 9);
        return TriggerResult.CONTINUE;
      },
      onEventTime: () => TriggerResult.FIRE_AND_PURGE,
      onProcessingTime: () => TriggerResult.CONTINUE,
      clear: () => {},
    };
    const source = m.cold(spaced(['a', 'W', 'b', 'c', 'X', '|']), { a: k('a', 1), W: wm(9), b: k('b', 12), c: k('c', 15), X: wm(19) });
    m.expect(source.pipe(tumblingEventWindow(100, { trigger: everyTen }))).toBeObservable(spaced(['', '(xW)', '', '', '(yX)', '|']), {
      x: rec(['a'], 99, 'k'),
      W: wm(9),
      y: rec(['b', 'c'], 99, 'k'),
      X: wm(19),
    });
  }));

  it('refuses a trigger that cannot merge on session windows, and bad trigger parameters', () => {
    expect(() => CountTrigger.of(0)).toThrow('CountTrigger.of: maxCount must be a positive integer, got 0');
    expect(() => ContinuousEventTimeTrigger.of(-1)).toThrow(InvalidArgumentError);
    expect(() => DeltaTrigger.of(NaN, () => 0)).toThrow(InvalidArgumentError);
  });
});

describe('evictors', () => {
  const input = [k(1, 1), k(4, 5), k(8, 12), k(9, 14)];
  const run = (evictor: Evictor<number, never>) =>
    lastValueFrom(of(...input).pipe(globalWindow<number>({ trigger: CountTrigger.of(4), evictor: evictor as never }), toArray())).then(vals);

  it('CountEvictor keeps the last n elements', async () => {
    expect(await run(CountEvictor.of(2) as never)).toEqual([[8, 9]]);
  });

  it('TimeEvictor keeps the elements within the size of the newest timestamp', async () => {
    expect(await run(TimeEvictor.of(10) as never)).toEqual([[4, 8, 9]]);
  });

  it('DeltaEvictor evicts the elements at least threshold away from the newest', async () => {
    expect(await run(DeltaEvictor.of(5, (a: number, b: number) => Math.abs(b - a)) as never)).toEqual([[8, 9]]);
    expect(await run(DeltaEvictor.of(6, (a: number, b: number) => Math.abs(b - a)) as never)).toEqual([[4, 8, 9]]);
  });

  it('evicts after the function when told, so the next firing sees fewer elements', async () => {
    const out = await lastValueFrom(
      of(k(1), k(2), k(3), k(4)).pipe(globalWindow<number>({ trigger: CountTrigger.of(2), evictor: CountEvictor.of(1, true) as never }), toArray()),
    );
    expect(vals(out)).toEqual([[1, 2], [2, 3, 4]]);
  });

  it('runs a custom evictor with evictBefore and evictAfter', async () => {
    const calls: string[] = [];
    const evens: Evictor<number, never> = {
      evictBefore: (els) => (calls.push(`before ${els.length}`), els.filter((e) => e.value % 2 === 0)),
      evictAfter: (els) => (calls.push(`after ${els.length}`), []),
    };
    expect(await run(evens)).toEqual([[4, 8]]);
    expect(calls).toEqual(['before 4', 'after 2']);
  });

  it('refuses bad evictor parameters', () => {
    expect(() => CountEvictor.of(0)).toThrow('CountEvictor.of: maxCount must be a positive integer, got 0');
    expect(() => TimeEvictor.of(-1)).toThrow(InvalidArgumentError);
  });
});

describe('trigger timer times', () => {
  it.each([NaN, Infinity])('refuses a trigger timer at %s with an InvalidTimestampError', async (t) => {
    for (const domain of ['event', 'processing'] as const) {
      const trigger: Trigger<string, TimeWindow> = {
        onElement: (_e, _ts, _w, ctx) => {
          if (domain === 'event') ctx.registerEventTimeTimer(t);
          else ctx.registerProcessingTimeTimer(t);
          return TriggerResult.CONTINUE;
        },
        onEventTime: () => TriggerResult.FIRE,
        onProcessingTime: () => TriggerResult.FIRE,
        clear: () => {},
      };
      const err = await lastValueFrom(of(k('a', 5), wm(100)).pipe(tumblingEventWindow(10, { trigger }), toArray())).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidTimestampError);
      expect((err as Error).message).toMatch(/^tumblingEventWindow: invalid timestamp /);
    }
  });
});

