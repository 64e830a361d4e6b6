import fc from 'fast-check';
import { from, lastValueFrom, of, toArray, type Observable } from 'rxjs';
import {
  CheckpointBarrier,
  coMap,
  connect,
  HeapOperatorStateBackend,
  InvalidArgumentError,
  isCheckpointedFunction,
  Job,
  ListStateDescriptor,
  MapStateDescriptor,
  redistributeOperatorState,
  StartElement,
  StateError,
  values,
  type FunctionInitializationContext,
  type ListState,
  type OperatorSnapshot,
  type OperatorStateSnapshot,
  type RichCoMapFunction,
  type StreamElement,
} from '../../lib/index';
import { operatorStates } from '../helpers/snapshot-parts';
import { defaultStateSerializer } from '../../lib/state/serializer';

const els = <T>(...xs: StreamElement<T>[]): Observable<StreamElement<T>> => from(xs);
const split = (items: unknown[]): OperatorStateSnapshot => ({ states: { s: { mode: 'split', items } } });

describe('HeapOperatorStateBackend', () => {
  it('keeps list, union list and broadcast state, and snapshots copies', () => {
    const b = new HeapOperatorStateBackend({ operator: 'op' });
    const list = b.getListState(new ListStateDescriptor<number>('list'));
    const union = b.getUnionListState(new ListStateDescriptor<string>('union'));
    const bc = b.getBroadcastState(new MapStateDescriptor<string, number>('bc'));
    list.add(1);
    list.addAll([2, 3]);
    union.update(['u']);
    bc.put('a', 1);
    bc.putAll([['b', 2]]);
    const snap = b.snapshot();
    list.clear();
    bc.remove('a');
    expect(snap).toEqual({
      states: { list: { mode: 'split', items: [1, 2, 3] }, union: { mode: 'union', items: ['u'] }, bc: { mode: 'broadcast', items: [['a', 1], ['b', 2]] } },
    });
    expect(list.get()).toEqual([]);
    expect(bc.entries()).toEqual([['b', 2]]);
    expect(b.getRegisteredStateNames()).toEqual(['list', 'union', 'bc']);
    const restored = new HeapOperatorStateBackend({ operator: 'op' });
    restored.restore(snap);
    expect(restored.getListState(new ListStateDescriptor<number>('list')).get()).toEqual([1, 2, 3]);
    expect(restored.getBroadcastState(new MapStateDescriptor<string, number>('bc')).get('a')).toBe(1);
  });

  it('returns a copy from get(), so callers cannot change the state behind its back', () => {
    const b = new HeapOperatorStateBackend({ operator: 'op' });
    const list = b.getListState(new ListStateDescriptor<number>('l'));
    list.add(1);
    list.get().push(99);
    expect(list.get()).toEqual([1]);
  });

  it('refuses a state name re-registered in another mode with StateError', () => {
    const b = new HeapOperatorStateBackend({ operator: 'op', uid: 'u1' });
    b.getListState(new ListStateDescriptor<number>('x'));
    expect(() => b.getUnionListState(new ListStateDescriptor<number>('x'))).toThrow(StateError);
    expect(() => b.getBroadcastState(new MapStateDescriptor<number, number>('x'))).toThrow(
      'op (uid "u1"): operator state "x" is already registered as list state; it cannot be used as broadcast state',
    );
  });

  it('read-only broadcast views refuse every mutator with StateError', () => {
    const b = new HeapOperatorStateBackend({ operator: 'op' });
    const d = new MapStateDescriptor<string, number>('m');
    b.getBroadcastState(d).put('a', 1);
    const ro = b.getReadOnlyBroadcastState(d, 'processElement') as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(ro['get']!('a')).toBe(1);
    for (const m of ['put', 'putAll', 'remove', 'clear']) expect(() => ro[m]!('a', 2)).toThrow(StateError);
    expect(b.getBroadcastState(d).get('a')).toBe(1);
  });
});

