import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import type { OperatorSnapshot, RestoredParts } from '../checkpoint/checkpoint-coordinator';
import { TOMBSTONE } from '../checkpoint/checkpoint-storage';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { invalidTimestamp, isTimestamp } from '../core/check-timestamp';
import { CheckpointError, type ErrorOrigin, InvalidArgumentError, NotKeyedError } from '../core/errors';
import { IN_FLIGHT_FIELD, InFlightRecords, InputValve } from '../core/input-valve';
import type { MetricGroup } from '../core/metrics';
import { subscribeInput } from '../core/operate-elements';
import type { OutputTag } from '../core/output-tag';
import { createRuntimeContext, type OperatorOptions, type RichFunction, type RuntimeContext } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { JobContext, StartElement } from '../core/start-element';
import { ElementKind, elementKind, type StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { type Collector, type Key, MIN_WATERMARK, type Timestamp } from '../core/types';
import { keyGroupOf, mapKey, subtaskForKeyGroup } from '../keyed/key-group';
import { defaultStateSerializer } from '../state/serializer';
import { MinHeap } from '../time/timer-heap';
import { checkObject, checkObservable, checkOptions, checkOutputTag } from '../core/validate';

/** What a {@link ProcessJoinFunction} receives besides the pair. */
export interface ProcessJoinContext {
  /** The left element's timestamp. */
  getLeftTimestamp(): Timestamp;
  /** The right element's timestamp. */
  getRightTimestamp(): Timestamp;
  /** The result's timestamp: the larger of the two. */
  getTimestamp(): Timestamp;
  /** The join key. */
  getCurrentKey(): Key;
  /** Emits to a side output with the result's timestamp and the key. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** A process join function object, with an optional lifecycle. */
export interface RichProcessJoinFunction<L, R, O> extends RichFunction {
  /** Collects any number of results into `out`, or returns one (a returned value other than `undefined` is emitted). */
  processElement(left: L, right: R, ctx: ProcessJoinContext, out: Collector<O>): O | undefined | void;
}

/**
 * Handles each joined pair (Flink's `ProcessJoinFunction`): collects any number of results into `out`, or
 * returns one (a returned value other than `undefined` is emitted; returning lets TypeScript infer the
 * output type).
 * @example `(left, right, ctx) => ({ ...left, ...right, at: ctx.getTimestamp() })`
 */
export type ProcessJoinFunction<L, R, O> = ((left: L, right: R, ctx: ProcessJoinContext, out: Collector<O>) => O | undefined | void) | RichProcessJoinFunction<L, R, O>;

/** Options of {@link intervalJoin}. */
export interface IntervalJoinOptions<L, R, O> extends OperatorOptions {
  /** `[lower, upper]` in ms: a left element at `t` matches right elements in `[t + lower, t + upper]`. */
  between: readonly [number, number];
  /** Makes the lower bound exclusive (default inclusive). */
  lowerExclusive?: boolean;
  /** Makes the upper bound exclusive (default inclusive). */
  upperExclusive?: boolean;
  process: ProcessJoinFunction<L, R, O>;
  /** Where left elements already behind the watermark on arrival go (they are counted either way). */
  leftLateOutput?: OutputTag<L>;
  /** Where right elements already behind the watermark on arrival go (they are counted either way). */
  rightLateOutput?: OutputTag<R>;
}

/** Counter: left elements behind the watermark on arrival. */
export const NUM_LATE_LEFT = 'numLateLeftRecords';
/** Counter: right elements behind the watermark on arrival. */
export const NUM_LATE_RIGHT = 'numLateRightRecords';
/** Gauge: elements buffered by the join (both sides). */
export const JOIN_BUFFER_SIZE = 'joinBufferSize';

type Side = 'left' | 'right';
const byTime = (a: Timestamp, b: Timestamp): number => a - b;
type Buffer = Map<unknown, Map<Timestamp, unknown[]>>;

/** Operator-state field: the watermark the join had reached (late elements are judged against it). */
const WATERMARK_FIELD = 'watermark';

/**
 * The checkpoint side of an interval join: registers the uid, restores this subtask's key groups (both
 * buffers of each key; the cleanup timers follow from the buffered timestamps), and acknowledges each
 * barrier with one keyed entry per key (both sides' buffers), only the keys changed since the previous
 * checkpoint when the barrier is not full. With unaligned barriers, the records the barrier overtook are
 * added to the snapshot and replayed on restore before any new record. @internal
 */
class IntervalJoinCheckpoints {
  private unregister: (() => void) | undefined;
  uid: string | undefined;
  private maxParallelism = 128;
  /** Map keys changed since the last snapshot; undefined while not checkpointing. */
  changed: Set<unknown> | undefined;
  /** Unaligned: the snapshot taken at the barrier, acknowledged once the overtaken records are in. */
  private held: { barrier: CheckpointBarrier; keyed: Map<number, Array<[string, string]>>; watermark: number; inflight: InFlightRecords; syncMillis: number } | undefined;

  constructor(private readonly origin: ErrorOrigin) {}

  /** Registers (when the job checkpoints) and returns the restored parts for this uid, if any. */
  open(job: JobContext | undefined): RestoredParts | undefined {
    const coordinator = job?.checkpoints;
    const uid = this.origin.uid;
    if (coordinator !== undefined) {
      if (uid === undefined) {
        throw new CheckpointError(this.origin, `job "${job!.jobName}" checkpoints, so this stateful operator needs a uid to store its state under: add { uid: '...' } to its options`);
      }
      this.unregister = coordinator.register(uid);
      this.uid = uid;
      this.changed = new Set();
    }
    this.maxParallelism = job?.maxParallelism ?? 128;
    const found = uid === undefined ? undefined : job?.restoredState?.get(uid);
    if (found === undefined) return undefined;
    if (typeof found !== 'object' || found === null || (found as RestoredParts).parts !== true) {
      throw new CheckpointError(this.origin, `the state restored under uid "${uid}" was not written by an interval join; give this operator another uid`);
    }
    return found as RestoredParts;
  }

  /** Whether key group `g` belongs to this subtask. */
  owner(job: JobContext | undefined): (g: number) => boolean {
    const parallelism = job?.parallelism ?? 1;
    const index = job?.subtaskIndex ?? 0;
    const maxParallelism = this.maxParallelism;
    return (g) => subtaskForKeyGroup(g, maxParallelism, parallelism) === index;
  }

  /** Keyed parts: one field per key, the serialized key; value `[leftEntries, rightEntries]` or a tombstone. */
  parts(keys: Iterable<unknown>, entryOf: (mk: unknown) => [Key, unknown] | undefined, keyOf: (mk: unknown) => Key): Map<number, Array<[string, string]>> {
    const groups = new Map<number, Array<[string, string]>>();
    for (const mk of keys) {
      const e = entryOf(mk);
      const key = e === undefined ? keyOf(mk) : e[0];
      const g = keyGroupOf(key, this.maxParallelism);
      let list = groups.get(g);
      if (list === undefined) groups.set(g, (list = []));
      list.push([defaultStateSerializer.serialize(key), e === undefined ? TOMBSTONE : defaultStateSerializer.serialize(e[1])]);
    }
    return groups;
  }

  /** Acknowledges now (aligned), or holds the snapshot until the overtaken records are in (unaligned). */
  snapshot(barrier: CheckpointBarrier, keyed: Map<number, Array<[string, string]>>, watermark: number, unaligned: boolean, syncMillis: number): void {
    if (this.uid === undefined || barrier.acknowledger === undefined) return;
    if (unaligned) {
      this.held = { barrier, keyed, watermark, inflight: new InFlightRecords(), syncMillis };
      return;
    }
    this.ack(barrier, keyed, watermark, undefined, syncMillis);
  }

  /** An element the held unaligned barrier overtook. */
  overtaken(input: number, element: unknown, barrier: CheckpointBarrier): void {
    if (this.held?.barrier === barrier) this.held.inflight.add(input, element);
  }

  /** Every input delivered the unaligned barrier: acknowledge with the overtaken records. */
  unalignedDone(barrier: CheckpointBarrier): void {
    const h = this.held;
    if (h === undefined || h.barrier !== barrier) return;
    this.held = undefined;
    this.ack(barrier, h.keyed, h.watermark, h.inflight, h.syncMillis);
  }

  private ack(barrier: CheckpointBarrier, keyed: Map<number, Array<[string, string]>>, watermark: number, inflight: InFlightRecords | undefined, syncMillis: number): void {
    const operator: Array<[string, string]> = [[WATERMARK_FIELD, defaultStateSerializer.serialize(watermark)]];
    if (inflight !== undefined) operator.push(inflight.part());
    const snapshot: OperatorSnapshot = { parts: true, keyed, operator, incremental: !barrier.full, syncMillis };
    barrier.acknowledger!.acknowledge(this.uid!, snapshot);
  }

  close(): void {
    this.unregister?.();
    this.unregister = undefined;
    this.held = undefined;
  }
}

/**
 * Joins two keyed streams in event time: a left element at `t` is joined with every right element of the
 * same key whose timestamp lies in `[t + lower, t + upper]` (bounds inclusive unless made exclusive;
 * negative bounds allowed). Each pair goes to `process`; its results carry the larger of the two
 * timestamps. Buffered elements are removed as soon as the watermark passes their last possible match,
 * so state stays bounded. Elements already behind the watermark on arrival are counted and can go to a
 * side output.
 *
 * It's like Flink's `a.keyBy(...).intervalJoin(b.keyBy(...)).between(lower, upper).process(...)`. The
 * output watermark is the minimum of both inputs; checkpoint barriers are aligned.
 *
 * ```text
 * between: [-2, 1], both keyed by k
 * left:   a(5)              W(10)
 * right:     x(3) y(6) z(7)  W(10)
 * output:    (a,x)(5) (a,y)(6)     W(10)      (z at 7 > 5 + 1 does not match)
 * ```
 *
 * @example
 * ```ts
 * impressions$.pipe(keyBy((i) => i.adId), intervalJoin(clicks$.pipe(keyBy((c) => c.adId)), {
 *   between: [0, 60_000],
 *   process: (imp, click, ctx, out) => out.collect({ adId: imp.adId, delay: click.ts - imp.ts }),
 * }))
 * ```
 * @throws InvalidArgumentError when the lower bound is greater than the upper bound (after applying
 * exclusivity), or the bounds are not finite; NotKeyedError (as an error notification) when an input is
 * not keyed; InvalidTimestampError when a record has no timestamp (or an invalid one).
 * @see windowJoin, Flink's `IntervalJoinOperator`
 */
export function intervalJoin<L, R, O>(
  other: Observable<StreamElement<R>>,
  options: IntervalJoinOptions<L, R, O>,
): OperatorFunction<StreamElement<L>, StreamElement<O>> {
  checkObject({ operator: 'intervalJoin' }, 'options', options, '{ between: [lowerMs, upperMs], process }');
  checkOptions('intervalJoin', options);
  const name = options.name ?? 'intervalJoin';
  const origin: ErrorOrigin = { operator: name, uid: options.uid };
  checkObservable(origin, 'other', other);
  for (const tag of ['leftLateOutput', 'rightLateOutput'] as const) if (options[tag] !== undefined) checkOutputTag(origin, tag, options[tag]);
  const between = options.between;
  if (!Array.isArray(between) || between.length !== 2 || !between.every((b) => typeof b === 'number' && Number.isFinite(b))) {
    throw new InvalidArgumentError(origin, 'between', between, 'must be [lowerMs, upperMs], two finite numbers');
  }
  const lower = between[0] + (options.lowerExclusive === true ? 1 : 0);
  const upper = between[1] - (options.upperExclusive === true ? 1 : 0);
  if (lower > upper) {
    throw new InvalidArgumentError(
      origin,
      'between',
      between,
      `needs lower <= upper${options.lowerExclusive === true || options.upperExclusive === true ? ' after applying the exclusive bounds' : ''}`,
    );
  }
  const fn = options.process;
  if (fn === undefined || (typeof fn !== 'function' && typeof fn.processElement !== 'function')) {
    throw new InvalidArgumentError(origin, 'process', fn, 'must be a function (left, right, ctx, out) => void or { processElement }');
  }
  const call = typeof fn === 'function' ? fn : (l: L, r: R, c: ProcessJoinContext, o: Collector<O>) => fn.processElement(l, r, c, o);
  // the function may return its one result instead of collecting it
  const processPair = (l: L, r: R, c: ProcessJoinContext, o: Collector<O>): void => {
    const returned = call(l, r, c, o);
    if (returned !== undefined) o.collect(returned);
  };
  const rich = typeof fn === 'function' ? undefined : fn;

  return (source) =>
    new Observable<StreamElement<O>>((subscriber) => {
      const destination = subscriber as Subscriber<unknown>;
      const buffers: Record<Side, Buffer> = { left: new Map(), right: new Map() };
      let buffered = 0;
      let runtime: RuntimeContext | undefined;
      let metrics: MetricGroup | undefined;
      // cleanup: per side, the map keys due at each time, and a heap of those times (no per-key timer:
      // a cleanup that finds nothing, for a time already cleaned, does nothing)
      const due: Record<Side, Map<Timestamp, unknown[]>> = { left: new Map(), right: new Map() };
      const dueTimes: Record<Side, MinHeap<Timestamp>> = { left: new MinHeap(byTime), right: new MinHeap(byTime) };
      let watermark: Timestamp = MIN_WATERMARK;
      // checkpoints: the original keys of array keys (map form → key), and what changed since the last one
      const arrayKeys = new Map<unknown, Key>();
      const checkpoints = new IntervalJoinCheckpoints(origin);
      let job: JobContext | undefined;
      // the pair being processed
      let leftTs = 0;
      let rightTs = 0;
      let resultTs = 0;
      let currentKey: Key = '';
      const ctx: ProcessJoinContext = {
        getLeftTimestamp: () => leftTs,
        getRightTimestamp: () => rightTs,
        getTimestamp: () => resultTs,
        getCurrentKey: () => currentKey,
        output: <X>(tag: OutputTag<X>, value: X) => destination.next(new SideOutput(tag, new StreamRecord(value, resultTs, currentKey))),
      };
      const out: Collector<O> = { collect: (v) => destination.next(new StreamRecord(v, resultTs, currentKey)) };

      const open = (start: StartElement | undefined): void => {
        if (runtime !== undefined) return;
        job = start?.context;
        runtime = createRuntimeContext(name, options, job);
        metrics = runtime.metrics;
        metrics.counter(NUM_LATE_LEFT);
        metrics.counter(NUM_LATE_RIGHT);
        metrics.gauge(JOIN_BUFFER_SIZE, () => buffered);
        const restored = checkpoints.open(job);
        rich?.open?.(runtime);
        if (restored !== undefined) restore(restored);
      };

      /** Restores this subtask's keys (and their cleanup times), the watermark, then replays the overtaken records. */
      const restore = (parts: RestoredParts): void => {
        const owned = checkpoints.owner(job);
        for (const [g, entries] of parts.keyed) {
          if (!owned(g)) continue;
          for (const [field, value] of entries) {
            const key = defaultStateSerializer.deserialize(field) as Key;
            const mk = typeof key === 'object' ? mapKey(key) : key;
            if (typeof key === 'object') arrayKeys.set(mk, key);
            const sides = defaultStateSerializer.deserialize(value) as [Array<[Timestamp, unknown[]]>, Array<[Timestamp, unknown[]]>];
            if (!Array.isArray(sides) || sides.length !== 2) {
              throw new CheckpointError(origin, `the state restored under uid "${origin.uid}" has a malformed entry for key ${field}: the snapshot is corrupt or another operator's`);
            }
            (['left', 'right'] as const).forEach((side, i) => {
              if (sides[i]!.length === 0) return;
              const entries = new Map<Timestamp, unknown[]>();
              buffers[side].set(mk, entries);
              for (const [ts, list] of sides[i]!) {
                entries.set(ts, list.slice());
                buffered += list.length;
                schedule(side, mk, cleanupTimeOf(side, ts));
              }
            });
          }
        }
        const w = parts.operator.get(WATERMARK_FIELD);
        if (w !== undefined) watermark = Math.max(watermark, defaultStateSerializer.deserialize(w) as number);
        for (const [input, r] of InFlightRecords.restore(parts.operator.get(IN_FLIGHT_FIELD))) onRecord(input === 0 ? 'left' : 'right', r);
      };

      /** One key's entry in a snapshot: its key and both sides' buffers, or undefined when it has none. */
      const entryOf = (mk: unknown): [Key, unknown] | undefined => {
        const l = buffers.left.get(mk);
        const r = buffers.right.get(mk);
        if (l === undefined && r === undefined) return undefined;
        return [keyOf(mk), [l === undefined ? [] : [...l], r === undefined ? [] : [...r]]];
      };
      const keyOf = (mk: unknown): Key => (typeof mk === 'string' ? (arrayKeys.get(mk) ?? mk) : (mk as Key));

      const onBarrier = (b: CheckpointBarrier, unaligned: boolean): void => {
        if (checkpoints.uid !== undefined && b.acknowledger !== undefined) {
          const clock = job?.scheduler;
          const start = clock?.now() ?? 0;
          let keys: Iterable<unknown>;
          if (b.full) {
            const all = new Set<unknown>(buffers.left.keys());
            for (const mk of buffers.right.keys()) all.add(mk);
            keys = all;
          } else keys = checkpoints.changed!;
          const keyed = checkpoints.parts(keys, entryOf, keyOf);
          checkpoints.changed = new Set();
          checkpoints.snapshot(b, keyed, watermark, unaligned, (clock?.now() ?? 0) - start);
        }
        destination.next(b);
      };

      let closed = false;
      const closeRich = (): void => {
        if (runtime === undefined || closed) return;
        closed = true;
        rich?.close?.();
      };

      const schedule = (side: Side, mk: unknown, time: Timestamp): void => {
        const bucket = due[side].get(time);
        if (bucket !== undefined) bucket.push(mk);
        else {
          due[side].set(time, [mk]);
          dueTimes[side].push(time);
        }
      };
      /** Removes the elements whose last possible match is at or before `watermark`. */
      const cleanUpTo = (side: Side, watermark: Timestamp): void => {
        const times = dueTimes[side];
        while (times.size > 0 && times.peek()! <= watermark) {
          const time = times.pop()!;
          const keys = due[side].get(time)!;
          due[side].delete(time);
          for (let i = 0; i < keys.length; i++) cleanup(side, keys[i], time);
        }
      };
      /** When an element of `side` at `ts` can no longer match (the watermark passed its last partner). */
      const cleanupTimeOf = (side: Side, ts: Timestamp): Timestamp => {
        const relativeUpper = side === 'left' ? upper : -lower;
        return relativeUpper > 0 ? ts + relativeUpper : ts;
      };
      const cleanup = (side: Side, mk: unknown, time: Timestamp): void => {
        // due at the last time an element could still match; remove that element
        const ts = side === 'left' ? (upper <= 0 ? time : time - upper) : lower <= 0 ? time + lower : time;
        const byKey = buffers[side];
        const entries = byKey.get(mk);
        const list = entries?.get(ts);
        if (entries === undefined || list === undefined) return;
        buffered -= list.length;
        entries.delete(ts);
        checkpoints.changed?.add(mk);
        if (entries.size === 0) {
          byKey.delete(mk);
          if (arrayKeys.size > 0 && !buffers[side === 'left' ? 'right' : 'left'].has(mk)) arrayKeys.delete(mk);
        }
      };

      const onRecord = (side: Side, element: unknown): void => {
        let value: unknown;
        let ts: Timestamp | undefined;
        let key: Key | undefined;
        if (elementKind(element) === ElementKind.Record) {
          const r = element as StreamRecord<unknown>;
          value = r.value;
          ts = r.timestamp;
          key = r.key;
        } else {
          value = element;
        }
        if (key === undefined) throw new NotKeyedError(origin, `the ${side} input of ${name}`);
        if (!isTimestamp(ts)) {
          throw ts === undefined
            ? invalidTimestamp(origin, value, 'an interval join needs records with timestamps: apply assignWatermarks upstream')
            : invalidTimestamp(origin, ts, undefined);
        }
        if (runtime === undefined) open(undefined);
        if (watermark !== MIN_WATERMARK && ts < watermark) {
          metrics!.counter(side === 'left' ? NUM_LATE_LEFT : NUM_LATE_RIGHT).inc();
          const tag = side === 'left' ? options.leftLateOutput : options.rightLateOutput;
          if (tag !== undefined) destination.next(new SideOutput(tag as OutputTag<unknown>, new StreamRecord(value, ts, key)));
          return;
        }
        const mk = typeof key === 'object' ? mapKey(key) : key;
        if (typeof key === 'object') arrayKeys.set(mk, key);
        checkpoints.changed?.add(mk);
        // add to our buffer
        const ours = buffers[side];
        let entries = ours.get(mk);
        if (entries === undefined) ours.set(mk, (entries = new Map()));
        const list = entries.get(ts);
        if (list === undefined) entries.set(ts, [value]);
        else list.push(value);
        buffered++;
        // join with the other side: for a left element at t, right in [t + lower, t + upper];
        // for a right element at t, left in [t - upper, t - lower]
        const lo = side === 'left' ? ts + lower : ts - upper;
        const hi = side === 'left' ? ts + upper : ts - lower;
        const theirs = buffers[side === 'left' ? 'right' : 'left'].get(mk);
        currentKey = key;
        if (theirs !== undefined) {
          for (const [otherTs, others] of theirs) {
            if (otherTs < lo || otherTs > hi) continue;
            for (const o of others) {
              if (side === 'left') {
                leftTs = ts;
                rightTs = otherTs;
                resultTs = Math.max(ts, otherTs);
                processPair(value as L, o as R, ctx, out);
              } else {
                leftTs = otherTs;
                rightTs = ts;
                resultTs = Math.max(ts, otherTs);
                processPair(o as L, value as R, ctx, out);
              }
            }
          }
        }
        // clean up once no future element of the other side can match
        schedule(side, mk, cleanupTimeOf(side, ts));
      };

      const valve = new InputValve(2, {
        element: (i, el) => {
          if (elementKind(el) === ElementKind.SideOutput) destination.next(el);
          else onRecord(i === 0 ? 'left' : 'right', el);
        },
        watermark: (mark) => {
          if (runtime === undefined) open(undefined);
          if (mark.time > watermark) watermark = mark.time;
          cleanUpTo('left', mark.time);
          cleanUpTo('right', mark.time);
          destination.next(mark);
        },
        status: (s) => destination.next(s),
        barrier: (b) => {
          if (runtime === undefined) open(undefined);
          onBarrier(b, b.unaligned);
        },
        overtaken: (i, el, b) => checkpoints.overtaken(i, el, b),
        unalignedDone: (b) => checkpoints.unalignedDone(b),
        start: (s) => {
          open(s);
          destination.next(s);
        },
        end: () => {
          closeRich();
          destination.complete();
        },
      }, { name });
      subscribeInput(source, destination, { next: (x) => valve.push(0, x), error: (e) => destination.error(e), complete: () => valve.complete(0) }, origin);
      if (!destination.closed) {
        subscribeInput(other, destination, { next: (x) => valve.push(1, x), error: (e) => destination.error(e), complete: () => valve.complete(1) }, origin);
      }
      return () => {
        closeRich();
        checkpoints.close();
      };
    });
}
