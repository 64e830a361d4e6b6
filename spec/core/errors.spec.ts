/**
 * Errors that say what happened: user code run from a scheduler (processing-time timers, periodic
 * watermarks, processing-time windows) and a rich function's `close()` at completion fail the stream with a
 * UserFunctionError naming the operator and its uid, like a throw while processing a record does.
 */
import { lastValueFrom, NEVER, Observable, of, toArray, type OperatorFunction } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  coMap,
  coProcess,
  connect,
  intervalJoin,
  keyedProcess,
  map,
  process,
  tumblingEventWindow,
  tumblingProcessingWindow,
  UserFunctionError,
  type WatermarkGenerator,
  WatermarkStrategy,
  assignWatermarks,
  filter,
  values,
} from '../../lib/index';
import { rec, wm } from '../../lib/testing/index';

const kaput = new Error('kaput');
const boom = (): never => {
  throw kaput;
};
/** The UserFunctionError an operator named `operator` with uid `uid` raises when its function throws `kaput`. */
const userError = (operator: string, uid: string): UserFunctionError => new UserFunctionError({ operator, uid }, kaput);

/** Asserts the error notification is a UserFunctionError naming the operator, with the user's error as cause. */
function expectUserError(err: unknown, operator: string, uid: string): void {
  expect(err).toBeInstanceOf(UserFunctionError);
  expect((err as UserFunctionError).message).toBe(`${operator} (uid "${uid}"): user function threw: kaput`);
  expect((err as UserFunctionError).operator).toBe(operator);
  expect((err as UserFunctionError).cause).toBe(kaput);
}

describe('errors thrown from scheduler callbacks', () => {
  it('a processing-time onTimer that throws fails keyedProcess with a UserFunctionError and unsubscribes the source', marbles((m) => {
    const source = m.cold('a-------', { a: rec('x', 1, 'k') });
    const out = source.pipe(
      keyedProcess<string, string, string>(
        {
          processElement: (_v, ctx) => ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 3),
          onTimer: boom,
        },
        { uid: 'p1', scheduler: m.scheduler },
      ),
    );
    m.expect(out).toBeObservable('---#', {}, userError('keyedProcess', 'p1'));
    m.expect(source).toHaveSubscriptions('^--!');
  }));

  it('a periodic watermark emit that throws fails assignWatermarks with a UserFunctionError', marbles((m) => {
    const generator: WatermarkGenerator<number> = { onEvent: () => {}, onPeriodicEmit: boom };
    const strategy = WatermarkStrategy.forGenerator<number>(() => generator).withTimestampAssigner((v) => v);
    const source = m.cold('a---------', { a: 1 });
    const out = source.pipe(assignWatermarks(strategy, { uid: 'w1', interval: 5, scheduler: m.scheduler }));
    m.expect(out).toBeObservable('a----#', { a: rec(1, 1) }, userError('assignWatermarks', 'w1'));
    m.expect(source).toHaveSubscriptions('^----!');
  }));

  it('a processing-time window function that throws fails the window with a UserFunctionError', marbles((m) => {
    const source = m.cold('-a----------', { a: rec('x', undefined, 'k') });
    const out = source.pipe(tumblingProcessingWindow(10, { process: boom, uid: 'tw', scheduler: m.scheduler }));
    m.expect(out).toBeObservable('---------#', {}, userError('tumblingProcessingWindow', 'tw'));
    m.expect(source).toHaveSubscriptions('^--------!');
  }));

  it('a processing-time onTimer of a two-input operator fails it with a UserFunctionError', marbles((m) => {
    const left = m.cold('a-----', { a: rec('x', 1, 'k') });
    const right = m.cold('------', {});
    const out = left.pipe(
      connect(right),
      coProcess<string, string, string>(
        {
          processElement1: (_v, ctx) => ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 2),
          processElement2: () => {},
          onTimer: boom,
        },
        { uid: 'c1', scheduler: m.scheduler },
      ),
    );
    m.expect(out).toBeObservable('--#', {}, userError('coProcess', 'c1'));
    m.expect(left).toHaveSubscriptions('^-!');
    m.expect(right).toHaveSubscriptions('^-!');
  }));
});

