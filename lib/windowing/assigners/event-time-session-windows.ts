import { InvalidArgumentError } from '../../core/errors';
import type { Timestamp } from '../../core/types';
import { EventTimeTrigger } from '../triggers/event-time-trigger';
import type { Trigger } from '../triggers/trigger';
import { checkPositive, TimeWindow } from '../windows/time-window';
import { mergeSessions, requireTimestamp } from './time-assigner-internals';
import type { MergingWindowAssigner } from './window-assigner';

/** Computes a session gap from an element (a dynamic gap). */
export type SessionGapExtractor<T> = (element: T) => number;

/** Validates a dynamically extracted gap. */
export function checkGap(assigner: string, gap: unknown, element: unknown): number {
  if (typeof gap !== 'number' || !Number.isSafeInteger(gap) || gap <= 0) {
    throw new InvalidArgumentError(
      { operator: assigner },
      'the session gap',
      gap,
      `must be a positive integer number of milliseconds (the gap extractor returned it for element ${JSON.stringify(element) ?? String(element)})`,
    );
  }
  return gap;
}

/**
 * Event-time session windows: each element opens `[t, t + gap)`; windows that overlap merge, so a
 * session ends after `gap` ms without elements. The gap may depend on the element.
 *
 * ```text
 * EventTimeSessionWindows.withGap(5):  a(1) b(4) c(20) → sessions [1,9) holding a,b and [20,25) holding c
 * ```
 *
 * @example
 * ```ts
 * window(EventTimeSessionWindows.withGap(30 * 60_000), { aggregate: windowCount() })
 * window(EventTimeSessionWindows.withDynamicGap((c: Click) => (c.vip ? 60_000 : 10_000)))
 * ```
 * @throws InvalidArgumentError when the gap is not a positive integer (for a dynamic gap, when the element arrives).
 * @see Flink's `EventTimeSessionWindows`
 */
export class EventTimeSessionWindows<T = unknown> implements MergingWindowAssigner<T, TimeWindow> {
  readonly name = 'EventTimeSessionWindows';
  readonly merging = true as const;
  private constructor(private readonly gap: (element: T) => number) {}
  static withGap(gap: number): EventTimeSessionWindows {
    checkPositive('EventTimeSessionWindows.withGap', 'gap', gap);
    return new EventTimeSessionWindows(() => gap);
  }
  static withDynamicGap<T>(extractor: SessionGapExtractor<T>): EventTimeSessionWindows<T> {
    if (typeof extractor !== 'function') {
      throw new InvalidArgumentError({ operator: 'EventTimeSessionWindows.withDynamicGap' }, 'extractor', extractor, 'must be a function (element) => gap in ms');
    }
    return new EventTimeSessionWindows<T>((e) => checkGap('EventTimeSessionWindows', extractor(e), e));
  }
  assignWindows(element: T, timestamp: Timestamp | undefined): TimeWindow[] {
    const t = requireTimestamp(this.name, timestamp, element);
    return [new TimeWindow(t, t + this.gap(element))];
  }
  mergeWindows(windows: readonly TimeWindow[], merge: (toMerge: TimeWindow[], result: TimeWindow) => void): void {
    mergeSessions(windows, merge);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
}
