/**
 * Checkpoints benchmark, against the local Redis (REDIS_URL, default redis://127.0.0.1:6379), in one run:
 *
 * - the duration and bytes of a checkpoint of K keys of value state (a `reduce` keeping each key's latest
 *   value), full and incremental with 1% of the keys changed, against the fastest raw write of the same
 *   bytes: pipelined multi-field HSETs of 1000 fields, one hash per key group, as the checkpoint's parts;
 * - restoring it (reading the parts and rebuilding the operator's state) against a raw HGETALL of the same
 *   hashes;
 * - the throughput of a keyed window job (tumbling event-time windows with a uid) with checkpoints to
 *   Redis every second against the same job without;
 * - the longest synchronous pause at a barrier (the time the barrier held the stream), at K keys with 1%
 *   changed.
 *
 * K is 100k and 1M by default, `--size N` gives N/10 and N (CI runs `--size 20k`). Every case runs under a
 * unique key prefix, deleted at the end. Targets (issue 13): a full checkpoint within 2x the raw write, an
 * incremental one with 1% changed at least 20x faster than a full one, throughput with checkpoints at least
 * 0.8x without, the longest pause at 1M keys with 1% changed under 20 ms.
 * Run: npm run bench -- --only checkpoints [--size 1M]
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Subject } from 'rxjs';
import {
  assignWatermarks,
  defaultStateSerializer,
  fromCollection,
  Job,
  keyBy,
  keyGroupOf,
  reduce,
  StartElement,
  StreamRecord,
  tumblingEventWindow,
  values,
  WatermarkStrategy,
  windowCount,
  type CheckpointStats,
  type StreamElement,
} from '../lib/index';
import { RedisCheckpointStorage } from '../lib/redis/index';
import { benchSize, compare, rng, type CaseResult } from './harness';

const SIZE = benchSize(1_000_000);
const KEY_SCALES = [...new Set([Math.max(1, Math.round(SIZE / 10)), SIZE])];
const URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `tidemark-bench:${process.pid}:${randomBytes(4).toString('hex')}`;
const MAX_PARALLELISM = 128;
/** Fields per HSET, as the storage writes them. */
const CHUNK = 1000;

const redis = new Redis(URL);
const storage = await RedisCheckpointStorage.connect({ url: URL, prefix: PREFIX });

/** Key i's name and its value at change round r (six digits: every round writes the same bytes). */
const keyName = (i: number): string => `key-${String(i).padStart(8, '0')}`;
const valueAt = (i: number, round: number): number => 100_000 + ((i * 7_919 + round * 104_729) % 900_000);

/** What a run wrote or read: the same for every side of a case, or the bench fails. */
interface Written {
  entries: number;
  bytes: number;
}

/**
 * A checkpointed job around one keyed `reduce` (the latest value per key), fed by hand: records go in
 * through a subject, and `checkpoint()` triggers a checkpoint whose barrier enters the stream at once. The
 * time the barrier took to pass through the stream (the operator's copy, the coordinator's bookkeeping) is
 * the synchronous pause.
 */
class Rig {
  readonly job: Job;
  private readonly input = new Subject<StreamElement<number, string>>();
  /** The synchronous pause of each barrier, in ms. */
  readonly pauses: number[] = [];
  /** What the job restored for the reduce: entries and bytes of its parts. */
  readonly restored: Written = { entries: 0, bytes: 0 };

  constructor(
    readonly name: string,
    incremental: boolean,
  ) {
    this.job = new Job({
      name,
      maxParallelism: MAX_PARALLELISM,
      checkpoints: { interval: 1e9, storage, incremental, fullEvery: 1e9, retained: 1 },
    });
  }

  async open(): Promise<void> {
    await this.job.prepare();
    const coordinator = this.job.coordinator!;
    coordinator.registerSource({
      uid: 'rig',
      emitBarrier: (b) => {
        const t0 = performance.now();
        this.input.next(b);
        this.pauses.push(performance.now() - t0);
      },
    });
    this.input.pipe(reduce<number>((_, v) => v, { uid: 'latest' })).subscribe();
    const context = this.job.context(false);
    const restored = context.restoredState?.get('latest') as { keyed: ReadonlyMap<number, ReadonlyMap<string, string>> } | undefined;
    if (restored !== undefined) {
      for (const m of restored.keyed.values()) {
        for (const [f, v] of m) {
          this.restored.entries++;
          this.restored.bytes += f.length + v.length;
        }
      }
    }
    this.input.next(new StartElement(context));
  }

