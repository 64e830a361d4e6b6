/**
 * Shared by the fusable stages (`map`, `filter`, `flatMap`): opens and closes a rich function with the
 * subscriber, and gives it keyed state scoped to each record's key.
 * @module
 */
import type { ErrorOrigin } from '../core/errors';
import type { RecordSink, StageLifecycle } from '../core/operate-elements';
import { createRuntimeContext, type OperatorOptions, type RichFunction } from '../core/runtime-context';
import type { Key } from '../core/types';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend';

/**
 * Wires `rich` into the subscriber's lifecycle and returns a function that scopes keyed state to the
 * record's key before the user function runs (a no-op for plain functions).
 */
export function richLifecycle(
  name: string,
  options: OperatorOptions | undefined,
  origin: ErrorOrigin,
  rich: RichFunction | undefined,
  lifecycle: StageLifecycle,
): ((key: Key | undefined) => void) | undefined {
  if (rich === undefined) return undefined;
  let now = (): number => 0;
  const backend = new HeapKeyedStateBackend(origin, () => now());
  lifecycle.onOpen((job) => {
    const ctx = createRuntimeContext(name, options, job, backend);
    now = () => ctx.currentProcessingTime();
    rich.open?.(ctx);
  });
  lifecycle.onClose(() => rich.close?.());
  return (key) => {
    backend.setCurrentKey(key);
    backend.cleanupOnRecord();
  };
}

export type { RecordSink };