describe('a rich function whose close() throws at completion', () => {
  /** Runs `of(...input)` through `op` and returns the notifications in order. */
  async function run(input: unknown[], op: OperatorFunction<any, any>): Promise<unknown[]> {
    const seen: unknown[] = [];
    await new Promise<void>((resolve) => {
      of(...input)
        .pipe(op)
        .subscribe({
          next: (x) => seen.push(x),
          error: (e) => {
            seen.push(e);
            resolve();
          },
          complete: () => {
            seen.push('complete');
            resolve();
          },
        });
    });
    return seen;
  }

  const countWindow = (close: () => void) => ({
    process: (_k: unknown, _c: unknown, xs: Iterable<number>, out: { collect(v: number): void }) => out.collect([...xs].length),
    close,
  });
  // operator, uid, the operator with a rich function closing with `close`, its input, its outputs before the error
  const cases: Array<[string, string, (close: () => void) => OperatorFunction<any, any>, unknown[], unknown[]]> = [
    ['map', 'm1', (close) => map({ map: (x: number) => x + 1, close }, { uid: 'm1' }), [1], [2]],
    ['filter', 'f1', (close) => (s) => s.pipe(map((x: number) => x), filter({ filter: () => true, close }, { uid: 'f1' }), values()), [1], [1]],
    ['process', 'p1', (close) => process<number, number>({ processElement: (v, _c, out) => out.collect(v), close }, { uid: 'p1' }), [1], [1]],
    ['keyedProcess', 'k1', (close) => keyedProcess<string, number, number>({ processElement: (v, _c, out) => out.collect(v), close }, { uid: 'k1' }), [rec(1, 1, 'k')], [rec(1, 1, 'k')]],
    ['tumblingEventWindow', 't1', (close) => tumblingEventWindow<number, any>(10, { process: countWindow(close), uid: 't1' }), [rec(1, 1, 'k'), wm(20)], [rec(1, 9, 'k'), wm(20)]],
    ['tumblingEventWindow', 't2', (close) => tumblingEventWindow<number, any>(10, { reduce: (a: number) => a, process: countWindow(close), uid: 't2' }), [rec(1, 1, 'k'), wm(20)], [rec(1, 9, 'k'), wm(20)]],
  ];

  for (const [operator, uid, build, input, outputs] of cases) {
    it(`fails ${operator} (uid ${uid}) with a UserFunctionError after its last output, instead of completing`, async () => {
      let closes = 0;
      const seen = await run(input, build(() => {
        closes++;
        throw kaput;
      }));
      expect(seen.slice(0, -1)).toEqual(outputs);
      expectUserError(seen.at(-1), operator, uid);
      expect(closes).toBe(1);
    });
  }

  it('fails a connected coMap with a UserFunctionError', async () => {
    const out = await lastValueFrom(
      of(1).pipe(connect(of('a')), coMap({ map1: (x: number) => x, map2: (s: string) => s.length, close: boom }, { uid: 'cm' }), toArray()),
    ).catch((e: unknown) => e);
    expectUserError(out, 'coMap', 'cm');
  });

  it('fails intervalJoin with a UserFunctionError', async () => {
    const out = await lastValueFrom(
      of(rec('l', 1, 'k')).pipe(intervalJoin(of(rec('r', 2, 'k')), { between: [-5, 5], process: { processElement: () => {}, close: boom }, uid: 'ij' }), toArray()),
    ).catch((e: unknown) => e);
    expectUserError(out, 'intervalJoin', 'ij');
  });

  it('closes once, after the last output and before completion, when close() succeeds', async () => {
    const events: string[] = [];
    await lastValueFrom(
      of(rec(1, 1, 'k'), wm(20)).pipe(
        tumblingEventWindow<number, any>(10, { process: { process: (_k: unknown, _c: unknown, xs: Iterable<number>, out: { collect(v: number): void }) => out.collect([...xs].length), close: () => events.push('close') } }),
        values(),
      ),
      { defaultValue: undefined },
    ).then(() => events.push('complete'));
    expect(events).toEqual(['close', 'complete']);
  });

  it('still closes on unsubscribe', () => {
    let closed = 0;
    const sub = new Observable<number>((s) => s.next(1)).pipe(map({ map: (x: number) => x, close: () => closed++ })).subscribe();
    expect(closed).toBe(0);
    sub.unsubscribe();
    expect(closed).toBe(1);
    NEVER.subscribe().unsubscribe();
  });
});
