import { lastValueFrom, of, toArray, type Observable } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  broadcast,
  forward,
  global,
  InvalidArgumentError,
  Job,
  keyBy,
  keyGroupOf,
  map,
  parallel,
  ParallelismError,
  partitionCustom,
  PartitionerError,
  rebalance,
  rescale,
  shuffle,
  StreamRecord,
  subtaskForKeyGroup,
  values,
  type RuntimeContext,
  type StreamElement,
} from '../../lib/index';
import { seededRandom } from '../../lib/parallel/shuffle';
import { maxWm, rec, start, wm } from '../../lib/testing/index';

/** A stage that tags each value with the subtask that saw it (read from its runtime context). */
function tag<T>(input: Observable<StreamElement<T>>): Observable<StreamElement<string>> {
  let index = -1;
  return input.pipe(
    map({
      open(ctx: RuntimeContext) {
        index = ctx.getIndexOfThisSubtask();
        expect(ctx.getNumberOfParallelSubtasks()).toBe(ctx.parallelism);
        expect(ctx.getMaxNumberOfParallelSubtasks()).toBe(ctx.maxParallelism);
      },
      map: (v: T) => `${String(v)}${index}`,
    }),
  );
}

const run = <T>(o: Observable<T>): Promise<T[]> => lastValueFrom(o.pipe(toArray()));

