import type { Observable, OperatorFunction } from 'rxjs';
import { type ErrorOrigin, InvalidArgumentError, StateError } from '../core/errors';
import type { OutputTag } from '../core/output-tag';
import type { OperatorOptions, RichFunction } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord, toElement } from '../core/stream-record';
import type { Collector, Key, Timestamp } from '../core/types';
import type { MapStateDescriptor } from '../state/descriptors/map-state-descriptor';
import type { BroadcastState, HeapOperatorStateBackend, ReadOnlyBroadcastState } from '../state/operator-state';
import { coOperator } from './co-operator-internals';
import { checkMethods } from '../core/validate';
import { BroadcastConnectedStreams } from './connect';
import type { TaggedValue } from './tagged-union-internals';

/** What the non-broadcast side of a {@link BroadcastProcessFunction} receives besides the value. */
export interface BroadcastReadOnlyContext {
  /** The record's event timestamp, or `undefined`. */
  timestamp(): Timestamp | undefined;
  currentWatermark(): Timestamp;
  currentProcessingTime(): Timestamp;
  /** Emits to a side output with the current timestamp. */
  output<X>(tag: OutputTag<X>, value: X): void;
  /** The broadcast state, read-only: its mutators (present at run time only) throw `StateError`. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** What the broadcast side of a {@link BroadcastProcessFunction} receives besides the value. */
export interface BroadcastContext extends Omit<BroadcastReadOnlyContext, 'getBroadcastState'> {
  /** The broadcast state, read-write. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/**
 * Processes a non-keyed stream connected to a broadcast stream (Flink's `BroadcastProcessFunction`):
 * `processBroadcastElement` may change the broadcast state; `processElement` may only read it. It may
 * also implement `CheckpointedFunction`.
 */
export interface BroadcastProcessFunction<L, R, O> extends RichFunction {
  processElement(value: L, ctx: BroadcastReadOnlyContext, out: Collector<O>): void;
  processBroadcastElement(value: R, ctx: BroadcastContext, out: Collector<O>): void;
}

/** Per-subscription access to the declared broadcast states. @internal */
export class BroadcastStates {
  private readonly byName: Map<string, MapStateDescriptor<unknown, unknown>>;
  private readonly readOnly = new Map<string, ReadOnlyBroadcastState<unknown, unknown>>();
  private readonly writable = new Map<string, BroadcastState<unknown, unknown>>();
  private lastRead: MapStateDescriptor<unknown, unknown> | undefined = undefined;
  private lastReadState: ReadOnlyBroadcastState<unknown, unknown> | undefined = undefined;

  constructor(
    private readonly origin: ErrorOrigin,
    private readonly backend: HeapOperatorStateBackend,
    descriptors: readonly MapStateDescriptor<unknown, unknown>[],
    private readonly reader: string,
  ) {
    this.byName = new Map(descriptors.map((d) => [d.name, d]));
  }

  private check(d: MapStateDescriptor<unknown, unknown>): void {
    if (d === null || typeof d !== 'object' || !this.byName.has(d.name)) {
      const declared = [...this.byName.keys()].map((n) => JSON.stringify(n)).join(', ');
      throw new StateError(
        this.origin,
        `broadcast state ${JSON.stringify((d as { name?: unknown } | null)?.name)} was not declared: pass its MapStateDescriptor to broadcast(...) (declared: ${declared})`,
      );
    }
  }

  write<K, V>(d: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    let s = this.writable.get(d?.name);
    if (s === undefined) {
      this.check(d as MapStateDescriptor<unknown, unknown>);
      s = this.backend.getBroadcastState(d as MapStateDescriptor<unknown, unknown>);
      this.writable.set(d.name, s);
    }
    return s as BroadcastState<K, V>;
  }

