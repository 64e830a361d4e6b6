import { Observable, take, toArray, lastValueFrom, of, type OperatorFunction } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  filter,
  FusedStream,
  keyBy,
  keyedProcess,
  map,
  operateElements,
  process,
  reduce,
  type StreamElement,
  StreamRecord,
  tumblingEventWindow,
  UserFunctionError,
  values,
  Watermark,
  window,
  TumblingEventTimeWindows,
  windowCount,
} from '../../lib/index';
import { maxWm, rec, wm } from '../../lib/testing/index';

describe('operateElements', () => {
  it('lets take(1) after an operator unsubscribe a synchronous infinite source', () => {
    let emitted = 0;
    let finalized = false;
    const infinite = new Observable<number>((subscriber) => {
      while (!subscriber.closed) subscriber.next(emitted++);
      finalized = true;
    });
    const seen: number[] = [];
    infinite.pipe(map((x: number) => x * 2), filter((x: number) => x % 4 === 0), values(), take(1)).subscribe((v) => seen.push(v));
    expect(seen).toEqual([0]);
    expect(finalized).toBe(true);
    expect(emitted).toBeLessThan(3);
  });

  it('forwards control elements it does not handle and dispatches records', marbles((m) => {
    const source = m.cold('a-W-b|', { a: rec(1, 10), W: wm(10), b: 2 });
    const doubled = operateElements<number, unknown>({ name: 'double' }, (d) => ({
      record: (v, ts, k) => d.next(new StreamRecord(v * 2, ts, k)),
    }));
    m.expect(source.pipe(doubled)).toBeObservable('a-W-b|', { a: rec(2, 10), W: wm(10), b: rec(4) });
  }));

  it('wraps a throwing handler in a UserFunctionError naming the operator and uid', async () => {
    const boom = operateElements<number, number>({ name: 'boom', options: { uid: 'b1' } }, () => ({
      record: () => {
        throw new Error('kaput');
      },
    }));
    const err = await lastValueFrom(of(1).pipe(boom)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFunctionError);
    expect((err as Error).message).toBe('boom (uid "b1"): user function threw: kaput');
  });

  it('fuses consecutive stateless stages into one stream', () => {
    const fused = of(1, 2, 3).pipe(map((x: number) => x + 1), filter((x: number) => x > 2), keyBy((x: number) => x % 2));
    expect(fused).toBeInstanceOf(FusedStream);
    expect((fused as FusedStream<number>).stages.map((s) => s.name)).toEqual(['map', 'filter', 'keyBy']);
  });

  it('runs fused stages inside the consuming operator without intermediate records', async () => {
    const out = await lastValueFrom(
      of(rec(1, 5), new Watermark(5), 2).pipe(map((x: number) => x * 10), keyBy((x: number) => `k${x}`), toArray()),
    );
    expect(out).toEqual([rec(10, 5, 'k10'), wm(5), rec(20, undefined, 'k20')]);
  });
});

describe('watermarks only advance through an operator', () => {
  const seen: number[] = [];
  const ops: Array<[string, OperatorFunction<StreamElement<number>, unknown>]> = [
    ['map', map((x: number) => x + 1)],
    ['map → filter (fused)', (s) => s.pipe(map((x: number) => x + 1), filter(() => true))],
    ['process', process<number, number>({ processElement: (x, _ctx, out) => out.collect(x) })],
    ['reduce', (s) => s.pipe(keyBy(() => 'k'), reduce((a: number, b: number) => a + b))],
    ['tumblingEventWindow (incremental)', (s) => s.pipe(keyBy(() => 'k'), tumblingEventWindow(100, { aggregate: windowCount() }))],
    ['window (general)', (s) => s.pipe(keyBy(() => 'k'), window(TumblingEventTimeWindows.of(100), { process: (_k: unknown, _w: unknown, xs: number[], out: { collect(n: number): void }) => out.collect(xs.length) }))],
    [
      'keyedProcess',
      (s) =>
        s.pipe(
          keyBy(() => 'k'),
          keyedProcess<string, number, number>({
            processElement: () => {},
            onTimer: () => {},
          }),
        ),
    ],
    [
      'a custom operator',
      operateElements<number, unknown>({ name: 'watch' }, (d) => ({
        record: () => {},
        watermark: (w) => {
          seen.push(w.time);
          d.next(w);
        },
      })),
    ],
  ];

  it.each(ops)('%s: W(20) then W(3) comes out as W(20) alone, and the end-of-input watermark still flows', (name, op) => {
    seen.length = 0;
    const out: number[] = [];
    of<StreamElement<number>[]>(wm(20), wm(3), wm(20), wm(25), maxWm()).pipe(op).subscribe((e) => {
      if (e instanceof Watermark) out.push(e.time);
    });
    expect(out).toEqual([20, 25, Watermark.MAX.time]);
    if (name === 'a custom operator') expect(seen).toEqual([20, 25, Watermark.MAX.time]);
  });

  it('drops a watermark with a NaN time built around the Watermark constructor, and keeps ordering after it', () => {
    const forged = Object.assign(Object.create(Watermark.prototype) as Watermark, { kind: 1, time: NaN });
    const out: number[] = [];
    of<StreamElement<number>[]>(wm(20), forged, wm(3), wm(25)).pipe(map((x: number) => x)).subscribe((e) => {
      if (e instanceof Watermark) out.push(e.time);
    });
    expect(out).toEqual([20, 25]);
  });

  it('drops a watermark that goes back in time before the operator sees it (marbles)', marbles((m) => {
    const source = m.cold('WaVX|', { W: wm(20), a: rec(1, 30), V: wm(3), X: wm(30) });
    m.expect(source.pipe(map((x: number) => x * 10))).toBeObservable('Wa-X|', { W: wm(20), a: rec(10, 30), X: wm(30) });
  }));
});

