import type { CheckpointBarrier } from './checkpoint-barrier';
import type { SideOutput } from './side-output';
import type { StartElement } from './start-element';
import type { StreamRecord } from './stream-record';
import type { Watermark } from './watermark';
import type { WatermarkStatus } from './watermark-status';

/** Numeric tags of the element classes; one `instanceof` plus a switch dispatches any element. */
export enum ElementKind {
  Record = 0,
  Watermark = 1,
  WatermarkStatus = 2,
  Barrier = 3,
  SideOutput = 4,
  Start = 5,
}

/**
 * Base class of every tidemark stream element. A value that is not an instance of it is a plain record
 * without a timestamp or key.
 */
export abstract class StreamElementBase {
  abstract readonly kind: ElementKind;
}

/** Any control element (everything that is not a record). */
export type ControlElement = Watermark | WatermarkStatus | CheckpointBarrier | SideOutput<unknown> | StartElement;

/**
 * What flows through a tidemark stream: plain values (records without timestamp or key), records, and
 * control elements.
 *
 * @example
 * ```ts
 * const s: Observable<StreamElement<number>> = of(1, 2, 3); // plain values are records
 * ```
 */
export type StreamElement<T> = T | StreamRecord<T> | ControlElement;

/** True when `x` is a tidemark element object (record or control element), false for a plain value. */
export function isElement(x: unknown): x is StreamElementBase {
  return x instanceof StreamElementBase;
}
