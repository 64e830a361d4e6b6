/**
 * `tidemark`: Apache Flink's DataStream semantics as pipeable RxJS operators. The browser-safe core.
 * @packageDocumentation
 */

/* Elements */
export { CheckpointBarrier, type BarrierAcknowledger } from './core/checkpoint-barrier';
export { OutputTag } from './core/output-tag';
export { SideOutput } from './core/side-output';
export { StartElement, effectiveMode, type JobContext } from './core/start-element';
export { ElementKind, StreamElementBase, isElement, type ControlElement, type StreamElement } from './core/stream-element';
export { StreamRecord, toElement } from './core/stream-record';
export { MAX_WATERMARK, MIN_WATERMARK, type Collector, type ExecutionMode, type Key, type KeyPrimitive, type Timestamp } from './core/types';
export { Watermark } from './core/watermark';
export { WatermarkStatus } from './core/watermark-status';

/* Errors */
export {
  InvalidArgumentError,
  InvalidKeyError,
  InvalidTimestampError,
  NotKeyedError,
  SourceError,
  StateError,
  TidemarkError,
  UserFunctionError,
  type ErrorOrigin,
} from './core/errors';

/* Jobs, runtime contexts, metrics and the operator helper */
export { Job, type JobOptions } from './core/job';
export { Counter, MetricGroup } from './core/metrics';
export { FusedStream, operateElements, type ElementHandlers, type OperatorSpec, type RecordSink, type Stage } from './core/operate-elements';
export { createRuntimeContext, type OperatorOptions, type RichFunction, type RuntimeContext } from './core/runtime-context';

/* Stateless transformations */
export { filter, type FilterFunction, type RichFilterFunction } from './transform/filter';
export { flatMap, type FlatMapFunction, type RichFlatMapFunction } from './transform/flat-map';
export { map, type MapFunction, type RichMapFunction } from './transform/map';
export { sideOutput } from './transform/side-output';
export { values } from './transform/values';

/* Sources */

/* Time and watermarks */
export {
  InternalTimerService,
  type InternalTimer,
  type InternalTimerServiceOptions,
  type TimeDomain,
  type TimerService,
  type TimerSnapshot,
} from './time/timer-service';

/* Keyed streams and rolling aggregations */
export { keyBy, type KeyByOptions } from './keyed/key-by';
export { keyGroupOf, serializeKey, subtaskForKeyGroup, type KeySerializer } from './keyed/key-group';

/* State */

/* Windows */

/* Process functions */
export { process } from './process/process';
export type { ProcessContext, ProcessFunction } from './process/process-function';

/* Multiple streams and joins */

/* Partitioning */

/* Sinks */

/* Checkpoints */