  /** Key i gets its value of round `round`. */
  set(i: number, round: number): void {
    this.input.next(new StreamRecord(valueAt(i, round), 0, keyName(i)));
  }

  async checkpoint(): Promise<Written> {
    const s: CheckpointStats = await this.job.coordinator!.trigger();
    return { entries: s.entries, bytes: s.bytes };
  }

  close(): void {
    this.job.coordinator!.stop();
    this.input.complete();
  }
}

/** The entries a checkpoint writes for keys `ids` after `round` (a reduce holds [aggregate, undefined]), grouped by key group. */
function entriesOf(ids: readonly number[], round: number): Map<number, Array<[string, string]>> {
  const groups = new Map<number, Array<[string, string]>>();
  for (const i of ids) {
    const key = keyName(i);
    const g = keyGroupOf(key, MAX_PARALLELISM);
    let list = groups.get(g);
    if (list === undefined) groups.set(g, (list = []));
    list.push([defaultStateSerializer.serialize(key), defaultStateSerializer.serialize([valueAt(i, round), undefined])]);
  }
  return groups;
}

/** The raw write: pipelined HSETs of CHUNK fields, one hash per key group, all in one pipeline. */
async function rawWrite(base: string, groups: Map<number, Array<[string, string]>>): Promise<Written> {
  const p = redis.pipeline();
  let entries = 0;
  let bytes = 0;
  for (const [g, list] of groups) {
    const key = `${PREFIX}:raw:{${base}/${g}}`;
    for (let i = 0; i < list.length; i += CHUNK) {
      const args: string[] = [];
      for (let j = i; j < Math.min(list.length, i + CHUNK); j++) {
        args.push(list[j]![0], list[j]![1]);
        bytes += list[j]![0].length + list[j]![1].length;
      }
      p.hset(key, ...args);
    }
    entries += list.length;
  }
  const results = await p.exec();
  for (const r of results ?? []) if (r[0]) throw r[0];
  return { entries, bytes };
}