  read<K, V>(d: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    // the same descriptor asked again (the common case: once per record): no lookup by name
    if (d === this.lastRead && d !== undefined) return this.lastReadState as ReadOnlyBroadcastState<K, V>;
    let s = this.readOnly.get(d?.name);
    if (s === undefined) {
      this.check(d as MapStateDescriptor<unknown, unknown>);
      s = this.backend.getReadOnlyBroadcastState(d as MapStateDescriptor<unknown, unknown>, this.reader);
      this.readOnly.set(d.name, s);
    }
    this.lastRead = d as MapStateDescriptor<unknown, unknown>;
    this.lastReadState = s;
    return s as ReadOnlyBroadcastState<K, V>;
  }
}

/** The descriptors of a broadcast-connected source, or a typed error. @internal */
export function broadcastSource(origin: ErrorOrigin, source: Observable<unknown>): BroadcastConnectedStreams<unknown, unknown> {
  if (!(source instanceof BroadcastConnectedStreams)) {
    throw new InvalidArgumentError(origin, 'source', source?.constructor?.name, 'must be a stream connected to a broadcast stream: apply connect(other.pipe(broadcast(descriptor))) right before it');
  }
  return source as BroadcastConnectedStreams<unknown, unknown>;
}

/**
 * Runs a {@link BroadcastProcessFunction} over a non-keyed stream connected to a broadcast stream. Every
 * broadcast record reaches `processBroadcastElement`, which may change the broadcast state (one map per
 * descriptor given to `broadcast`); every other record reaches `processElement`, which reads it. The two
 * inputs are not ordered with each other beyond arrival order: records that arrive before the first rule
 * see empty state (buffer them in operator state if that matters).
 *
 * It's like Flink's `dataStream.connect(broadcastStream).process(BroadcastProcessFunction)`. The
 * broadcast state is operator state: it is part of every snapshot and is restored as a copy on every
 * subtask.
 *
 * ```text
 * processBroadcastElement stores the limit; processElement emits values over it
 * readings:  ----a----b--|      a = 5 at 1 (before any limit: nothing to compare with), b = 9 at 3
 * limits:    --L----------|     L = 7 at 2 (broadcast)
 * output:    ---------b---(M|)
 * ```
 *
 * @example
 * ```ts
 * const limitDesc = new MapStateDescriptor<string, number>('limit');
 * readings$.pipe(connect(limits$.pipe(broadcast(limitDesc))), broadcastProcess<Reading, number, Reading>({
 *   processBroadcastElement(limit, ctx) { ctx.getBroadcastState(limitDesc).put('limit', limit) },
 *   processElement(r, ctx, out) { const l = ctx.getBroadcastState(limitDesc).get('limit'); if (l !== undefined && r.value > l) out.collect(r) },
 * }))
 * ```
 * @throws InvalidArgumentError when `fn` lacks a method, or (at pipe time) when the source is not
 * `connect(broadcastStream)`; StateError (as an error notification) when `processElement` writes broadcast
 * state or a descriptor was not declared in `broadcast(...)`; UserFunctionError when the function throws.
 * @see broadcast, keyedBroadcastProcess, connect, Flink's `BroadcastProcessFunction`
 */
export function broadcastProcess<L, R, O>(
  fn: BroadcastProcessFunction<L, R, O>,
  options?: OperatorOptions,
): OperatorFunction<StreamElement<TaggedValue<L, R>>, StreamElement<O>> {
  const name = options?.name ?? 'broadcastProcess';
  const origin = { operator: name, uid: options?.uid };
  checkMethods(origin, 'fn', fn, ['processElement', 'processBroadcastElement'], ['open', 'close']);
  return (source) => {
    const { descriptors } = broadcastSource(origin, source);
    return coOperator<L, R, O>({
      name,
      kind: 'broadcastProcess',
      options,
      fns: [fn],
      keyedState: false,
      timers: false,
      broadcast: true,
      build: ({ destination, operatorState, origin: o, watermark, processingTime }) => {
        let timestamp: Timestamp | undefined;
        let key: Key | undefined;
        const states = new BroadcastStates(o, operatorState, descriptors, 'processElement');
        const output = <X>(tag: OutputTag<X>, value: X): void => destination.next(new SideOutput(tag, new StreamRecord(value, timestamp, key)));
        const readCtx: BroadcastReadOnlyContext = {
          timestamp: () => timestamp,
          currentWatermark: watermark,
          currentProcessingTime: processingTime,
          output,
          getBroadcastState: (d) => states.read(d),
        };
        const writeCtx: BroadcastContext = { ...readCtx, getBroadcastState: (d) => states.write(d) };
        const out: Collector<O> = { collect: (v) => destination.next(toElement(v, timestamp, key)) };
        return {
          first: (v, ts, k) => {
            timestamp = ts;
            key = k;
            fn.processElement(v, readCtx, out);
          },
          second: (v, ts) => {
            timestamp = ts;
            key = undefined;
            fn.processBroadcastElement(v, writeCtx, out);
          },
        };
      },
    })(source);
  };
}