describe('partitioners', () => {
  it('rebalance(): round robin over the subtasks, starting at subtask 0', marbles((m) => {
    const input = m.cold('a-b-c-d-|');
    m.expect(input.pipe(rebalance(), parallel(2, tag))).toBeObservable('a-b-c-d-(M|)', { a: 'a0', b: 'b1', c: 'c0', d: 'd1', M: maxWm() });
  }));

  it('without a partitioner, records without a key go round robin too', marbles((m) => {
    const input = m.cold('a-b-c-|');
    m.expect(input.pipe(parallel(3, tag))).toBeObservable('a-b-c-(M|)', { a: 'a0', b: 'b1', c: 'c2', M: maxWm() });
  }));

  it('global(): every record to subtask 0', marbles((m) => {
    const input = m.cold('a-b-c-|');
    m.expect(input.pipe(global(), parallel(3, tag))).toBeObservable('a-b-c-(M|)', { a: 'a0', b: 'b0', c: 'c0', M: maxWm() });
  }));

  it('broadcast(): every record to every subtask', marbles((m) => {
    const input = m.cold('a-----b-----|');
    m.expect(input.pipe(broadcast(), parallel(3, tag))).toBeObservable('(abc)-(def)-(M|)', {
      a: 'a0',
      b: 'a1',
      c: 'a2',
      d: 'b0',
      e: 'b1',
      f: 'b2',
      M: maxWm(),
    });
  }));

  it('shuffle({ seed }): the seeded sequence picks the subtask, the same on every run', async () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    const out = await run(of(...items).pipe(shuffle({ seed: 7 }), parallel(4, tag), values()));
    const random = seededRandom(7);
    expect(out).toEqual(items.map((i) => `${i}${Math.floor(random() * 4)}`));
    expect(await run(of(...items).pipe(shuffle({ seed: 7 }), parallel(4, tag), values()))).toEqual(out);
    expect(new Set(out.map((s) => s.slice(-1)))).toEqual(new Set(['0', '1', '2', '3']));
  });

  it('keyed records go by key group: each key to the subtask whose key-group range holds it', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const out = await run(of(...keys).pipe(keyBy((k) => k), parallel(3, tag), values()));
    expect(out).toEqual(keys.map((k) => `${k}${subtaskForKeyGroup(keyGroupOf(k, 128), 128, 3)}`));
    // the ranges are contiguous: subtask 1 owns key groups 43..85 of 128
    expect([42, 43, 85, 86].map((g) => subtaskForKeyGroup(g, 128, 3))).toEqual([0, 1, 1, 2]);
  });

  it('key groups follow the job’s max parallelism', async () => {
    const job = new Job({ maxParallelism: 8 });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const out = await run(of(start(job), ...keys.map((k) => rec(k, 1, k))).pipe(parallel(2, tag), values()));
    expect(out).toEqual(keys.map((k) => `${k}${subtaskForKeyGroup(keyGroupOf(k, 8), 8, 2)}`));
  });

  it('forward(): subtask i feeds subtask i', marbles((m) => {
    const input = m.cold('a-b-c-d-|');
    const out = input.pipe(
      rebalance(),
      parallel(2, tag),
      forward(),
      parallel(2, tag),
    );
    m.expect(out).toBeObservable('a-b-c-d-(M|)', { a: 'a00', b: 'b11', c: 'c00', d: 'd11', M: maxWm() });
  }));

  it('forward() between different parallelisms is refused', async () => {
    await expect(run(of(1, 2).pipe(parallel(2, tag), forward(), parallel(3, tag)))).rejects.toThrow(ParallelismError);
    await expect(run(of(1, 2).pipe(forward(), parallel(2, tag)))).rejects.toThrow(
      'forward: forward() connects subtask i to subtask i, so both sides need the same parallelism; upstream has 1, downstream 2',
    );
  });

  it('rescale(): round robin within the local group (2 → 4: upstream 0 feeds 0 and 1, upstream 1 feeds 2 and 3)', marbles((m) => {
    const input = m.cold('abcdefgh|');
    const out = input.pipe(rebalance(), parallel(2, tag), rescale(), parallel(4, tag), values());
    // upstream 0 gets a, c, e, g and sends them to 0, 1, 0, 1; upstream 1 gets b, d, f, h and sends them to 3, 2, 3, 2
    // (each upstream subtask starts its round at its own index within its group: 1 % 2)
    m.expect(out).toBeObservable('abcdefgh|', { a: 'a00', b: 'b13', c: 'c01', d: 'd12', e: 'e00', f: 'f13', g: 'g01', h: 'h12' });
  }));

  it('rescale() scaling down (4 → 2): upstreams 0, 1 feed 0 and upstreams 2, 3 feed 1', async () => {
    const out = await run(of('a', 'b', 'c', 'd').pipe(rebalance(), parallel(4, tag), rescale(), parallel(2, tag), values()));
    expect(out).toEqual(['a00', 'b10', 'c21', 'd31']);
  });

  it('partitionCustom(partitioner, keySelector): the partitioner picks the subtask from the key', marbles((m) => {
    const input = m.cold('a-b-c-|', { a: { id: 1 }, b: { id: 2 }, c: { id: 3 } });
    const out = input.pipe(
      partitionCustom((id: number, n) => id % n, (v: { id: number }) => v.id),
      parallel(2, (s) => tag(s.pipe(map((v) => v.id)))),
    );
    m.expect(out).toBeObservable('a-b-c-(M|)', { a: '11', b: '20', c: '31', M: maxWm() });
  }));

  it('partitionCustom: an index out of range fails the stream with a PartitionerError', async () => {
    const err = await run(of(1, 2, 3).pipe(partitionCustom(() => 2, (v: number) => v), parallel(2, tag))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartitionerError);
    expect((err as PartitionerError).message).toBe('partitionCustom: the partitioner returned channel 2, which is not an integer in [0, 2)');
    expect((err as PartitionerError).index).toBe(2);
    await expect(run(of(1).pipe(partitionCustom(() => 0.5, (v: number) => v), parallel(2, tag)))).rejects.toThrow(PartitionerError);
    await expect(run(of(1).pipe(partitionCustom(() => -1, (v: number) => v), parallel(2, tag)))).rejects.toThrow(PartitionerError);
  });

  it('refuses bad arguments at call time with typed errors', () => {
    expect(() => parallel(0, tag)).toThrow(new InvalidArgumentError({ operator: 'parallel' }, 'parallelism', 0, 'must be a positive integer'));
    expect(() => parallel(-2, tag)).toThrow(InvalidArgumentError);
    expect(() => parallel(1.5, tag)).toThrow(InvalidArgumentError);
    expect(() => parallel(2, 'nope' as never)).toThrow(InvalidArgumentError);
    expect(() => shuffle({ seed: 0.5 })).toThrow(InvalidArgumentError);
    expect(() => partitionCustom('x' as never, (v: number) => v)).toThrow(InvalidArgumentError);
  });

  it('a parallelism above the job’s max parallelism fails the stream with a ParallelismError', async () => {
    const job = new Job({ maxParallelism: 4 });
    await expect(run(of(start(job), rec(1, 1)).pipe(parallel(5, tag)))).rejects.toThrow(
      "parallel: parallelism 5 is above the job's max parallelism 4 (its number of key groups): lower the parallelism or raise the job's maxParallelism",
    );
    await expect(run(of(1).pipe(parallel(129, tag)))).rejects.toThrow(ParallelismError);
  });

  it('passes timestamps and keys through the exchange, and merges the start element back', async () => {
    const job = new Job({ name: 'p' });
    const out = await run(of(start(job), rec('x', 5, 'k'), wm(7)).pipe(parallel(2, (s) => s)));
    expect(out[0]).toMatchObject({ context: { jobName: 'p', subtaskIndex: 0, parallelism: 1 } });
    expect(out[1]).toEqual(new StreamRecord('x', 5, 'k'));
    expect(out.slice(2)).toEqual([wm(7), maxWm()]);
  });
});
