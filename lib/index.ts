/**
 * `tidemark`: Apache Flink's DataStream semantics as pipeable RxJS operators. The browser-safe core.
 * @packageDocumentation
 */

/* Elements */
export { CheckpointBarrier, type BarrierAcknowledger } from './core/checkpoint-barrier';
export { OutputTag } from './core/output-tag';
export { SideOutput } from './core/side-output';
export { StartElement, effectiveMode, type JobContext } from './core/start-element';
export { ElementKind, elementKind, StreamElementBase, isElement, type ControlElement, type StreamElement } from './core/stream-element';
export { StreamRecord, toElement } from './core/stream-record';
export { checkTimestamp, isTimestamp } from './core/check-timestamp';
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
  CheckpointError,
  ParallelismError,
  PartitionerError,
  NonRestoredStateError,
  StorageUnavailableError,
  SinkError,
  UnparsableRecordError,
  TidemarkError,
  UserFunctionError,
  type ErrorOrigin,
} from './core/errors';

/* Jobs, runtime contexts, metrics and the operator helper */
export { Job, type JobOptions, type SavepointRestore } from './core/job';
export { Counter, MetricGroup } from './core/metrics';
export {
  FusedStream,
  operateElements,
  subscribeInput,
  type ElementHandlers,
  type InputObserver,
  type OperatorSpec,
  type RecordSink,
  type Stage,
  type StageLifecycle,
} from './core/operate-elements';
export { createRuntimeContext, type OperatorOptions, type RichFunction, type RuntimeContext } from './core/runtime-context';

/* Stateless transformations */
export { filter, type FilterFunction, type RichFilterFunction } from './transform/filter';
export { flatMap, type FlatMapFunction, type RichFlatMapFunction } from './transform/flat-map';
export { map, type MapFunction, type RichMapFunction } from './transform/map';
export { sideOutput } from './transform/side-output';
export { values } from './transform/values';

/* Sources */
export { fromCollection, type FromCollectionOptions } from './sources/from-collection';
export { fromElements } from './sources/from-elements';
export { deadLetterTag, type DeadLetter } from './sources/dead-letter';
export {
  fromEventSource,
  LAST_EVENT_ID_PARAM,
  LIVE_FEED_EVENTS,
  type EventSourceConstructor,
  type EventSourceLike,
  type EventSourceMessage,
  type FetchLike,
  type FromEventSourceOptions,
} from './sources/from-event-source';

/* Time and watermarks */
export { assignWatermarks, type AssignWatermarksOptions } from './time/assign-watermarks';
export { BoundedOutOfOrdernessWatermarks } from './time/generators/bounded-out-of-orderness';
export { AscendingTimestampsWatermarks } from './time/generators/monotonous-timestamps';
export { NoWatermarksGenerator } from './time/generators/no-watermarks';
export { WatermarksWithIdleness } from './time/generators/with-idleness';
export { PerEventWatermarks } from './time/generators/per-event-emit';
export type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkGeneratorContext,
  WatermarkGeneratorSupplier,
  WatermarkOutput,
} from './time/watermark-generator';
export { WatermarkStrategy } from './time/watermark-strategy';
export { WatermarkOutputMultiplexer } from './time/watermark-output-multiplexer';
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
export { max } from './keyed/max';
export { maxBy } from './keyed/max-by';
export { min } from './keyed/min';
export { minBy } from './keyed/min-by';
export { reduce, type ReduceFunction } from './keyed/reduce';
export type { FieldRef, RollingAggregateOptions } from './keyed/rolling-aggregate-internals';
export { sum } from './keyed/sum';

/* State */
export { AggregatingStateDescriptor, type AggregatingState } from './state/descriptors/aggregating-state-descriptor';
export { ListStateDescriptor, type ListState } from './state/descriptors/list-state-descriptor';
export { MapStateDescriptor, type MapState } from './state/descriptors/map-state-descriptor';
export { ReducingStateDescriptor, type ReducingState } from './state/descriptors/reducing-state-descriptor';
export { StateDescriptor, type StateKind } from './state/descriptors/state-descriptor';
export { ValueStateDescriptor, type ValueState } from './state/descriptors/value-state-descriptor';
export { HeapKeyedStateBackend, type KeyedStateChanges, type KeyedStateSnapshot, type KeyGroupChanges, type StateSnapshotEntry } from './state/heap/heap-keyed-state-backend';
export type { KeyedStateStore } from './state/keyed-state-store';
export { defaultStateSerializer, type TypeSerializer } from './state/serializer';
export { StateTtlConfig, StateTtlConfigBuilder, type TtlStateVisibility, type TtlUpdateType } from './state/ttl';
export {
  HeapOperatorStateBackend,
  isCheckpointedFunction,
  redistributeOperatorState,
  type BroadcastState,
  type CheckpointedFunction,
  type FunctionInitializationContext,
  type FunctionSnapshotContext,
  type OperatorStateMode,
  type OperatorStateSnapshot,
  type OperatorStateStore,
  type ReadOnlyBroadcastState,
} from './state/operator-state';

