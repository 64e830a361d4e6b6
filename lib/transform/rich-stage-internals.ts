/**
 * Shared by the fusable stages (`map`, `filter`, `flatMap`): builds the stage, opens and closes a rich
 * function with the subscriber, and gives it keyed state scoped to each record's key.
 * @module
 */
import type { Observable, OperatorFunction } from 'rxjs';
import { type ErrorOrigin, wrapUserError } from '../core/errors';
import { FusedStream, type RecordSink } from '../core/operate-elements';
import { createRuntimeContext, type OperatorOptions, type RichFunction } from '../core/runtime-context';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend';

/**
 * A fusable stateless stage named `kind` (or `options.name`): `body` builds, once per subscription, the
 * record sink in front of `next`. A rich function is opened before the first element with a runtime
 * context whose keyed state follows each record's key, and closed with the subscriber.
 */
export function statelessStage<T, R, K = Key>(
  kind: string,
  options: OperatorOptions | undefined,
  rich: RichFunction | undefined,
  body: (next: RecordSink<unknown>, origin: ErrorOrigin) => RecordSink<unknown>,
): OperatorFunction<StreamElement<T, K>, StreamElement<R, K>> {
  const name = options?.name ?? kind;
  const origin: ErrorOrigin = { operator: name, uid: options?.uid };
  // records keep their key: the stage's output has the input's key type
  return (source): Observable<StreamElement<R, K>> =>
    FusedStream.append<R>(source, {
      name,
      options,
      link(next, lifecycle) {
        const sink = body(next, origin);
        if (rich === undefined) return sink;
        let now = (): number => 0;
        const backend = new HeapKeyedStateBackend(origin, () => now());
        // open and close run inside the consuming operator's subscriber: name this stage in their errors
        lifecycle.onOpen((job) => {
          const ctx = createRuntimeContext(name, options, job, backend);
          now = () => ctx.currentProcessingTime();
          try {
            rich.open?.(ctx);
          } catch (err) {
            throw wrapUserError(origin, err);
          }
        });
        lifecycle.onClose(() => {
          try {
            rich.close?.();
          } catch (err) {
            throw wrapUserError(origin, err);
          }
        });
        return (value, timestamp, key) => {
          backend.setCurrentKey(key);
          backend.cleanupOnRecord();
          sink(value, timestamp, key);
        };
      },
    }) as Observable<StreamElement<R, K>>;
}
