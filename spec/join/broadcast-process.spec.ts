import { from, lastValueFrom, of, Subject, toArray, type Observable } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  broadcast,
  broadcastProcess,
  BroadcastConnectedStreams,
  BroadcastStream,
  CheckpointBarrier,
  connect,
  InvalidArgumentError,
  Job,
  MapStateDescriptor,
  OutputTag,
  PartitionedStream,
  StartElement,
  StateError,
  StreamRecord,
  values,
  type BroadcastProcessFunction,
  type BroadcastState,
  type OperatorSnapshot,
  type StreamElement,
} from '../../lib/index';
import { maxWm, rec, side, wm } from '../../lib/testing/index';
import { operatorStates } from '../helpers/snapshot-parts';

const els = <T>(...xs: StreamElement<T>[]): Observable<StreamElement<T>> => from(xs);
const limitDesc = new MapStateDescriptor<string, number>('limit');

const overLimit: BroadcastProcessFunction<number, number, number> = {
  processBroadcastElement: (limit, ctx) => ctx.getBroadcastState(limitDesc).put('limit', limit),
  processElement: (v, ctx, out) => {
    const l = ctx.getBroadcastState(limitDesc).get('limit');
    if (l !== undefined && v > l) out.collect(v);
  },
};

describe('broadcast', () => {
  it('passes the elements unchanged and carries its descriptors', marbles((m) => {
    const rules = m.cold('a-W|', { a: rec(1, 1), W: wm(5) });
    const b = broadcast<number>(limitDesc)(rules as never);
    expect(b).toBeInstanceOf(BroadcastStream);
    expect(b.descriptors).toEqual([limitDesc]);
    m.expect(b).toBeObservable('a-W|', { a: rec(1, 1), W: wm(5) });
  }));

  it('makes connect return BroadcastConnectedStreams', () => {
    expect(of(1).pipe(connect(of(2).pipe(broadcast(limitDesc))))).toBeInstanceOf(BroadcastConnectedStreams);
  });

  it('refuses a descriptor that is not a MapStateDescriptor; without descriptors it is the broadcast partitioner', () => {
    expect(broadcast()(of(1))).toBeInstanceOf(PartitionedStream);
    expect(() => broadcast({ name: 'x' } as never)).toThrow(InvalidArgumentError);
  });
});

