import { lastValueFrom, Observable, of, Subject, take, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  coFlatMap,
  coMap,
  connect,
  ConnectedStreams,
  InvalidArgumentError,
  keyBy,
  NotKeyedError,
  StreamRecord,
  TaggedValue,
  UserFunctionError,
  ValueStateDescriptor,
  values,
  type RichCoFlatMapFunction,
  type RichCoMapFunction,
  type StreamElement,
  type ValueState,
} from '../../lib/index';
import { barrier, idle, maxWm, rec, wm } from '../../lib/testing/index';

describe('connect', () => {
  it('yields both inputs as tagged values, keeping timestamps and keys, with the minimum watermark', marbles((m) => {
    const a = m.cold('a----W----|', { a: rec('a', 1, 'k'), W: wm(4) });
    const b = m.cold('--x----V-|', { x: rec(7, 2), V: wm(6) });
    m.expect(a.pipe(connect(b))).toBeObservable('a-x----W--(M|)', {
      a: rec(new TaggedValue<string, number>(0, 'a'), 1, 'k'),
      x: rec(new TaggedValue<string, number>(1, 7), 2),
      W: wm(4),
      M: maxWm(),
    });
  }));

  it('returns a ConnectedStreams holding both inputs', () => {
    const a = of(1);
    const b = of('x');
    const c = connect<number, string>(b)(a);
    expect(c).toBeInstanceOf(ConnectedStreams);
    expect(c.first).toBe(a);
    expect(c.second).toBe(b);
  });
});

