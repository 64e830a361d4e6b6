/**
 * Partitioners: which downstream subtask (channel) each record goes to, as Flink's `StreamPartitioner`s.
 * @module
 */
import { Observable } from 'rxjs';
import { NotKeyedError, ParallelismError, PartitionerError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import type { Key } from '../core/types';
import { keyGroupOf, subtaskForKeyGroup } from '../keyed/key-group';

/** Where one upstream subtask stands in an exchange. */
export interface PartitionerContext {
  /** The upstream subtask's index. */
  readonly index: number;
  readonly upstreamParallelism: number;
  readonly downstreamParallelism: number;
  /** The job's number of key groups. */
  readonly maxParallelism: number;
  /** The downstream subtasks this upstream subtask is connected to, ascending (all, unless pointwise). */
  readonly targets: readonly number[];
}

/**
 * Picks a channel for each record: returns an index into `ctx.targets` (the connected downstream
 * subtasks), or -1 to send the record to every one of them.
 */
export type ChannelSelector = (value: unknown, key: Key | undefined) => number;

/**
 * A partitioner: decides which downstream subtask each record of an upstream subtask goes to.
 * Watermarks, statuses and barriers always go to every connected channel.
 *
 * @example
 * ```ts
 * const evens: StreamPartitioner = { name: 'evens', selector: () => (value) => ((value as number) % 2 === 0 ? 0 : 1) };
 * ```
 * @see Flink's `StreamPartitioner`
 */
export interface StreamPartitioner {
  readonly name: string;
  /**
   * Pointwise partitioners (`forward`, `rescale`) connect each upstream subtask to some downstream
   * subtasks only; the default connects every upstream subtask to every downstream subtask.
   */
  connects?(upstream: number, upstreamParallelism: number, downstream: number, downstreamParallelism: number): boolean;
  /** Refuses parallelisms it cannot connect (throws {@link ParallelismError}). */
  check?(upstreamParallelism: number, downstreamParallelism: number): void;
  /** The selector of one upstream subtask (called once per upstream subtask and run). */
  selector(ctx: PartitionerContext): ChannelSelector;
}

/**
 * A stream with a partitioner attached: the next {@link parallel} stage reads its partitioner. Subscribed
 * to directly, it is its upstream unchanged.
 */
export class PartitionedStream<T> extends Observable<StreamElement<T>> {
  constructor(
    readonly upstream: Observable<StreamElement<T>>,
    readonly partitioner: StreamPartitioner,
  ) {
    super((subscriber) => upstream.subscribe(subscriber));
  }
}

/** The pipeable form of a partitioner. @internal */
export function partitionWith<T>(partitioner: StreamPartitioner): (source: Observable<StreamElement<T>>) => PartitionedStream<T> {
  return (source) => new PartitionedStream<T>(source instanceof PartitionedStream ? (source.upstream as Observable<StreamElement<T>>) : source, partitioner);
}

/**
 * Key groups: a record goes to the subtask whose contiguous key-group range holds its key's key group
 * (Flink's `KeyGroupStreamPartitioner`), so every record of a key reaches the same subtask.
 * @internal
 */
export const keyGroupPartitioner: StreamPartitioner = {
  name: 'keyBy',
  selector(ctx) {
    const { maxParallelism, downstreamParallelism } = ctx;
    return (_value, key) => {
      if (key === undefined) throw new NotKeyedError({ operator: 'keyBy partitioner' }, 'routing by key group');
      return subtaskForKeyGroup(keyGroupOf(key, maxParallelism), maxParallelism, downstreamParallelism);
    };
  },
};

/** Round robin over the connected channels, starting at the upstream subtask's own index. @internal */
export function roundRobin(ctx: PartitionerContext): ChannelSelector {
  const n = ctx.targets.length;
  let next = ctx.index % n;
  return () => {
    const c = next;
    next = next + 1 === n ? 0 : next + 1;
    return c;
  };
}

/**
 * The default partitioner of a parallel stage: records with a key go by key group (keyed state stays
 * with its key); records without one go one-to-one when the parallelisms are equal (Flink's `forward`),
 * else round robin (Flink's `rebalance`).
 * @internal
 */
export const defaultPartitioner: StreamPartitioner = {
  name: 'default',
  selector(ctx) {
    const byKey = keyGroupPartitioner.selector(ctx);
    const same = ctx.upstreamParallelism === ctx.downstreamParallelism;
    const rr = roundRobin(ctx);
    const own = ctx.targets.indexOf(ctx.index);
    return (value, key) => (key !== undefined ? byKey(value, key) : same ? own : rr(value, key));
  },
};

/**
 * Whether `forward`/`rescale` connect upstream `i` to downstream `j` (Flink's pointwise pattern: equal
 * parallelisms one to one; else each upstream subtask feeds a contiguous group of downstream subtasks, or
 * a contiguous group of upstream subtasks feeds each downstream subtask). @internal
 */
export function pointwise(i: number, n: number, j: number, m: number): boolean {
  if (n === m) return i === j;
  if (n > m) return Math.floor((j * n) / m) <= i && i < Math.floor(((j + 1) * n) / m);
  return Math.floor((j * n) / m) === i;
}

/** Checks a selector's choice. @internal */
export function checkChannel(origin: { operator: string }, c: unknown, n: number): number {
  if (typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < n) return c;
  throw new PartitionerError(origin, c, n);
}

/** Throws ParallelismError unless the parallelisms are equal (for `forward`). @internal */
export function checkSameParallelism(up: number, down: number): void {
  if (up !== down) {
    throw new ParallelismError(
      { operator: 'forward' },
      `forward() connects subtask i to subtask i, so both sides need the same parallelism; upstream has ${up}, downstream ${down}: use rebalance() or rescale() instead`,
    );
  }
}
