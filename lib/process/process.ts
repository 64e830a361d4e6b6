import type { OperatorFunction } from 'rxjs';
import { operateElements } from '../core/operate-elements';
import type { OutputTag } from '../core/output-tag';
import { createRuntimeContext, type OperatorOptions, type RuntimeContext } from '../core/runtime-context';
import { SideOutput } from '../core/side-output';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord, toElement } from '../core/stream-record';
import { type Collector, type Key, MIN_WATERMARK, type Timestamp } from '../core/types';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend';
import { OperatorStateLifecycle } from '../state/operator-state';
import { nonKeyedTimerService, type ProcessContext, type ProcessFunction } from './process-function';
import { checkMethods, checkOptions } from '../core/validate';

/**
 * Runs a {@link ProcessFunction} on every record: it may emit any number of outputs (with the input's
 * timestamp and key), read the timestamp and the current watermark, and write side outputs.
 *
 * It's like Flink's `DataStream.process(ProcessFunction)`. Timers need a keyed stream: use
 * `keyedProcess`.
 *
 * ```text
 * source:     --a(1)--W(3)--b(4)--|
 * process(f)  --x(1)--W(3)--y(4)--L(b)--|    (f emits x/y; sends b to a side output L)
 * ```
 *
 * @example
 * ```ts
 * const big = new OutputTag<Trade>('big');
 * trades$.pipe(process({
 *   processElement(t, ctx, out) { if (t.qty > 1000) ctx.output(big, t); else out.collect(t) },
 * }))
 * ```
 * @throws InvalidArgumentError (at call time) when `fn` has no `processElement()`.
 * @throws UserFunctionError (as an error notification) when the function throws; NotKeyedError when it
 * registers a timer.
 * @see keyedProcess, Flink's `ProcessFunction`
 */
export function process<I, O, K = Key>(fn: ProcessFunction<I, O, K>, options?: OperatorOptions): OperatorFunction<StreamElement<I, K>, StreamElement<O, K>> {
  const name = options?.name ?? 'process';
  checkOptions('process', options);
  checkMethods({ operator: name, uid: options?.uid }, 'fn', fn, ['processElement'], ['open', 'close']);
  return operateElements<I, StreamElement<O, K>>({ name, options }, (destination, origin) => {
    let watermark: Timestamp = MIN_WATERMARK;
    let timestamp: Timestamp | undefined;
    let key: Key | undefined;
    let runtime: RuntimeContext | undefined;
    let opened = false;
    const timers = nonKeyedTimerService(
      name,
      options?.uid,
      () => watermark,
      () => (runtime ? runtime.currentProcessingTime() : 0),
    );
    const out: Collector<O> = { collect: (v) => destination.next(toElement(v, timestamp, key) as StreamElement<O, K>) };
    const ctx: ProcessContext<K> = {
      timestamp: () => timestamp,
      currentWatermark: () => watermark,
      currentProcessingTime: () => timers.currentProcessingTime(),
      timerService: () => timers,
      output: <X>(tag: OutputTag<X>, value: X) => destination.next(new SideOutput(tag, new StreamRecord(value, timestamp, key))),
      getCurrentKey: () => key as K | undefined,
    };
    const backend = new HeapKeyedStateBackend(origin, () => timers.currentProcessingTime());
    const checkpointing = new OperatorStateLifecycle(origin, [fn], 'process');
    return {
      open(job) {
        runtime = createRuntimeContext(name, options, job, backend);
        checkpointing.open(job, backend);
        opened = true;
        fn.open?.(runtime);
      },
      barrier(b) {
        checkpointing.acknowledge(b, backend);
        destination.next(b);
      },
      record(value, ts, k) {
        timestamp = ts;
        key = k;
        backend.setCurrentKey(k);
        const returned = fn.processElement(value, ctx, out);
        if (returned !== undefined) out.collect(returned);
      },
      watermark(mark) {
        if (mark.time > watermark) watermark = mark.time;
        destination.next(mark);
      },
      close() {
        if (opened) fn.close?.();
      },
      finalize() {
        checkpointing.close();
      },
    };
  });
}
