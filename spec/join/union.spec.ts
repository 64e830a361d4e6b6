import fc from 'fast-check';
import { Subject, take, toArray, lastValueFrom, Observable } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { InputValve, Job, MAX_WATERMARK, MIN_WATERMARK, StartElement, union, values, Watermark, WatermarkStatus } from '../../lib/index';
import { active, barrier, idle, maxWm, rec, start, wm } from '../../lib/testing/index';

describe('union', () => {
  it('merges records and emits the minimum watermark over its inputs', marbles((m) => {
    const a = m.cold('x-W-----V--|', { x: rec('x', 1), W: wm(5), V: wm(9) });
    const b = m.cold('-y---U------|', { y: rec('y', 2), U: wm(7) });
    // a's W(9) lifts the minimum only to b's 7; each input's completion counts as the largest watermark
    m.expect(a.pipe(union(b))).toBeObservable('xy---W--X---(M|)', {
      x: rec('x', 1),
      y: rec('y', 2),
      W: wm(5),
      X: wm(7),
      M: maxWm(),
    });
  }));

  it('emits the held-back watermark when the slower input advances', marbles((m) => {
    const a = m.cold('W---|', { W: wm(10) });
    const b = m.cold('-U-V---|', { U: wm(3), V: wm(20) });
    m.expect(a.pipe(union(b))).toBeObservable('-U-WX--(M|)', { U: wm(3), W: wm(10), X: wm(20), M: maxWm() });
  }));

  it('leaves idle inputs out of the minimum, and emits idle when all inputs are idle', marbles((m) => {
    const a = m.cold('W--i----A-V|', { W: wm(5), i: idle(), A: active(), V: wm(30) });
    const b = m.cold('-U----i-----|', { U: wm(20), i: idle() });
    // a idle: b alone sets the watermark (20); both idle: idle; a active again at 5 < 20: it rejoins only
    // once it catches up (30); when a completes, idle b is left out, so the watermark is the largest
    m.expect(a.pipe(union(b))).toBeObservable('-W-X--I-A-VM|', {
      W: wm(5),
      X: wm(20),
      I: idle(),
      A: active(),
      V: wm(30),
      M: maxWm(),
    });
  }));

  it('ignores a watermark from an idle input, and flushes the largest watermark before going idle', marbles((m) => {
    const a = m.cold('W-i-V-------|', { W: wm(10), i: idle(), V: wm(40) });
    const b = m.cold('-U---j----------|', { U: wm(3), j: idle() });
    // a's W(40) arrives while a is idle: ignored. When b goes idle too, nothing holds event time back:
    // the largest watermark over both inputs (a's 10, not 40) comes out, then the idle status
    m.expect(a.pipe(union(b))).toBeObservable('-U---(XI) 3ms M 3ms |', { U: wm(3), X: wm(10), I: idle(), M: maxWm() });
  }));

  it('never emits a watermark that does not advance, whatever its inputs send', marbles((m) => {
    const a = m.cold('W--V--|', { W: wm(20), V: wm(3) });
    const b = m.cold('-U--X--|', { U: wm(25), X: wm(2) });
    // W(3) and X(2) go back in time: ignored; a's completion lifts the minimum to b's 25
    m.expect(a.pipe(union(b))).toBeObservable('-W----X(M|)', { W: wm(20), X: wm(25), M: maxWm() });
  }));

  it('aligns checkpoint barriers: buffers an input that delivered the barrier until all have', marbles((m) => {
    const a = m.cold('Bx-|', { B: barrier(1), x: rec('x', 1) });
    const b = m.cold('-y-B---|', { y: rec('y', 2), B: barrier(1) });
    m.expect(a.pipe(union(b))).toBeObservable('-y-(Bx)(M|)', { y: rec('y', 2), B: barrier(1), x: rec('x', 1), M: maxWm() });
  }));

  it('forwards one merged start element, bounded only when every input is', marbles((m) => {
    const job = new Job({ name: 'u' });
    const a = m.cold('Sx|', { S: start(job, true), x: 1 });
    const b = m.cold('S-y|', { S: start(job, false), y: 2 });
    m.expect(a.pipe(union(b), values())).toBeObservable('-xy|', { x: 1, y: 2 });
    const merged: StartElement[] = [];
    a.pipe(union(b)).subscribe((e) => {
      if (e instanceof StartElement) merged.push(e);
    });
    m.flush();
    expect(merged).toHaveLength(1);
    expect(merged[0]!.context.bounded).toBe(false);
  }));

  it('completes when every input has completed, and errors when one errors', marbles((m) => {
    const a = m.cold('x|');
    const b = m.cold('--y--|');
    const c = m.cold('-#', undefined, new Error('boom'));
    m.expect(a.pipe(union(b))).toBeObservable('x-y--(M|)', { x: 'x', y: 'y', M: maxWm() });
    m.expect(a.pipe(union(c))).toBeObservable('x#', { x: 'x' }, new Error('boom'));
  }));

  it('stops a synchronous infinite input when downstream takes what it needs', async () => {
    let emitted = 0;
    const infinite = new Observable<number>((s) => {
      while (!s.closed) s.next(emitted++);
    });
    const out = await lastValueFrom(infinite.pipe(union(new Subject<number>()), values(), take(3), toArray()));
    expect(out).toEqual([0, 1, 2]);
    expect(emitted).toBeLessThan(5);
  });
});

