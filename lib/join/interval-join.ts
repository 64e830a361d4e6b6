import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import { invalidTimestamp, isTimestamp } from '../core/check-timestamp';
import { type ErrorOrigin, InvalidArgumentError, NotKeyedError } from '../core/errors';
import { InputValve } from '../core/input-valve';
import type { MetricGroup } from '../core/metrics';
import { subscribeInput } from '../core/operate-elements';
import type { OutputTag } from '../core/output-tag';
import { createRuntimeContext, type OperatorOptions, type RichFunction, type RuntimeContext } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StartElement } from '../core/start-element';
import { ElementKind, elementKind, type StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { type Collector, type Key, MIN_WATERMARK, type Timestamp } from '../core/types';
import { mapKey } from '../keyed/key-group';
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
        runtime = createRuntimeContext(name, options, start?.context);
        metrics = runtime.metrics;
        metrics.counter(NUM_LATE_LEFT);
        metrics.counter(NUM_LATE_RIGHT);
        metrics.gauge(JOIN_BUFFER_SIZE, () => buffered);
        rich?.open?.(runtime);
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
      const cleanup = (side: Side, mk: unknown, time: Timestamp): void => {
        // due at the last time an element could still match; remove that element
        const ts = side === 'left' ? (upper <= 0 ? time : time - upper) : lower <= 0 ? time + lower : time;
        const byKey = buffers[side];
        const entries = byKey.get(mk);
        const list = entries?.get(ts);
        if (entries === undefined || list === undefined) return;
        buffered -= list.length;
        entries.delete(ts);
        if (entries.size === 0) byKey.delete(mk);
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
        const relativeUpper = side === 'left' ? upper : -lower;
        const cleanupTime = relativeUpper > 0 ? ts + relativeUpper : ts;
        schedule(side, mk, cleanupTime);
      };

      const valve = new InputValve(2, {
        element: (i, el) => {
          if (elementKind(el) === ElementKind.SideOutput) destination.next(el);
          else onRecord(i === 0 ? 'left' : 'right', el);
        },
        watermark: (mark) => {
          if (runtime === undefined) open(undefined);
          watermark = mark.time;
          cleanUpTo('left', mark.time);
          cleanUpTo('right', mark.time);
          destination.next(mark);
        },
        status: (s) => destination.next(s),
        barrier: (b) => destination.next(b),
        start: (s) => {
          open(s);
          destination.next(s);
        },
        end: () => {
          closeRich();
          destination.complete();
        },
      });
      subscribeInput(source, destination, { next: (x) => valve.push(0, x), error: (e) => destination.error(e), complete: () => valve.complete(0) }, origin);
      if (!destination.closed) {
        subscribeInput(other, destination, { next: (x) => valve.push(1, x), error: (e) => destination.error(e), complete: () => valve.complete(1) }, origin);
      }
      return () => {
        closeRich();
      };
    });
}
