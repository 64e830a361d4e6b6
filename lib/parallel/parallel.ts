import { Observable, type Subscriber } from 'rxjs';
import { type ErrorOrigin, InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { checkFunction } from '../core/validate';
import { BroadcastStream } from '../join/broadcast';
import { broadcastPartitioner } from './broadcast-partitioner';
import { type ChannelFactory, inProcessChannels, inProcessHost, type StageSpec, type SubtaskHost, subscribeMerged } from './exchange-internals';
import { defaultPartitioner, PartitionedStream, type StreamPartitioner } from './stream-partitioner';

/** Options of {@link parallel}. */
export interface ParallelOptions {
  /** Names the stage in errors (default `"parallel"`). */
  name?: string;
  /**
   * Makes the channel from upstream subtask `from` to downstream subtask `to` (default: an
   * `InProcessChannel`). Every channel kind behind the `Channel` interface works.
   */
  channels?: ChannelFactory;
}

/**
 * The output of a {@link parallel} stage: subscribed to, it is the subtasks' outputs merged into one
 * stream (watermark = the minimum over the subtasks, barriers aligned); followed by a partitioner and
 * another `parallel`, its subtasks feed the next stage's subtasks directly.
 */
export class ParallelStream<T> extends Observable<StreamElement<T>> implements StageSpec {
  readonly upstream: Observable<unknown>;
  readonly partitioner: StreamPartitioner;
  readonly upstreamStage: StageSpec | undefined;
  readonly channels: ChannelFactory;

  constructor(
    source: Observable<unknown>,
    readonly parallelism: number,
    readonly host: SubtaskHost,
    readonly origin: ErrorOrigin,
    channels: ChannelFactory | undefined,
  ) {
    super((destination) => subscribeMerged(this, destination as Subscriber<unknown>));
    let up = source;
    let partitioner = defaultPartitioner;
    if (source instanceof PartitionedStream) {
      up = source.upstream;
      partitioner = source.partitioner;
    } else if (source instanceof BroadcastStream) {
      up = source.input;
      partitioner = broadcastPartitioner;
    }
    this.upstream = up;
    this.partitioner = partitioner;
    this.upstreamStage = up instanceof ParallelStream ? up : undefined;
    this.channels = channels ?? inProcessChannels;
  }
}

/** Checks a parallelism given at call time. @internal */
export function checkParallelism(origin: ErrorOrigin, parallelism: unknown): asserts parallelism is number {
  if (typeof parallelism !== 'number' || !Number.isInteger(parallelism) || parallelism < 1) {
    throw new InvalidArgumentError(origin, 'parallelism', parallelism, 'must be a positive integer');
  }
}

/** Builds a parallel stage around a subtask host (in-process here, worker threads in `tidemark/node`). @internal */
export function parallelStage<R>(parallelism: number, host: SubtaskHost, origin: ErrorOrigin, channels: ChannelFactory | undefined): (source: Observable<unknown>) => ParallelStream<R> {
  return (source) => new ParallelStream<R>(source, parallelism, host, origin, channels);
}

/**
 * Runs part of a pipeline as `parallelism` subtasks and merges their outputs back into one stream. Each
 * subtask pipes its share of the input through `stage`, with operators of its own: own state, timers and
 * runtime context (`ctx.subtaskIndex`, `ctx.parallelism`, `ctx.maxParallelism`, also as Flink's
 * `getIndexOfThisSubtask()`...). A partitioner just before `parallel` says which subtask each record
 * goes to; without one, keyed records go by key group (every record of a key to the same subtask, which
 * owns that key's state) and others round robin.
 *
 * Watermarks, watermark statuses and checkpoint barriers go to every subtask; a subtask's watermark is
 * the minimum over its input channels (idle ones left out), the merged output's the minimum over the
 * subtasks; barriers are aligned at every subtask and at the merge, and each subtask snapshots its own
 * key groups. The subtasks run in this thread, one after another, deterministic: marble tests see the
 * same output on every run. `tidemark/node`'s `parallelWorkers` runs the same stage on worker threads.
 *
 * It's like setting an operator's parallelism in Flink (`.setParallelism(n)`), written the RxJS way: the
 * stage is a function from the subtask's input to its output, like the selector of RxJS's `connect`.
 *
 * ```text
 * input:                                          a-b-W-c-|     a, b, c: records of key k at 1, 5, 12; W = W(9)
 * parallel(4, (s) => s.pipe(tumblingEventWindow(10, { reduce: sum })))
 * output:                                         ----(sW)(tM|)  s = 3 at 9, t = 3 at 19
 * ```
 * (three subtasks never see a record of k: they still get W(9), so the window fires at W(9))
 *
 * @example
 * ```ts
 * clicks$.pipe(
 *   keyBy((c) => c.user),
 *   parallel(4, (s) => s.pipe(tumblingEventWindow({ size: 60_000, reduce: (a, b) => ({ ...a, n: a.n + b.n }) }))),
 *   values(),
 * )
 * ```
 * @param parallelism the number of subtasks, at most the job's max parallelism (default 128).
 * @param stage the pipeline each subtask runs: called once per subtask with its input and its index; it
 * must subscribe its input once.
 * @throws InvalidArgumentError when `parallelism` is not a positive integer or `stage` is not a function.
 * `ParallelismError` (as an error notification) when `parallelism` is above the job's max parallelism,
 * or the partitioner is `forward()` and the upstream has another parallelism.
 * @see rebalance, shuffle, rescale, broadcast, global, forward, partitionCustom
 */
export function parallel<T, R, K = Key>(
  parallelism: number,
  stage: (input: Observable<StreamElement<T, K>>, subtaskIndex: number) => Observable<StreamElement<R, any>>,
  options: ParallelOptions = {},
): (source: Observable<StreamElement<T, K>>) => ParallelStream<R> {
  const origin = { operator: options.name ?? 'parallel' };
  checkParallelism(origin, parallelism);
  checkFunction(origin, 'stage', stage, '(input) => input.pipe(...)');
  if (options.channels !== undefined) checkFunction(origin, 'options.channels', options.channels, '(from, to) => Channel');
  return parallelStage<R>(parallelism, inProcessHost(stage as (input: Observable<unknown>, subtaskIndex: number) => Observable<unknown>, origin), origin, options.channels);
}