/** Deletes the raw hashes of `base` (UNLINK: Redis frees them in the background). */
async function rawDelete(base: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:raw:{${base}/*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

const ms = (c: CaseResult | undefined, label: string): number => {
  const s = c?.sides.find((x) => x.label === label);
  return s === undefined ? NaN : c!.events / (s.throughput.median * 1000);
};

interface Summary {
  keys: number;
  fullMs: number;
  rawFullMs: number;
  incMs: number;
  rawIncMs: number;
  restoreMs: number;
  rawReadMs: number;
  fullBytes: number;
  incBytes: number;
  maxPause: number;
  medianPause: number;
}
const summaries: Summary[] = [];

async function writeCases(keys: number): Promise<void> {
  const all = Array.from({ length: keys }, (_, i) => i);
  const changed = Math.max(1, Math.round(keys / 100));
  const random = rng(keys);
  /** Round r changes `changed` distinct keys (a random sample; the same for both sides of a case). */
  const changeSets: number[][] = [];
  const changesOf = (r: number): number[] => {
    while (changeSets.length <= r) {
      const picked = new Set<number>();
      while (picked.size < changed) picked.add(Math.floor(random() * keys));
      changeSets.push([...picked]);
    }
    return changeSets[r]!;
  };

  // Full: every run writes the whole state (no increments), against the raw write of the same entries.
  const full = new Rig(`full-${keys}`, false);
  await full.open();
  for (const i of all) full.set(i, 0);
  const fullEntries = entriesOf(all, 0);
  const fullCase = await compare(`checkpoint ${keys.toLocaleString('en-US')} keys, full`, {
    events: keys,
    keys,
    sides: [
      { label: 'raw HSET (pipelined, 1000 fields per command)', prepare: () => rawDelete(`full-${keys}`), run: () => rawWrite(`full-${keys}`, fullEntries) },
      { label: 'tidemark full checkpoint', run: () => full.checkpoint() },
    ],
  });
  await rawDelete(`full-${keys}`);

  // Restore the full checkpoint in a new job (read the parts, rebuild the reduce's state), against HGETALL.
  if (fullCase === undefined) await full.checkpoint(); // (--case skipped it) the restore reads this one
  const meta = (await storage.latestCheckpoint(full.name))!;
  const partKeys = meta.operators.find((o) => o.uid === 'latest')!.handles.map((h) => `${PREFIX}:{${full.name}/${h.keyGroup}}:${h.checkpointId}:latest`);
  const restoreCase = await compare(`restore ${keys.toLocaleString('en-US')} keys`, {
    events: keys,
    keys,
    sides: [
      {
        label: 'raw HGETALL (pipelined, one per part)',
        run: async () => {
          const p = redis.pipeline();
          for (const k of partKeys) p.hgetall(k);
          let entries = 0;
          let bytes = 0;
          for (const [err, h] of (await p.exec()) ?? []) {
            if (err) throw err;
            for (const [f, v] of Object.entries(h as Record<string, string>)) {
              entries++;
              bytes += f.length + v.length;
            }
          }
          return { entries, bytes };
        },
      },
      {
        label: 'tidemark restore (read + rebuild state)',
        run: async () => {
          const r = new Rig(full.name, false);
          await r.open();
          r.close();
          return r.restored;
        },
      },
    ],
  });
  full.close();

  // Incremental: each run first changes 1% of the keys (untimed), then checkpoints only those.
  const inc = new Rig(`inc-${keys}`, true);
  await inc.open();
  for (const i of all) inc.set(i, 0);
  await inc.checkpoint(); // the first one is full
  inc.pauses.length = 0;
  let incRound = 0;
  let rawRound = 0;
  let rawChanges = new Map<number, Array<[string, string]>>();
  const incCase = await compare(`checkpoint ${keys.toLocaleString('en-US')} keys, incremental (${changed.toLocaleString('en-US')} changed, 1%)`, {
    events: changed,
    keys,
    sides: [
      {
        label: 'raw HSET of the changed entries',
        prepare: async () => {
          await rawDelete(`inc-${keys}`);
          rawRound++;
          rawChanges = entriesOf(changesOf(rawRound), rawRound);
        },
        run: () => rawWrite(`inc-${keys}`, rawChanges),
      },
      {
        label: 'tidemark incremental checkpoint',
        prepare: () => {
          incRound++;
          for (const i of changesOf(incRound)) inc.set(i, incRound);
        },
        run: () => inc.checkpoint(),
      },
    ],
  });
  await rawDelete(`inc-${keys}`);
  inc.close();
  const pauses = [...inc.pauses].sort((a, b) => a - b);
  summaries.push({
    keys,
    fullMs: ms(fullCase, 'tidemark full checkpoint'),
    rawFullMs: ms(fullCase, 'raw HSET (pipelined, 1000 fields per command)'),
    incMs: ms(incCase, 'tidemark incremental checkpoint'),
    rawIncMs: ms(incCase, 'raw HSET of the changed entries'),
    restoreMs: ms(restoreCase, 'tidemark restore (read + rebuild state)'),
    rawReadMs: ms(restoreCase, 'raw HGETALL (pipelined, one per part)'),
    fullBytes: (fullCase?.result as Written | undefined)?.bytes ?? NaN,
    incBytes: (incCase?.result as Written | undefined)?.bytes ?? NaN,
    maxPause: pauses[pauses.length - 1] ?? NaN,
    medianPause: pauses[pauses.length >> 1] ?? NaN,
  });
}

/** Event-time window size of the throughput job (one event per ms of event time). */
const WINDOW = 10_000;

/**
 * Throughput of a keyed window job (tumbling event-time windows counting events per key) with checkpoints
 * to Redis every second against the same job without.
 */
async function throughputCase(): Promise<{ ratio: number; checkpoints: number; longestSyncPause: number } | undefined> {
  const events = Math.max(SIZE * 5, 10_000);
  const keys = Math.max(1, Math.round(SIZE / 10));
  const random = rng(7);
  const input = Array.from({ length: events }, (_, i) => ({ user: keyName(Math.floor(random() * keys)), ts: i }));
  let run = 0;
  const completed: CheckpointStats[] = [];
  const job = async (checkpoints: boolean): Promise<{ n: number; total: number }> => {
    const name = `throughput-${run++}`;
    const j = new Job({ name, ...(checkpoints ? { checkpoints: { interval: 1_000, storage, retained: 1 }, restoreFrom: 'none' as const } : {}) });
    if (checkpoints) j.checkpointStats.subscribe((s) => s.status === 'completed' && completed.push(s));
    let n = 0;
    let total = 0;
    await new Promise<void>((resolve, reject) =>
      fromCollection(input, { job: j, uid: 'clicks' })
        .pipe(
          assignWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ user: string; ts: number }>().withTimestampAssigner((c) => c.ts)),
          keyBy((c) => c.user),
          tumblingEventWindow(WINDOW, { aggregate: windowCount(), uid: 'per-window' }),
          values(),
        )
        .subscribe({
          next: (count) => {
            n++;
            total += count;
          },
          error: reject,
          complete: resolve,
        }),
    );
    if (checkpoints) await storage.discardJob(name);
    return { n, total };
  };
  const c = await compare(`keyed window job (tumbling ${WINDOW / 1000} s event-time windows, ${keys.toLocaleString('en-US')} keys), checkpoints to Redis every second`, {
    events,
    keys,
    sides: [
      { label: 'no checkpoints', run: () => job(false) },
      { label: 'checkpoints every 1 s (Redis)', run: () => job(true) },
    ],
  });
  if (c === undefined) return undefined;
  return {
    ratio: c.sides[1]!.ratios['no checkpoints']!.median,
    checkpoints: completed.length,
    longestSyncPause: Math.max(0, ...completed.map((s) => s.longestSyncPause)),
  };
}