describe('union watermark (property)', () => {
  type Ev = { input: number; kind: 'wm'; time: number } | { input: number; kind: 'complete' };

  /** The brute-force model: after every event, the minimum over inputs of the largest watermark seen. */
  function model(n: number, events: Ev[]): number[] {
    const seen = new Array<number>(n).fill(MIN_WATERMARK);
    const done = new Array<boolean>(n).fill(false);
    const out: number[] = [];
    let last = MIN_WATERMARK;
    for (const e of events) {
      if (done[e.input]) continue;
      if (e.kind === 'complete') {
        done[e.input] = true;
        seen[e.input] = MAX_WATERMARK;
      } else {
        seen[e.input] = Math.max(seen[e.input]!, e.time);
      }
      const min = Math.min(...seen);
      if (min > last) {
        out.push(min);
        last = min;
      }
    }
    return out;
  }

  it('equals the minimum over inputs of their largest watermark, emitted only when it advances', () => {
    const n = 3;
    const ev = fc.oneof(
      fc.record({ input: fc.integer({ min: 0, max: n - 1 }), kind: fc.constant('wm' as const), time: fc.integer({ min: -50, max: 50 }) }),
      fc.record({ input: fc.integer({ min: 0, max: n - 1 }), kind: fc.constant('complete' as const) }),
    );
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 40 }), (events) => {
        const subjects = Array.from({ length: n }, () => new Subject<unknown>());
        const out: number[] = [];
        const [first, ...rest] = subjects;
        first!.pipe(union(...rest)).subscribe((e) => {
          if (e instanceof Watermark) out.push(e.time);
        });
        const completed = new Set<number>();
        for (const e of events) {
          if (completed.has(e.input)) continue;
          if (e.kind === 'complete') {
            completed.add(e.input);
            subjects[e.input]!.complete();
          } else subjects[e.input]!.next(new Watermark(e.time));
        }
        expect(out).toEqual(model(n, events));
      }),
      { numRuns: 300 },
    );
  });
});

describe('InputValve', () => {
  it('replays buffered elements in order, including a completion seen during alignment', () => {
    const seen: unknown[] = [];
    const valve = new InputValve(2, {
      element: (i, x) => seen.push(`${i}:${String(x)}`),
      watermark: (w) => seen.push(`W${w.time}`),
      barrier: (b) => seen.push(`B${b.checkpointId}`),
      end: () => seen.push('end'),
    });
    valve.push(0, barrier(1));
    valve.push(0, 'a');
    valve.complete(0);
    valve.push(1, 'b');
    valve.push(1, barrier(1));
    valve.complete(1);
    expect(seen).toEqual(['1:b', 'B1', '0:a', `W${MAX_WATERMARK}`, 'end']);
  });

  it('reports elements overtaken by an unaligned barrier and forwards the barrier at once', () => {
    const overtaken: unknown[] = [];
    const seen: unknown[] = [];
    const valve = new InputValve(2, {
      element: (i, x) => seen.push(`${i}:${String(x)}`),
      watermark: () => {},
      barrier: (b) => seen.push(`B${b.checkpointId}`),
      end: () => {},
      overtaken: (i, x) => overtaken.push(`${i}:${String(x)}`),
    });
    const unaligned = new (barrier(2).constructor as typeof import('../../lib/index').CheckpointBarrier)(2, 0, 'checkpoint', undefined, true);
    valve.push(0, unaligned);
    valve.push(1, 'late');
    valve.push(0, 'fresh');
    valve.push(1, unaligned);
    valve.push(1, 'after');
    expect(seen).toEqual(['B2', '1:late', '0:fresh', '1:after']);
    expect(overtaken).toEqual(['1:late']);
  });

  it('treats an idle status as leaving the minimum and emits ACTIVE when an input comes back', () => {
    const out: unknown[] = [];
    const valve = new InputValve(2, {
      element: () => {},
      watermark: (w) => out.push(w.time),
      status: (s) => out.push(s === WatermarkStatus.IDLE ? 'idle' : 'active'),
      end: () => {},
    });
    valve.push(0, wm(1));
    valve.push(1, idle());
    valve.push(0, idle());
    valve.push(1, active());
    valve.push(1, wm(4));
    expect(out).toEqual([1, 'idle', 'active', 4]);
  });
});
