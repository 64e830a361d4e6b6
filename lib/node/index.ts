/**
 * `tidemark/node`: file and socket sources and the file sink. Node only.
 * @packageDocumentation
 */
export { readTextFile, type ReadTextFileOptions } from './read-text-file';
export { socketTextStream, type SocketTextStreamOptions } from './socket-text-stream';

/* File sink */
export { fileSink, type FileSinkOptions, type OutputFileConfig } from './file-sink';
export { FileSinkError } from './file-sink-error';
export { csvCell, csvFormat, jsonLinesFormat, lineFormat, type CsvColumn, type CsvFormatOptions, type RowFormat } from './file-sink-formats';
export {
  BasePathBucketAssigner,
  DateTimeBucketAssigner,
  formatTime,
  type BucketAssigner,
  type BucketAssignerContext,
  type BucketAssignerFunction,
  type DateTimeBucketAssignerOptions,
} from './file-sink-bucket-assigners';
export { DefaultRollingPolicy, OnCheckpointRollingPolicy, type DefaultRollingPolicyOptions, type PartFileInfo, type RollingPolicy } from './file-sink-rolling-policies';

/* Live feed (Server-Sent Events) */
export { LiveFeed, type LiveFeedOptions, type LiveFeedPublishOptions, type LiveFeedServer } from './live-feed';

/* Parallel stages on worker threads */
export { parallelWorkers, type ParallelWorkersOptions } from './parallel-workers';
export { WorkerChannel, type WorkerChannelOptions } from './worker-channel';
export { WorkerError } from './worker-error';