describe('redistributeOperatorState', () => {
  it('splits list state into contiguous, even ranges; unions union state; copies broadcast state', () => {
    const olds: OperatorStateSnapshot[] = [
      { states: { s: { mode: 'split', items: [1, 2, 3] }, u: { mode: 'union', items: ['a'] }, b: { mode: 'broadcast', items: [['k', 1]] } } },
      { states: { s: { mode: 'split', items: [4, 5] }, u: { mode: 'union', items: ['b'] }, b: { mode: 'broadcast', items: [['k', 1]] } } },
    ];
    const r = redistributeOperatorState(olds, 3);
    expect(r.map((x) => x.states['s']!.items)).toEqual([[1, 2], [3, 4], [5]]);
    expect(r.map((x) => x.states['u']!.items)).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
    expect(r.map((x) => x.states['b']!.items)).toEqual([[['k', 1]], [['k', 1]], [['k', 1]]]);
  });

  it('keeps every split item exactly once, in order, with sizes differing by at most one (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer(), { maxLength: 20 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 9 }), (parts, p) => {
        const r = redistributeOperatorState(parts.map(split), p);
        const got = r.map((x) => x.states['s']!.items as number[]);
        expect(got.flat()).toEqual(parts.flat());
        const sizes = got.map((g) => g.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(r).toHaveLength(p);
      }),
    );
  });

  it('gives every subtask all union items (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { maxLength: 10 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 7 }), (parts, p) => {
        const r = redistributeOperatorState(parts.map((items) => ({ states: { u: { mode: 'union' as const, items } } })), p);
        for (const x of r) expect(x.states['u']!.items).toEqual(parts.flat());
      }),
    );
  });

  it('refuses a bad parallelism and disagreeing modes', () => {
    expect(() => redistributeOperatorState([split([1])], 0)).toThrow(InvalidArgumentError);
    expect(() => redistributeOperatorState([split([1]), { states: { s: { mode: 'union', items: [] } } }], 1)).toThrow(
      'redistributeOperatorState: operator state "s" is list state in one subtask and union list state in another',
    );
  });
});

describe('CheckpointedFunction hooks', () => {
  type Counter = RichCoMapFunction<number, number, number> & {
    count: number;
    state?: ListState<number>;
    restored?: boolean;
    initializeState(ctx: FunctionInitializationContext): void;
    snapshotState(): void;
  };
  const counter = (): Counter => ({
    count: 0,
    initializeState(ctx) {
      this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('count'));
      this.restored = ctx.isRestored();
      for (const c of this.state.get()) this.count += c;
    },
    snapshotState() {
      this.state!.update([this.count]);
    },
    map1(v) {
      return (this.count += v);
    },
    map2(v) {
      return (this.count += v);
    },
  });

  it('recognises a CheckpointedFunction', () => {
    expect(isCheckpointedFunction(counter())).toBe(true);
    expect(isCheckpointedFunction({ snapshotState() {} })).toBe(false);
  });

  it('calls initializeState before open, snapshotState at the barrier, and restores split state over new subtasks', async () => {
    const calls: string[] = [];
    const handles: OperatorSnapshot[] = [];
    const ack = { acknowledge: (uid: string, h: unknown) => (calls.push(`ack ${uid}`), handles.push(h as OperatorSnapshot)), decline: () => {} };
    const fn = counter();
    const wrapped: Counter = Object.assign(fn, {
      open: () => calls.push(`open restored=${String(fn.restored)}`),
    });
    const b = new CheckpointBarrier(7, 0, 'checkpoint', ack);
    await lastValueFrom(of(1, 2, b).pipe(connect(of(3, b)), coMap(wrapped, { uid: 'c' }), toArray()));
    expect(calls).toEqual(['open restored=false', 'ack c']);
    expect(operatorStates(handles[0])).toEqual({ count: { mode: 'split', items: [6] } });
    // two former subtasks' handles restored onto one subtask: both counts arrive
    const start = new StartElement(new Job().context(true, new Map([['c', [handles[0]!, { parts: true, operator: [[defaultStateSerializer.serialize(['count', 0]), defaultStateSerializer.serialize({ mode: 'split', items: [10] })]] }]]])));
    const restored = counter();
    const out = await lastValueFrom(els<number>(start, 1).pipe(connect(els<number>(start)), coMap(restored, { uid: 'c' }), values(), toArray()));
    expect(restored.restored).toBe(true);
    expect(out).toEqual([17]);
  });

  it('does not acknowledge without a uid, and finds no restored state without one', async () => {
    const acks: string[] = [];
    const b = new CheckpointBarrier(1, 0, 'checkpoint', { acknowledge: (u) => acks.push(u), decline: () => {} });
    const fn = counter();
    const out = await lastValueFrom(els<number>(b).pipe(connect(els<number>(b)), coMap(fn), toArray()));
    expect(acks).toEqual([]);
    expect(fn.restored).toBe(false);
    expect(out).toContain(b);
  });
});
