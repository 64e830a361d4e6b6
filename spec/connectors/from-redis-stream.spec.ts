/**
 * fromRedisStream against a real Redis: several keys as splits, positions in checkpoints and resumed after
 * a restore, bounded reads with a final checkpoint, dead letters, a key deleted while read, consumer groups,
 * per-split watermarks.
 */
import { Redis } from 'ioredis';
import { firstValueFrom, filter as rxFilter, type Observable } from 'rxjs';
import {
  CheckpointBarrier,
  InvalidArgumentError,
  Job,
  MemoryCheckpointStorage,
  SideOutput,
  SourceError,
  StreamRecord,
  UnparsableRecordError,
  Watermark,
  WatermarkStrategy,
  deadLetterTag,
  type StreamElement,
} from '../../lib/index';
import { fromRedisStream } from '../../lib/redis/index';
import { deleteKeys, sharedRedisUrl, startPrivateRedis, uniquePrefix } from '../helpers/redis';

let url: string;
let redis: Redis;
let prefix: string;

beforeAll(async () => {
  url = await sharedRedisUrl();
  redis = new Redis(url);
});
beforeEach(() => {
  prefix = uniquePrefix('from-redis-stream');
});
afterEach(async () => {
  await deleteKeys(url, prefix);
});
afterAll(() => redis.disconnect());

async function add(key: string, entries: Array<[string, Record<string, string>]>): Promise<void> {
  const p = redis.pipeline();
  for (const [id, fields] of entries) p.xadd(key, id, ...Object.entries(fields).flat());
  await p.exec();
}

/** Collects every element until `until` holds for the collected list (or the stream ends). */
function collect<T>(source: Observable<StreamElement<T>>, until: (els: unknown[]) => boolean = () => false): { elements: unknown[]; done: Promise<void>; stop(): void } {
  const elements: unknown[] = [];
  let stop = (): void => {};
  const done = new Promise<void>((resolve, reject) => {
    const sub = source.subscribe({
      next: (x) => {
        elements.push(x);
        if (until(elements)) {
          sub.unsubscribe();
          resolve();
        }
      },
      error: reject,
      complete: resolve,
    });
    stop = () => {
      sub.unsubscribe();
      resolve();
    };
  });
  return { elements, done, stop };
}

const recordsOf = (els: unknown[]): unknown[] => els.filter((e) => e instanceof StreamRecord).map((e) => (e as StreamRecord<unknown>).value);

