import type { Observable } from 'rxjs';
import { InvalidArgumentError } from '../core/errors';
import type { StreamElement } from '../core/stream-element';
import { partitionWith, type PartitionedStream } from './stream-partitioner';

/** mulberry32: a small, fast, seedable 32-bit PRNG. @internal */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Sends each record to a uniformly random subtask of the next {@link parallel} stage. With a `seed`, the
 * choice is the same on every run (each upstream subtask draws from its own sequence, seeded with
 * `seed + index`).
 *
 * It's like Flink's `DataStream.shuffle()`, but seedable.
 *
 * ```text
 * input:                                          0 1 2 ... 39
 * shuffle({ seed: 7 }), parallel(4, tag subtask):   i goes to subtask ⌊r_i · 4⌋, r_i the i-th draw of the seeded sequence (the same on every run)
 * ```
 *
 * @example
 * ```ts
 * events$.pipe(shuffle({ seed: 42 }), parallel(3, (s) => s.pipe(map(enrich))))
 * ```
 * @param options.seed an integer; without it, `Math.random` decides.
 * @throws InvalidArgumentError when `seed` is not an integer.
 * @see parallel, rebalance, Flink's `ShufflePartitioner`
 */
export function shuffle<T>(options: { seed?: number } = {}): (source: Observable<StreamElement<T>>) => PartitionedStream<T> {
  const seed = options.seed;
  if (seed !== undefined && !Number.isInteger(seed)) throw new InvalidArgumentError({ operator: 'shuffle' }, 'seed', seed, 'must be an integer');
  return partitionWith<T>({
    name: 'shuffle',
    selector(ctx) {
      const random = seed === undefined ? Math.random : seededRandom(seed + ctx.index);
      const n = ctx.targets.length;
      return () => Math.floor(random() * n);
    },
  });
}
