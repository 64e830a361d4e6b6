import type { Timestamp } from '../../core/types';
import type { Window } from '../windows/window';

/**
 * What a trigger decides: keep going, fire the window (emit its result), purge its contents, or both.
 * @see Flink's `TriggerResult`
 */
export const TriggerResult = {
  CONTINUE: 'CONTINUE',
  FIRE: 'FIRE',
  PURGE: 'PURGE',
  FIRE_AND_PURGE: 'FIRE_AND_PURGE',
} as const;
/** One of {@link TriggerResult}'s values. */
export type TriggerResult = (typeof TriggerResult)[keyof typeof TriggerResult];

/** True when the result fires the window. */
export function isFire(r: TriggerResult): boolean {
  return r === 'FIRE' || r === 'FIRE_AND_PURGE';
}
/** True when the result purges the window's contents. */
export function isPurge(r: TriggerResult): boolean {
  return r === 'PURGE' || r === 'FIRE_AND_PURGE';
}

/** Names a piece of trigger state, scoped to the current key and window; `merge` combines it when windows merge. */
export interface TriggerStateDescriptor<S> {
  readonly name: string;
  readonly merge?: (a: S, b: S) => S;
}

/** A value of trigger state for the current key and window. */
export interface TriggerState<S> {
  get(): S | undefined;
  set(value: S): void;
  clear(): void;
}

/** What a trigger can do: read time, set timers for the current key and window, and keep state. */
export interface TriggerContext {
  currentProcessingTime(): Timestamp;
  currentWatermark(): Timestamp;
  registerEventTimeTimer(time: Timestamp): void;
  registerProcessingTimeTimer(time: Timestamp): void;
  deleteEventTimeTimer(time: Timestamp): void;
  deleteProcessingTimeTimer(time: Timestamp): void;
  getPartitionedState<S>(descriptor: TriggerStateDescriptor<S>): TriggerState<S>;
}

/** The context of `onMerge`: also merges the merged windows' state into the result window. */
export interface OnMergeContext extends TriggerContext {
  mergePartitionedState<S>(descriptor: TriggerStateDescriptor<S>): void;
}

/**
 * Decides when a window fires and when its contents are purged. Each callback returns a
 * {@link TriggerResult}; timers registered through the context call back `onEventTime` /
 * `onProcessingTime`.
 *
 * @example
 * ```ts
 * // fire every 100 elements, and at the end of the window
 * const trigger: Trigger<Click, TimeWindow> = {
 *   onElement: (_e, _ts, w, ctx) => {
 *     ctx.registerEventTimeTimer(w.maxTimestamp());
 *     const n = ctx.getPartitionedState<number>({ name: 'n' });
 *     n.set((n.get() ?? 0) + 1);
 *     return n.get()! % 100 === 0 ? TriggerResult.FIRE : TriggerResult.CONTINUE;
 *   },
 *   onEventTime: (t, w) => (t === w.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE),
 *   onProcessingTime: () => TriggerResult.CONTINUE,
 *   clear: (w, ctx) => { ctx.deleteEventTimeTimer(w.maxTimestamp()); ctx.getPartitionedState({ name: 'n' }).clear() },
 * };
 * ```
 * @see Flink's `Trigger`
 */
export interface Trigger<T, W extends Window> {
  onElement(element: T, timestamp: Timestamp | undefined, window: W, ctx: TriggerContext): TriggerResult;
  onEventTime(time: Timestamp, window: W, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: Timestamp, window: W, ctx: TriggerContext): TriggerResult;
  /** True when the trigger supports merging windows (sessions). */
  canMerge?(): boolean;
  onMerge?(window: W, ctx: OnMergeContext): void;
  /** Removes the trigger's timers and state for the window (called when the window is cleaned up). */
  clear(window: W, ctx: TriggerContext): void;
  /** A name for error messages. */
  readonly name?: string;
}