/* Windows */
export { EventTimeSessionWindows, type SessionGapExtractor } from './windowing/assigners/event-time-session-windows';
export { GlobalWindows } from './windowing/assigners/global-windows';
export { ProcessingTimeSessionWindows } from './windowing/assigners/processing-time-session-windows';
export { SlidingEventTimeWindows } from './windowing/assigners/sliding-event-time-windows';
export { SlidingProcessingTimeWindows } from './windowing/assigners/sliding-processing-time-windows';
export { TumblingEventTimeWindows } from './windowing/assigners/tumbling-event-time-windows';
export { TumblingProcessingTimeWindows } from './windowing/assigners/tumbling-processing-time-windows';
export type { MergingWindowAssigner, WindowAssigner, WindowAssignerContext } from './windowing/assigners/window-assigner';
export { countWindow, type CountWindowShort } from './windowing/count-window';
export { CountEvictor } from './windowing/evictors/count-evictor';
export { DeltaEvictor } from './windowing/evictors/delta-evictor';
export type { Evictor, EvictorContext, TimestampedValue } from './windowing/evictors/evictor';
export { TimeEvictor } from './windowing/evictors/time-evictor';
export { windowCount, windowMax, windowMaxBy, windowMin, windowMinBy, windowSum } from './windowing/functions/built-in-aggregates';
export type {
  AggregateFunction,
  ProcessWindowContext,
  ProcessWindowFunction,
  RichProcessWindowFunction,
  WindowFunction,
  WindowReduceFunction,
  WindowStateStore,
  WindowValueState,
} from './windowing/functions/window-functions';
export { globalWindow } from './windowing/global-window';
export { MergingWindowSet } from './windowing/merging-window-set';
export { sessionEventWindow } from './windowing/session-event-window';
export { sessionProcessingWindow } from './windowing/session-processing-window';
export { slidingEventWindow } from './windowing/sliding-event-window';
export { slidingProcessingWindow } from './windowing/sliding-processing-window';
export { ContinuousEventTimeTrigger } from './windowing/triggers/continuous-event-time-trigger';
export { ContinuousProcessingTimeTrigger } from './windowing/triggers/continuous-processing-time-trigger';
export { CountTrigger } from './windowing/triggers/count-trigger';
export { DeltaTrigger, type DeltaFunction } from './windowing/triggers/delta-trigger';
export { EndOfStreamTrigger } from './windowing/triggers/end-of-stream-trigger';
export { EventTimeTrigger } from './windowing/triggers/event-time-trigger';
export { NeverTrigger } from './windowing/triggers/never-trigger';
export { ProcessingTimeTrigger } from './windowing/triggers/processing-time-trigger';
export { PurgingTrigger } from './windowing/triggers/purging-trigger';
export {
  TriggerResult,
  type OnMergeContext,
  type Trigger,
  type TriggerContext,
  type TriggerState,
  type TriggerStateDescriptor,
} from './windowing/triggers/trigger';
export { tumblingEventWindow, type TimeWindowOptions } from './windowing/tumbling-event-window';
export { tumblingProcessingWindow } from './windowing/tumbling-processing-window';
export { window } from './windowing/window';
export { windowAll } from './windowing/window-all';
export {
  KEY_ENTRIES,
  KEYS_WITH_STATE,
  NUM_LATE_RECORDS,
  NUM_LATE_RECORDS_DROPPED,
  WINDOW_STATE_SIZE,
  windowStateSize,
  type WindowOptions,
} from './windowing/window-operator-internals';
export type {
  WindowBaseOptions,
  WindowKeyOf,
  WindowOperatorArgs,
  WindowOperatorSignatures,
  WindowOutput,
} from './windowing/window-signatures';
export { WindowedValue } from './windowing/functions/windowed-value';
export { GlobalWindow } from './windowing/windows/global-window';
export { floorMod, MAX_SLIDING_WINDOWS_PER_ELEMENT, TimeWindow } from './windowing/windows/time-window';
export type { Window } from './windowing/windows/window';