describe('fromRedisStream', () => {
  it('reads several keys in batches, with the entry id as the timestamp, and completes when bounded', async () => {
    const a = `${prefix}:a`;
    const b = `${prefix}:b`;
    await add(a, [['1-0', { v: 'a1' }], ['2-0', { v: 'a2' }], ['3-0', { v: 'a3' }]]);
    await add(b, [['5-0', { v: 'b1' }]]);
    const { elements, done } = collect(fromRedisStream({ url, keys: [a, b], count: 2, bounded: true }));
    await done;
    const records = elements.filter((e) => e instanceof StreamRecord) as Array<StreamRecord<Record<string, string>>>;
    expect(records.map((r) => r.value.v).sort()).toEqual(['a1', 'a2', 'a3', 'b1']);
    expect(records.filter((r) => r.value.v!.startsWith('a')).map((r) => r.timestamp)).toEqual([1, 2, 3]);
    expect(elements[elements.length - 1]).toEqual(Watermark.MAX);
  });

  it('stores each split position in the checkpoint and a restored source resumes after it, exactly', async () => {
    const a = `${prefix}:a`;
    const b = `${prefix}:b`;
    const all = Array.from({ length: 30 }, (_, i) => i);
    await add(a, all.map((i) => [`${i + 1}-0`, { v: `a${i}` }]));
    await add(b, all.map((i) => [`${i + 1}-1`, { v: `b${i}` }]));
    const storage = new MemoryCheckpointStorage();
    const parse = (e: { fields: Record<string, string> }): string => e.fields.v!;
    // run 1: a checkpoint once some records are out, then the run stops
    const job1 = new Job({ name: 'streams', checkpoints: { interval: 1_000_000, storage } });
    const run1 = collect(fromRedisStream({ url, keys: [a, b], job: job1, uid: 'src', count: 7, parse }));
    // trigger once at least 10 records are out (polling the collected list on each element)
    await new Promise<void>((resolve) => {
      const check = (): void => (recordsOf(run1.elements).length >= 10 ? resolve() : void setImmediate(check));
      check();
    });
    const stats = await job1.coordinator!.trigger();
    expect(stats.status).toBe('completed');
    run1.stop();
    await run1.done;
    const barrierAt = run1.elements.findIndex((e) => e instanceof CheckpointBarrier);
    const before = recordsOf(run1.elements.slice(0, barrierAt)) as string[];
    // run 2: restores the positions, reads the rest to the end
    const job2 = new Job({ name: 'streams', checkpoints: { interval: 1_000_000, storage } });
    const run2 = collect(fromRedisStream({ url, keys: [a, b], job: job2, uid: 'src', count: 7, parse, bounded: true }));
    await run2.done;
    const after = recordsOf(run2.elements) as string[];
    const combined = [...before, ...after];
    expect(combined.filter((v) => v.startsWith('a'))).toEqual(all.map((i) => `a${i}`));
    expect(combined.filter((v) => v.startsWith('b'))).toEqual(all.map((i) => `b${i}`));
  });

  it('takes a final checkpoint before completing when bounded in a checkpointing job', async () => {
    const a = `${prefix}:a`;
    await add(a, [['1-0', { v: '1' }], ['2-0', { v: '2' }]]);
    const job = new Job({ name: 'final', checkpoints: { interval: 1_000_000 } });
    const statuses: string[] = [];
    job.checkpointStats.subscribe((s) => statuses.push(s.status));
    const { elements, done } = collect(fromRedisStream({ url, keys: a, job, uid: 'src', bounded: true }));
    await done;
    expect(statuses).toEqual(['completed']);
    // records, the end-of-input watermark, then the final barrier
    expect(elements.slice(-2)[0]).toEqual(Watermark.MAX);
    expect(elements[elements.length - 1]).toBeInstanceOf(CheckpointBarrier);
  });

  it('sends unparsable entries to the dead-letter output with the key and entry id, and goes on', async () => {
    const a = `${prefix}:a`;
    await add(a, [['1-0', { json: '{"n":1}' }], ['2-0', { json: 'not json' }], ['3-0', { json: '{"n":3}' }]]);
    const deadLetters = deadLetterTag();
    const { elements, done } = collect(
      fromRedisStream({ url, keys: a, bounded: true, name: 'clicks', deadLetters, parse: (e) => JSON.parse(e.fields.json!) as { n: number } }),
    );
    await done;
    expect(recordsOf(elements)).toEqual([{ n: 1 }, { n: 3 }]);
    const letters = elements.filter((e) => e instanceof SideOutput) as Array<SideOutput<unknown>>;
    expect(letters).toHaveLength(1);
    expect(letters[0]!.tag).toBe(deadLetters);
    expect(letters[0]!.record.value).toMatchObject({ source: 'clicks', split: a, offset: '2-0', raw: { json: 'not json' } });
  });

  it('without a dead-letter output, an unparsable entry fails the source naming the key and entry id', async () => {
    const a = `${prefix}:a`;
    await add(a, [['1-0', { json: '{"n":1}' }], ['7-3', { json: '{' }]]);
    const { done } = collect(fromRedisStream({ url, keys: a, bounded: true, parse: (e) => JSON.parse(e.fields.json!) as unknown }));
    const err = await done.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UnparsableRecordError);
    expect((err as UnparsableRecordError).split).toBe(a);
    expect((err as UnparsableRecordError).offset).toBe('7-3');
    expect((err as Error).message).toMatch(new RegExp(`offset 7-3 of split "${a}"`));
  });

  it('fails with a SourceError when a key it read is deleted', async () => {
    const a = `${prefix}:a`;
    const b = `${prefix}:b`;
    await add(a, [['1-0', { v: 'a' }]]);
    await add(b, [['1-0', { v: 'b' }]]);
    const failing = collect(fromRedisStream({ url, keys: [a, b], blockMs: 20 }), (els) => recordsOf(els).length === 2 && (void redis.del(a), false));
    const err = await failing.done.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(new RegExp(`stream key "${a}" was deleted while it was read \\(the last entry read was 1-0\\)`));

  });

  it("with onDeletedKey: 'drop', a deleted key's split is removed and the others go on", async () => {
    // a private server: the test counts the EXISTS checks the source makes
    const server = await startPrivateRedis();
    const r = new Redis(server.url);
    try {
      const a = 'a';
      const b = 'b';
      await r.xadd(a, '1-0', 'v', 'a');
      await r.xadd(b, '1-0', 'v', 'b');
      const existsCalls = async (): Promise<number> => Number(/cmdstat_exists:calls=(\d+)/.exec(await r.info('commandstats'))?.[1] ?? 0);
      const run = collect(fromRedisStream({ url: server.url, keys: [a, b], blockMs: 10, onDeletedKey: 'drop' }), (els) => recordsOf(els).length === 3);
      while (recordsOf(run.elements).length < 2) await new Promise((resolve) => setImmediate(resolve));
      await r.del(a);
      // wait until the source has checked a's existence after the deletion (and so dropped it)
      const before = await existsCalls();
      while ((await existsCalls()) < before + 2) await new Promise((resolve) => setImmediate(resolve));
      // a new entry under the dropped key is not read; one under the other key is
      await r.xadd(a, '5-0', 'v', 'a5');
      await r.xadd(b, '2-0', 'v', 'b2');
      await run.done;
      expect(recordsOf(run.elements).map((x) => (x as { v: string }).v).sort()).toEqual(['a', 'b', 'b2']);
    } finally {
      r.disconnect();
      await server.stop();
    }
  });

  it('reads through a consumer group: acknowledged entries are not read again, unacknowledged ones are read first', async () => {
    const a = `${prefix}:a`;
    await add(a, [['1-0', { v: '1' }], ['2-0', { v: '2' }], ['3-0', { v: '3' }]]);
    const group = { name: 'g', consumer: 'c1' };
    const first = collect(fromRedisStream({ url, keys: a, group, blockMs: 20 }));
    // the source acknowledges a batch once it is emitted: wait for the three records and an empty pending list
    const pendingCount = async (): Promise<number> => ((await redis.xpending(a, 'g')) as [number])[0];
    while (recordsOf(first.elements).length < 3 || (await pendingCount()) !== 0) await new Promise((r) => setImmediate(r));
    first.stop();
    expect(recordsOf(first.elements)).toEqual([{ v: '1' }, { v: '2' }, { v: '3' }]);
    // another consumer of the group takes entry 4 and dies before acknowledging it ...
    await add(a, [['4-0', { v: '4' }], ['5-0', { v: '5' }]]);
    await redis.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 1, 'STREAMS', a, '>');
    // ... the restarted consumer c1 reads its pending entry 4 first, then 5, and nothing acknowledged before
    const second = collect(fromRedisStream({ url, keys: a, group, blockMs: 20 }), (els) => recordsOf(els).length === 2);
    await second.done;
    expect(recordsOf(second.elements)).toEqual([{ v: '4' }, { v: '5' }]);
  });

  it('combines per-split watermarks: the minimum over the keys, so a slow key holds event time back', async () => {
    const fast = `${prefix}:fast`;
    const slow = `${prefix}:slow`;
    await add(fast, [['1000-0', { v: 'f1' }], ['5000-0', { v: 'f2' }], ['9000-0', { v: 'f3' }]]);
    await add(slow, [['2000-0', { v: 's1' }]]);
    // a punctuated generator: a watermark (ts - 1) after every event, on the split's immediate output
    const strategy = WatermarkStrategy.forGenerator<Record<string, string>>(() => ({ onEvent: (_e, ts, out) => out.emitWatermark(ts - 1), onPeriodicEmit: () => {} }));
    const { elements, done } = collect(fromRedisStream({ url, keys: [fast, slow], watermarks: strategy, bounded: true, count: 10 }));
    await done;
    const marks = elements.filter((e) => e instanceof Watermark).map((w) => (w as Watermark).time);
    // never beyond the slow key's 1999 until the end of input
    expect(marks.slice(0, -1).every((t) => t <= 1999)).toBe(true);
    expect(marks).toContain(1999);
    expect(marks[marks.length - 1]).toBe(Watermark.MAX.time);
    for (let i = 1; i < marks.length; i++) expect(marks[i]!).toBeGreaterThan(marks[i - 1]!);
  });

  it('checks its options and needs a uid in a checkpointing job', async () => {
    expect(() => fromRedisStream({ keys: [] })).toThrow(InvalidArgumentError);
    expect(() => fromRedisStream({ keys: 'a', count: 0 })).toThrow(/count must be a positive integer/);
    expect(() => fromRedisStream({ keys: 'a', startFrom: 'soon' })).toThrow(/startFrom/);
    const job = new Job({ checkpoints: { interval: 1_000 } });
    await expect(firstValueFrom(fromRedisStream({ url, keys: 'a', job }).pipe(rxFilter(() => true)))).rejects.toThrow(/sources need a uid/);
  });
});
