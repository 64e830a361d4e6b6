import type { OutputTag } from './output-tag';
import { ElementKind, isElementOf, StreamElementBase } from './stream-element';
import type { StreamRecord } from './stream-record';

/**
 * A record sent to a side output: operators pass it through untouched; `sideOutput(tag)` selects it.
 *
 * @example
 * ```ts
 * new SideOutput(lateTag, new StreamRecord(click, 42))
 * ```
 */
export class SideOutput<T> extends StreamElementBase {
  readonly kind = ElementKind.SideOutput;
  /** True for SideOutput elements made by any copy of tidemark (see `StreamElementBase`). */
  static override [Symbol.hasInstance](x: unknown): x is SideOutput<unknown> {
    return isElementOf(this, SideOutput, ElementKind.SideOutput, x);
  }
  constructor(
    readonly tag: OutputTag<T>,
    readonly record: StreamRecord<T>,
  ) {
    super();
  }
}