describe('coMap', () => {
  it('maps each input with its own function; the watermark is the minimum of both', marbles((m) => {
    const a = m.cold('--a--------W---|', { a: rec('a', 1), W: wm(4) });
    const b = m.cold('-----x--------V-|', { x: rec(2, 2), V: wm(6) });
    // coMap(up, n)
    // W(4) waits for the second input's first watermark; when the first input completes, W(6) is the minimum
    m.expect(a.pipe(connect(b), coMap((s: string) => s.toUpperCase(), (n: number) => `#${n}`))).toBeObservable('--A--X--------WV(M|)', {
      A: rec('A', 1),
      X: rec('#2', 2),
      W: wm(4),
      V: wm(6),
      M: maxWm(),
    });
  }));

  it('works on any stream of tagged values, not only right after connect', marbles((m) => {
    const a = m.cold('a--b-W|', { a: rec('a', 1, 'k'), b: rec('b', 3, 'k'), W: wm(4) });
    const b = m.cold('-x----V|', { x: rec(2, 2, 'k'), V: wm(4) });
    const rewrapped = new Observable<StreamElement<TaggedValue<string, number>>>((s) => a.pipe(connect(b)).subscribe(s));
    const expected = { A: rec('A', 1, 'k'), X: rec('#2', 2, 'k'), B: rec('B', 3, 'k'), W: wm(4), M: maxWm() };
    const f = coMap((s: string) => s.toUpperCase(), (n: number) => `#${n}`);
    m.expect(a.pipe(connect(b), f)).toBeObservable('AX-B--W(M|)', expected);
    m.expect(rewrapped.pipe(f)).toBeObservable('AX-B--W(M|)', expected);
  }));

  it('passes plain values through as plain values', async () => {
    const out = await lastValueFrom(of(1, 2).pipe(connect(of('x')), coMap((n: number) => n * 10, (s: string) => s.length), values(), toArray()));
    expect(out.sort()).toEqual([1, 10, 20]);
  });

  it('holds back the watermark of the faster input and leaves idle inputs out', marbles((m) => {
    const a = m.cold('W---V-----|', { W: wm(10), V: wm(20) });
    const b = m.cold('-U----i------|', { U: wm(3), i: idle() });
    m.expect(a.pipe(connect<unknown, unknown>(b), coMap((x: unknown) => x, (y: unknown) => y))).toBeObservable('-U----X---M--|', { U: wm(3), X: wm(20), M: maxWm() });
  }));

  it('aligns checkpoint barriers of the two inputs', marbles((m) => {
    const a = m.cold('Bx-|', { B: barrier(1), x: rec('x', 1) });
    const b = m.cold('-y-B---|', { y: rec('y', 2), B: barrier(1) });
    m.expect(a.pipe(connect(b), coMap((s: string) => `1${s}`, (s: string) => `2${s}`))).toBeObservable('-y-(Bx)(M|)', {
      y: rec('2y', 2),
      B: barrier(1),
      x: rec('1x', 1),
      M: maxWm(),
    });
  }));

  it('gives a rich function keyed state shared by both inputs on keyed inputs', async () => {
    const fn: RichCoMapFunction<number, number, string> & { total?: ValueState<number> } = {
      open(ctx) {
        this.total = ctx.getState(new ValueStateDescriptor<number>('total', 0));
      },
      map1(v) {
        this.total!.update(this.total!.value()! + v);
        return `+${v}=${this.total!.value()}`;
      },
      map2(v) {
        this.total!.update(this.total!.value()! - v);
        return `-${v}=${this.total!.value()}`;
      },
    };
    const left = new Subject<StreamRecord<number>>();
    const right = new Subject<StreamRecord<number>>();
    const result = lastValueFrom(
      left.pipe(keyBy((v: number) => v % 2), connect(right.pipe(keyBy((v: number) => v % 2))), coMap(fn), values(), toArray()),
    );
    left.next(rec(2, 1));
    right.next(rec(4, 2));
    left.next(rec(3, 3));
    left.next(rec(6, 4));
    right.next(rec(1, 5));
    left.complete();
    right.complete();
    expect(await result).toEqual(['+2=2', '-4=-2', '+3=3', '+6=4', '-1=2']);
  });

  it('refuses keyed state on non-keyed inputs with NotKeyedError', async () => {
    const fn: RichCoMapFunction<number, number, number> & { s?: ValueState<number> } = {
      open(ctx) {
        this.s = ctx.getState(new ValueStateDescriptor<number>('s', 0));
      },
      map1: function (this: { s?: ValueState<number> }, v: number) {
        return this.s!.value()! + v;
      },
      map2: (v) => v,
    };
    const err = await lastValueFrom(of(1).pipe(connect(of(2)), coMap(fn))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotKeyedError);
    expect((err as Error).message).toBe('coMap: keyed state "s" needs a keyed stream: apply keyBy(selector) before it');
  });

  it('wraps errors thrown by a function in UserFunctionError naming the operator', async () => {
    const err = await lastValueFrom(
      of(1).pipe(
        connect(of(2)),
        coMap(
          () => {
            throw new Error('bad');
          },
          (n: number) => n,
          { uid: 'm1' },
        ),
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFunctionError);
    expect((err as Error).message).toBe('coMap (uid "m1"): user function threw: bad');
  });

  it('refuses a source that is not connect(other) output, and missing functions', async () => {
    const err = await lastValueFrom((of(1) as Observable<never>).pipe(coMap((n: number) => n, (n: number) => n))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe('coMap: source must be two connected streams: apply connect(other) right before coMap, got 1');
    expect(() => coMap((n: number) => n, undefined as never)).toThrow(InvalidArgumentError);
    expect(() => coMap({ map1: (n: number) => n } as never)).toThrow('coMap: fn must be an object with map1() and map2()');
  });

  it('opens and closes a rich function once', async () => {
    const calls: string[] = [];
    const fn: RichCoMapFunction<number, number, number> = {
      open: (ctx) => calls.push(`open ${ctx.operatorName}`),
      close: () => calls.push('close'),
      map1: (v) => v,
      map2: (v) => v,
    };
    await lastValueFrom(of(1, 2).pipe(connect(of(3)), coMap(fn), toArray()));
    expect(calls).toEqual(['open coMap', 'close']);
  });

  it('stops a synchronous infinite input when downstream takes what it needs', async () => {
    let emitted = 0;
    const infinite = new Observable<number>((s) => {
      while (!s.closed) s.next(emitted++);
    });
    const out = await lastValueFrom(infinite.pipe(connect<number, number>(new Subject<number>()), coMap((n: number) => n, (n: number) => n), values(), take(3), toArray()));
    expect(out).toEqual([0, 1, 2]);
    expect(emitted).toBeLessThan(5);
  });
});

describe('coFlatMap', () => {
  it('emits zero or more outputs per record, with the input timestamp', marbles((m) => {
    const a = m.cold('a---b---|', { a: rec('a', 1), b: rec('b', 3) });
    const b = m.cold('--x-----|', { x: rec('x', 2) });
    const dup = (s: string): string[] => [s, s];
    // coFlatMap(dup, _)
    m.expect(a.pipe(connect(b), coFlatMap(dup, () => {}))).toBeObservable('(aa)(bb)(M|)', { a: rec('a', 1), b: rec('b', 3), M: maxWm() });
  }));

  it('emits through the collector or an iterable, in order', async () => {
    const out = await lastValueFrom(
      of(rec('ab', 1)).pipe(
        connect(of(rec(3, 2))),
        coFlatMap(
          (s: string, c) => {
            for (const ch of s) c.collect(ch);
          },
          (n: number) => Array.from({ length: n }, (_, i) => String(i)),
        ),
        toArray(),
      ),
    );
    expect(out.filter((e) => e instanceof StreamRecord)).toEqual([rec('a', 1), rec('b', 1), rec('0', 2), rec('1', 2), rec('2', 2)]);
  });

  it('lets a control stream switch a keyed data stream (shared keyed state)', async () => {
    const fn: RichCoFlatMapFunction<string, string, string> & { blocked?: ValueState<boolean> } = {
      open(ctx) {
        this.blocked = ctx.getState(new ValueStateDescriptor<boolean>('blocked', false));
      },
      flatMap1(w, out) {
        if (this.blocked!.value() !== true) out.collect(w);
      },
      flatMap2() {
        this.blocked!.update(true);
      },
    };
    const words = new Subject<string>();
    const control = new Subject<string>();
    const result = lastValueFrom(words.pipe(keyBy((w: string) => w), connect(control.pipe(keyBy((w: string) => w))), coFlatMap(fn), values(), toArray()));
    words.next('apache');
    control.next('flink');
    words.next('flink');
    words.next('rx');
    words.next('apache');
    words.complete();
    control.complete();
    expect(await result).toEqual(['apache', 'rx', 'apache']);
  });
});