const f1 = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(1));
try {
  for (const keys of KEY_SCALES) await writeCases(keys);
  const tp = await throughputCase();
  console.log('\n## Summary (median of the runs above; durations in ms)');
  console.log('keys        full  raw write  full/raw   incr. 1%  raw 1%  full/incr.  restore  raw read  full MB  incr. KB  pause max  pause median');
  for (const s of summaries) {
    console.log(
      [
        s.keys.toLocaleString('en-US').padEnd(9),
        f1(s.fullMs).padStart(7),
        f1(s.rawFullMs).padStart(10),
        `${(s.fullMs / s.rawFullMs).toFixed(2)}x`.padStart(9),
        f1(s.incMs).padStart(10),
        f1(s.rawIncMs).padStart(7),
        `${(s.fullMs / s.incMs).toFixed(1)}x`.padStart(11),
        f1(s.restoreMs).padStart(8),
        f1(s.rawReadMs).padStart(9),
        (s.fullBytes / 1e6).toFixed(1).padStart(8),
        (s.incBytes / 1e3).toFixed(1).padStart(9),
        s.maxPause.toFixed(2).padStart(10),
        s.medianPause.toFixed(2).padStart(13),
      ].join(' '),
    );
  }
  if (tp !== undefined) {
    console.log(`throughput with checkpoints every second: ${tp.ratio.toFixed(2)}x without (${tp.checkpoints} checkpoints completed over all runs, longest pause reported by the operator ${tp.longestSyncPause} ms)`);
  }
  const big = summaries[summaries.length - 1]!;
  if (big !== undefined) console.log(
    `targets at ${big.keys.toLocaleString('en-US')} keys: full ≤ 2x raw: ${(big.fullMs / big.rawFullMs).toFixed(2)}x; incremental 1% ≥ 20x faster than full: ${(big.fullMs / big.incMs).toFixed(1)}x; ` +
      `throughput ≥ 0.8x: ${tp === undefined ? '-' : tp.ratio.toFixed(2)}x; longest pause < 20 ms: ${big.maxPause.toFixed(2)} ms`,
  );
} finally {
  for (const name of [...KEY_SCALES.flatMap((k) => [`full-${k}`, `inc-${k}`])]) await storage.discardJob(name);
  await storage.close();
  let cursor = '0';
  let left = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length > 0) left += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  if (left > 0) console.log(`(deleted ${left} keys left under ${PREFIX})`);
  redis.disconnect();
}