describe('broadcastProcess', () => {
  it('lets the broadcast side write the state the other side reads', marbles((m) => {
    // a(5) arrives before any limit: nothing to compare with
    const readings = m.cold('----a----b--|', { a: rec(5, 1), b: rec(9, 3) });
    const limits = m.cold('--L----------|', { L: rec(7, 2) });
    m.expect(readings.pipe(connect(limits.pipe(broadcast(limitDesc))), broadcastProcess(overLimit))).toBeObservable('---------b---(M|)', {
      b: rec(9, 3),
      M: maxWm(),
    });
  }));

  it('applies a later rule to later records only', async () => {
    const readings = new Subject<number>();
    const limits = new Subject<number>();
    const result = lastValueFrom(readings.pipe(connect(limits.pipe(broadcast(limitDesc))), broadcastProcess(overLimit), values(), toArray()));
    readings.next(5);
    limits.next(3);
    readings.next(4);
    readings.next(2);
    limits.next(10);
    readings.next(8);
    readings.next(11);
    readings.complete();
    limits.complete();
    expect(await result).toEqual([4, 11]);
  });

  it('sends side outputs from both sides, with timestamps', async () => {
    const log = new OutputTag<string>('log');
    const fn: BroadcastProcessFunction<number, number, number> = {
      processBroadcastElement: (l, ctx) => ctx.output(log, `limit ${l} at ${ctx.timestamp()}`),
      processElement: (v, ctx, out) => {
        ctx.output(log, `value ${v}`);
        out.collect(v);
      },
    };
    const out = await lastValueFrom(of(rec(1, 10)).pipe(connect(of(rec(2, 20)).pipe(broadcast(limitDesc))), broadcastProcess(fn), toArray()));
    expect(out.slice(0, 3)).toEqual([side(log, 'value 1', 10), rec(1, 10), side(log, 'limit 2 at 20', 20)]);
  });

  it('refuses writes to broadcast state from the non-broadcast side with StateError', async () => {
    const fn: BroadcastProcessFunction<number, number, number> = {
      processBroadcastElement: () => {},
      processElement: (v, ctx) => (ctx.getBroadcastState(limitDesc) as BroadcastState<string, number>).put('limit', v),
    };
    const err = await lastValueFrom(of(1).pipe(connect(of(2).pipe(broadcast(limitDesc))), broadcastProcess(fn, { uid: 'bp' }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toBe(
      'broadcastProcess (uid "bp"): broadcast state "limit" is read-only in processElement: only processBroadcastElement may change it, so that every parallel instance holds the same state',
    );
  });

  it('refuses a descriptor that was not declared in broadcast(...) with StateError', async () => {
    const fn: BroadcastProcessFunction<number, number, number> = {
      processBroadcastElement: (v, ctx) => ctx.getBroadcastState(new MapStateDescriptor<string, number>('other')).put('x', v),
      processElement: () => {},
    };
    const err = await lastValueFrom(of(1).pipe(connect(of(2).pipe(broadcast(limitDesc))), broadcastProcess(fn))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toBe('broadcastProcess: broadcast state "other" was not declared: pass its MapStateDescriptor to broadcast(...) (declared: "limit")');
  });

  it('refuses a source that is not connected to a broadcast stream, at pipe time', () => {
    expect(() => els<number>(1).pipe(connect(els<number>(2)), broadcastProcess(overLimit))).toThrow(InvalidArgumentError);
    expect(() => els<number>(1).pipe(connect(els<number>(2)), broadcastProcess(overLimit))).toThrow(
      'broadcastProcess: source must be a stream connected to a broadcast stream: apply connect(other.pipe(broadcast(descriptor))) right before it, got "ConnectedStreams"',
    );
    expect(() => broadcastProcess({ processElement: () => {} } as never)).toThrow('broadcastProcess: fn must be an object with processElement() and processBroadcastElement()');
  });

  it('snapshots broadcast state at a barrier and restores a copy on every subtask', async () => {
    const handles: OperatorSnapshot[] = [];
    const acknowledger = { acknowledge: (_uid: string, h: unknown) => handles.push(h as OperatorSnapshot), decline: () => {} };
    const b = new CheckpointBarrier(1, 0, 'checkpoint', acknowledger);
    await lastValueFrom(els<number>(b).pipe(connect(els<number>(rec(6, 1), b).pipe(broadcast(limitDesc))), broadcastProcess(overLimit, { uid: 'bp' }), toArray()));
    expect(handles).toHaveLength(1);
    expect(operatorStates(handles[0])).toEqual({ limit: { mode: 'broadcast', items: [['limit', 6]] } });
    for (let subtask = 0; subtask < 3; subtask++) {
      const start = new StartElement(new Job({ parallelism: 3, subtaskIndex: subtask }).context(true, new Map([['bp', handles[0]!]])));
      const out = await lastValueFrom(
        els<number>(start, 5, 7).pipe(connect(els<number>(start).pipe(broadcast(limitDesc))), broadcastProcess(overLimit, { uid: 'bp' }), values(), toArray()),
      );
      expect(out).toEqual([7]);
    }
  });

  it('keeps the output timestamp of the record and no key for broadcast-side outputs', async () => {
    const fn: BroadcastProcessFunction<string, string, string> = {
      processBroadcastElement: (v, _ctx, out) => out.collect(`rule ${v}`),
      processElement: (v, _ctx, out) => out.collect(v),
    };
    const out = await lastValueFrom(of(rec('a', 1, 'k')).pipe(connect(of(rec('r', 2, 'ignored')).pipe(broadcast(limitDesc))), broadcastProcess(fn), toArray()));
    expect(out.filter((e) => e instanceof StreamRecord)).toEqual([rec('a', 1, 'k'), rec('rule r', 2)]);
  });
});
