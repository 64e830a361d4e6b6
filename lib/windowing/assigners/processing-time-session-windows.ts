import { InvalidArgumentError } from '../../core/errors';
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger';
import type { Trigger } from '../triggers/trigger';
import { checkPositive, TimeWindow } from '../windows/time-window';
import { checkGap, type SessionGapExtractor } from './event-time-session-windows';
import { mergeSessions } from './time-assigner-internals';
import type { MergingWindowAssigner, WindowAssignerContext } from './window-assigner';

/**
 * Processing-time session windows: a session ends after `gap` ms of the scheduler's clock without
 * elements.
 *
 * ```text
 * ProcessingTimeSessionWindows.withGap(5):  a at frame 1, b at 4, c at 20 → [a,b] fires at frame 8, [c] at 24
 * ```
 *
 * @example
 * ```ts
 * window(ProcessingTimeSessionWindows.withGap(60_000), { aggregate: windowCount() })
 * ```
 * @throws InvalidArgumentError when the gap is not a positive integer.
 * @see Flink's `ProcessingTimeSessionWindows`
 */
export class ProcessingTimeSessionWindows<T = unknown> implements MergingWindowAssigner<T, TimeWindow> {
  readonly name = 'ProcessingTimeSessionWindows';
  readonly merging = true as const;
  private constructor(private readonly gap: (element: T) => number) {}
  static withGap(gap: number): ProcessingTimeSessionWindows {
    checkPositive('ProcessingTimeSessionWindows.withGap', 'gap', gap);
    return new ProcessingTimeSessionWindows(() => gap);
  }
  static withDynamicGap<T>(extractor: SessionGapExtractor<T>): ProcessingTimeSessionWindows<T> {
    if (typeof extractor !== 'function') {
      throw new InvalidArgumentError({ operator: 'ProcessingTimeSessionWindows.withDynamicGap' }, 'extractor', extractor, 'must be a function (element) => gap in ms');
    }
    return new ProcessingTimeSessionWindows<T>((e) => checkGap('ProcessingTimeSessionWindows', extractor(e), e));
  }
  assignWindows(element: T, _ts: number | undefined, ctx: WindowAssignerContext): TimeWindow[] {
    const now = ctx.currentProcessingTime();
    return [new TimeWindow(now, now + this.gap(element))];
  }
  mergeWindows(windows: readonly TimeWindow[], merge: (toMerge: TimeWindow[], result: TimeWindow) => void): void {
    mergeSessions(windows, merge);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
}
