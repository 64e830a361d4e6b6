import type { OperatorFunction } from 'rxjs';
import { operateElements } from '../core/operate-elements';
import type { OutputTag } from '../core/output-tag';
import type { StreamElement } from '../core/stream-element';
import { checkOutputTag } from '../core/validate';

const ignore = (): void => {};

/**
 * Selects one side output: emits the records sent to `tag` (with their timestamps and keys) and the
 * stream's watermarks; drops the main records and other side outputs. Branch with `share()` so the
 * source is subscribed once.
 *
 * It's like Flink's `getSideOutput(tag)`.
 *
 * ```text
 * source:             --a--L(x)--W(5)--|      (L = side output to tag "late")
 * sideOutput(late)    -----x-----W(5)--|
 * ```
 *
 * @example
 * ```ts
 * const late = new OutputTag<Click>('late');
 * const windowed$ = clicks$.pipe(keyBy((c) => c.url), tumblingEventWindow(1000, { lateOutput: late }), share());
 * windowed$.pipe(sideOutput(late), values()).subscribe(reportLate);
 * ```
 * @see values, OutputTag
 * @throws InvalidArgumentError (at call time) when `tag` is not an OutputTag.
 */
export function sideOutput<T>(tag: OutputTag<T>): OperatorFunction<StreamElement<unknown>, StreamElement<T>> {
  checkOutputTag({ operator: 'sideOutput' }, 'tag', tag);
  return operateElements<unknown, StreamElement<T>>({ name: 'sideOutput' }, (destination) => ({
    record: ignore,
    sideOutput: (el) => {
      if (el.tag.id === tag.id) destination.next(el.record as StreamElement<T>);
    },
    barrier: ignore,
  }));
}