/* Process functions */
export { EVENT_TIME_TIMERS, KEYED_STATE_ENTRIES, keyedProcess, PROCESSING_TIME_TIMERS } from './process/keyed-process';
export type { KeyedProcessContext, KeyedProcessFunction, OnTimerContext } from './process/keyed-process-function';
export { process } from './process/process';
export type { ProcessContext, ProcessFunction } from './process/process-function';

/* Multiple streams and joins */
export { InputValve, type InputValveHandlers } from './core/input-valve';
export { union, type ElementOf } from './join/union';
export { coGroup, type CoGroupFunction, type CoGroupOptions } from './join/co-group';
export {
  intervalJoin,
  JOIN_BUFFER_SIZE,
  NUM_LATE_LEFT,
  NUM_LATE_RIGHT,
  type IntervalJoinOptions,
  type ProcessJoinContext,
  type ProcessJoinFunction,
  type RichProcessJoinFunction,
} from './join/interval-join';
export { TaggedValue, type TwoStreamWindowOptions } from './join/tagged-union-internals';
export { windowJoin, type WindowJoinOptions } from './join/window-join';
export { broadcast, BroadcastStream } from './join/broadcast';
export { broadcastProcess, type BroadcastContext, type BroadcastProcessFunction, type BroadcastReadOnlyContext } from './join/broadcast-process';
export { coFlatMap, type CoFlatMapSide, type RichCoFlatMapFunction } from './join/co-flat-map';
export { coMap, type RichCoMapFunction } from './join/co-map';
export { coProcess, type CoOnTimerContext, type CoProcessContext, type CoProcessFunction } from './join/co-process';
export { BroadcastConnectedStreams, connect, ConnectedStreams } from './join/connect';
export {
  keyedBroadcastProcess,
  type KeyedBroadcastContext,
  type KeyedBroadcastOnTimerContext,
  type KeyedBroadcastProcessFunction,
  type KeyedBroadcastReadOnlyContext,
} from './join/keyed-broadcast-process';

/* Partitioning */

/* Sinks */
export { collectSink } from './sinks/collect-sink';
export type { SinkContext } from './sinks/sink-operator-internals';
export { sinkTo, type SinkDefinition, type SinkFunction, type SinkToOptions } from './sinks/sink-to';
export { TwoPhaseCommitSink, type TwoPhaseCommitSinkContext, type TwoPhaseCommitSinkOptions } from './sinks/two-phase-commit-sink';
export { MemoryCheckpointCommitter, WriteAheadSink, type CheckpointCommitter, type WriteAheadSinkOptions } from './sinks/write-ahead-sink';

/* Checkpoints */
export {
  CHECKPOINT_FORMAT,
  OPERATOR_STATE,
  TOMBSTONE,
  type CheckpointMetadata,
  type CheckpointStorage,
  type OperatorStateHandles,
  type StateHandle,
  type StatePart,
} from './checkpoint/checkpoint-storage';
export { MemoryCheckpointStorage } from './checkpoint/memory-checkpoint-storage';
export {
  CheckpointCoordinator,
  type CheckpointConfig,
  type CheckpointListener,
  type CheckpointSource,
  type CheckpointStats,
  type DeferredKeyedState,
  type OperatorSnapshot,
  type RestoredParts,
} from './checkpoint/checkpoint-coordinator';

/* Parallelism: parallel stages, partitioners, channels */
export { parallel, ParallelStream, type ParallelOptions } from './parallel/parallel';
export { rebalance } from './parallel/rebalance';
export { shuffle } from './parallel/shuffle';
export { rescale } from './parallel/rescale';
export { global } from './parallel/global-partition';
export { forward } from './parallel/forward';
export { partitionCustom, type Partitioner } from './parallel/partition-custom';
export { PartitionedStream, type StreamPartitioner, type PartitionerContext, type ChannelSelector } from './parallel/stream-partitioner';
export type { Channel, ChannelSender, ChannelReceiver, ChannelHandlers } from './parallel/channel';
export { InProcessChannel } from './parallel/in-process-channel';
export type { ChannelFactory, SubtaskHost } from './parallel/exchange-internals';
