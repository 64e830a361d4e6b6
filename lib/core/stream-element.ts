import type { CheckpointBarrier } from './checkpoint-barrier';
import type { SideOutput } from './side-output';
import type { StartElement } from './start-element';
import type { StreamRecord } from './stream-record';
import type { Watermark } from './watermark';
import type { Key } from './types';
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
 * The identity every element class inherits from. It holds nothing (never add members: another copy of
 * tidemark, possibly another version, may be the one that defined it).
 */
abstract class ElementIdentity {
  abstract readonly kind: ElementKind;
}

/**
 * The one element base class of the process. The first copy of tidemark to load registers its base under
 * a `Symbol.for` key on `globalThis`; every later copy (the CommonJS build next to the ESM build, a second
 * bundle, another version) extends that same class. So `x instanceof StreamElementBase` (the dispatch
 * every operator does per element, as cheap as before) holds for elements made by any copy, where a
 * base of its own per copy would take them for plain values. When `globalThis` is frozen, this copy keeps
 * a base of its own.
 */
function sharedElementBase(): typeof ElementIdentity {
  const registry = globalThis as unknown as Record<symbol, unknown>;
  const found = registry[ELEMENT_BASE];
  if (typeof found === 'function') return found as typeof ElementIdentity;
  try {
    Object.defineProperty(registry, ELEMENT_BASE, { value: ElementIdentity });
  } catch {
    // a frozen global object (a locked-down realm): elements of other copies stay foreign
  }
  return ElementIdentity;
}

/** The `globalThis` key of the shared element base; versioned by the element protocol, not the package. */
const ELEMENT_BASE = Symbol.for('tidemark.StreamElementBase@1');

/**
 * Base class of every tidemark stream element. A value that is not an instance of it is a plain record
 * without a timestamp or key. It is one class per process, shared by every copy of tidemark, so elements
 * made by the CommonJS build are elements for the ESM build too (see the errors section of docs/concepts.md).
 */
export const StreamElementBase: typeof ElementIdentity = sharedElementBase();
/** Base type of every tidemark stream element. */
export type StreamElementBase = ElementIdentity;

/**
 * The kind of a tidemark element (from any copy of tidemark), or `undefined` for a plain value: one
 * `instanceof` and one field read.
 *
 * @example
 * ```ts
 * elementKind(new StreamRecord('a', 1)) // ElementKind.Record
 * elementKind({ user: 'ann' })          // undefined: a plain value
 * ```
 */
export function elementKind(x: unknown): ElementKind | undefined {
  return x instanceof StreamElementBase ? x.kind : undefined;
}

/**
 * `x instanceof cls` for the element class `cls` of kind `kind`: true for elements of that kind made by
 * any copy of tidemark. A user's subclass of an element class keeps JavaScript's ordinary `instanceof`.
 * The element classes' `static [Symbol.hasInstance]` call it.
 */
export function isElementOf(cls: unknown, own: unknown, kind: ElementKind, x: unknown): boolean {
  if (cls !== own) return Function.prototype[Symbol.hasInstance].call(cls, x);
  return x instanceof StreamElementBase && x.kind === kind;
}

/** Any control element (everything that is not a record). */
export type ControlElement = Watermark | WatermarkStatus | CheckpointBarrier | SideOutput<unknown> | StartElement;

/**
 * What flows through a tidemark stream: plain values (records without timestamp or key), records, and
 * control elements. `K` is the key type: what `keyBy`'s selector returns (any {@link Key} on a stream
 * that is not keyed), so keyed operators hand their functions a typed key.
 *
 * @example
 * ```ts
 * import { of, type Observable } from 'rxjs';
 * import type { StreamElement } from 'tidemark';
 *
 * const s: Observable<StreamElement<number>> = of(1, 2, 3); // plain values are records
 * ```
 */
export type StreamElement<T, K = Key> = T | StreamRecord<T, K> | ControlElement;

/**
 * True when `x` is a tidemark element object (record or control element, from any copy of tidemark),
 * false for a plain value.
 *
 * @example
 * ```ts
 * isElement(new Watermark(9)) // true
 * isElement(42)               // false
 * ```
 */
export function isElement(x: unknown): x is StreamElementBase {
  return x instanceof StreamElementBase;
}
