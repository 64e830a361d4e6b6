import { Observable, type Subscription } from 'rxjs';
import type { RestoredParts } from '../checkpoint/checkpoint-coordinator';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, InvalidArgumentError, SourceError, UnparsableRecordError, describeValue } from '../core/errors';
import { Job } from '../core/job';
import { OutputTag } from '../core/output-tag';
import { SideOutput } from '../core/side-output';
import { StartElement } from '../core/start-element';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { Watermark } from '../core/watermark';
import { WatermarkStatus } from '../core/watermark-status';
import type { DeadLetter } from '../sources/dead-letter';
import type { WatermarkGenerator } from '../time/watermark-generator';
import { WatermarkOutputMultiplexer } from '../time/watermark-output-multiplexer';
import { WatermarkStrategy } from '../time/watermark-strategy';
import { openConnection, type RedisConnectionOptions } from './redis-connection';

/** One entry of a Redis Stream, as {@link fromRedisStream} hands it to `parse`. */
export interface RedisStreamEntry {
  /** The stream key (the split). */
  readonly key: string;
  /** The entry id, `ms-seq`. */
  readonly id: string;
  /** The entry's fields. */
  readonly fields: Record<string, string>;
}

/** Consumer-group reading (at least once without checkpoints): see {@link FromRedisStreamOptions.group}. */
export interface RedisStreamGroup {
  /** The group's name (created with MKSTREAM when missing). */
  name: string;
  /** This consumer's name in the group. */
  consumer: string;
  /** Where a new group starts: `'0'` (default: every entry) or `'$'` (new entries only). */
  startFrom?: string;
}

/** Options of {@link fromRedisStream}. */
export interface FromRedisStreamOptions<T> extends RedisConnectionOptions {
  /** The stream key, or several: each is a split with its own position and watermark. */
  keys: string | readonly string[];
  /** The job (default a new streaming job). */
  job?: Job;
  /** Names the source's positions in checkpoints (needed when the job checkpoints). */
  uid?: string;
  /** Display name in errors and dead letters (default `fromRedisStream`). */
  name?: string;
  /**
   * Where a split starts when no checkpoint has a position for it: `'0'` (default: its first entry), `'$'`
   * (entries added from now on) or an entry id (the entries after it).
   */
  startFrom?: string;
  /** Entries per read (XREAD COUNT, default 500). */
  count?: number;
  /** How long a read waits for new entries, in ms (XREAD BLOCK, default 1000). */
  blockMs?: number;
  /** Turns an entry into the record's value (default: its fields). What it throws makes a dead letter. */
  parse?: (entry: RedisStreamEntry) => T;
  /**
   * Per-split watermarks: one generator per stream key, combined by a {@link WatermarkOutputMultiplexer}
   * (the minimum over active splits). Timestamps come from its assigner, else from the entry id's ms.
   */
  watermarks?: WatermarkStrategy<T>;
  /** Periodic watermark emit interval in ms of the job's scheduler (default 200). */
  watermarkInterval?: number;
  /** Where entries that `parse` refuses go (default: the source fails with an {@link UnparsableRecordError}). */
  deadLetters?: OutputTag<DeadLetter>;
  /**
   * Read only the entries present at start (up to each key's last id then), then emit the end-of-input
   * watermark, take a final checkpoint (when the job checkpoints) and complete.
   */
  bounded?: boolean;
  /** A stream key deleted while it is read: `'fail'` (default, a SourceError) or `'drop'` (the split is removed). */
  onDeletedKey?: 'fail' | 'drop';
  /**
   * Read through a consumer group (XREADGROUP) and acknowledge (XACK) entries once emitted, or, when the
   * job checkpoints, once the checkpoint after them completes. Unacknowledged entries are read again first
   * after a restart: at least once, without positions in checkpoints.
   */
  group?: RedisStreamGroup;
}

const POSITION = 'pos:';
type XReadReply = Array<[string, Array<[string, string[]]>]> | null;

/** Compares two stream ids `ms-seq` (a missing sequence counts as 0). */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  const d = Number(am) - Number(bm);
  return d !== 0 ? Math.sign(d) : Math.sign(Number(as) - Number(bs));
}

function checkOptionsOf<T>(o: FromRedisStreamOptions<T>, origin: { operator: string; uid?: string | undefined }): string[] {
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError(origin, 'options', o, "must be an object like { keys: 'clicks' }");
  const keys = typeof o.keys === 'string' ? [o.keys] : Array.isArray(o.keys) ? [...(o.keys as string[])] : undefined;
  if (keys === undefined || keys.length === 0 || keys.some((k) => typeof k !== 'string' || k.length === 0)) {
    throw new InvalidArgumentError(origin, 'keys', o.keys, 'must be a stream key or a non-empty array of them');
  }
  if (new Set(keys).size !== keys.length) throw new InvalidArgumentError(origin, 'keys', o.keys, 'must not name a key twice');
  for (const [name, v] of [
    ['count', o.count],
    ['blockMs', o.blockMs],
    ['watermarkInterval', o.watermarkInterval],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new InvalidArgumentError(origin, name, v, 'must be a positive integer');
  }
  if (o.parse !== undefined && typeof o.parse !== 'function') throw new InvalidArgumentError(origin, 'parse', o.parse, 'must be a function (entry) => value');
  if (o.watermarks !== undefined && !(o.watermarks instanceof WatermarkStrategy)) throw new InvalidArgumentError(origin, 'watermarks', o.watermarks, 'must be a WatermarkStrategy');
  if (o.deadLetters !== undefined && !(o.deadLetters instanceof OutputTag)) throw new InvalidArgumentError(origin, 'deadLetters', o.deadLetters, 'must be an OutputTag<DeadLetter>');
  if (o.startFrom !== undefined && !/^(\$|\d+(-\d+)?)$/.test(o.startFrom)) throw new InvalidArgumentError(origin, 'startFrom', o.startFrom, "must be '0', '$' or an entry id like '1700000000000-0'");
  if (o.onDeletedKey !== undefined && o.onDeletedKey !== 'fail' && o.onDeletedKey !== 'drop') throw new InvalidArgumentError(origin, 'onDeletedKey', o.onDeletedKey, "must be 'fail' or 'drop'");
  if (o.group !== undefined && (typeof o.group?.name !== 'string' || o.group.name === '' || typeof o.group.consumer !== 'string' || o.group.consumer === '')) {
    throw new InvalidArgumentError(origin, 'group', o.group, "must be { name: 'group', consumer: 'consumer-1' }");
  }
  return keys;
}

function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

interface Split {
  readonly key: string;
  /** The id of the last entry emitted (`0-0` before the first). */
  position: string;
  /** The id of the last entry read (reads run one batch ahead of emission). */
  fetched: string;
  /** In bounded mode: everything up to `end` is read (not necessarily emitted yet). */
  fetchDone: boolean;
  /** In bounded mode, the last id to read. */
  end: string | undefined;
  done: boolean;
  generator: WatermarkGenerator<unknown> | undefined;
}

/**
 * A source that reads one or several Redis Streams (each key a split) in blocking batches
 * (`XREAD COUNT n BLOCK ms` on a connection of its own). With checkpoints, each split's position (the id of
 * the last entry emitted) is stored in the checkpoint under the source's uid, and a restored source resumes
 * after it: exactly once with an exactly-once sink. Barriers go out between two records.
 *
 * Per-split watermarks (`watermarks`) are combined as Flink's `WatermarkOutputMultiplexer` does: one slow
 * key holds event time back, an idle one does not. An entry `parse` refuses goes to the `deadLetters` side
 * output, or fails the source naming the key and the entry id. `group` reads through a consumer group
 * instead (XREADGROUP + XACK, at least once). `bounded` reads what is there at start, then completes after a
 * final checkpoint.
 *
 * ```text
 * stream clicks: 1-0 a, 2-0 b, 3-0 c      (count: 2)
 * fromRedisStream({ keys: 'clicks' })      S-(ab)-c---    records a, b, c with timestamps 1, 2, 3
 * ```
 *
 * @example
 * ```ts
 * const job = new Job({ checkpoints: { interval: 1_000, storage } });
 * fromRedisStream({ keys: ['clicks:eu', 'clicks:us'], job, uid: 'clicks', parse: (e) => JSON.parse(e.fields.json!) as Click,
 *   watermarks: WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withTimestampAssigner((c) => c.ts) })
 * ```
 * @throws InvalidArgumentError for bad options; the stream errors with a `SourceError` when Redis fails or a
 * key is deleted while read, an `UnparsableRecordError` for an unparsable entry without `deadLetters`, and
 * a `CheckpointError` without a uid in a checkpointing job.
 * @see docs/connectors.md, Flink's `KafkaSource`
 */
export function fromRedisStream<T = Record<string, string>>(options: FromRedisStreamOptions<T>): Observable<StreamElement<T>> {
  const origin = { operator: options?.name ?? 'fromRedisStream', uid: options?.uid };
  const keys = checkOptionsOf(options, origin);
  const count = options.count ?? 500;
  const blockMs = options.blockMs ?? 1_000;
  const parse = options.parse ?? ((e: RedisStreamEntry) => e.fields as unknown as T);
  const deadLetters = options.deadLetters;
  const bounded = options.bounded === true;
  const group = options.group;
  return new Observable<StreamElement<T>>((subscriber) => {
    const job = options.job ?? new Job();
    const coordinator = job.coordinator;
    const uid = options.uid;
    if (coordinator !== undefined && uid === undefined) {
      subscriber.error(new CheckpointError(origin, `job "${job.name}" checkpoints, so its sources need a uid to store their positions under: fromRedisStream({ keys, job, uid: 'clicks' })`));
      return;
    }
    const { redis, description } = openConnection(options);
    let closed = false;
    const splits = new Map<string, Split>(keys.map((k) => [k, { key: k, position: '0-0', fetched: '0-0', fetchDone: false, end: undefined, done: false, generator: undefined }]));
    const strategy = options.watermarks;
    const mux =
      strategy === undefined
        ? undefined
        : new WatermarkOutputMultiplexer({
            emitWatermark: (t) => subscriber.next(new Watermark(t)),
            markIdle: () => subscriber.next(WatermarkStatus.IDLE),
            markActive: () => subscriber.next(WatermarkStatus.ACTIVE),
          });
    const assigner = strategy?.timestampAssigner;
    let emitting = false;
    let queued: CheckpointBarrier[] | undefined;
    /** Group mode: ids emitted since the last barrier, and those waiting for their checkpoint. */
    let unacked = new Map<string, string[]>();
    const awaitingAck = new Map<number, Map<string, string[]>>();
    const subs: Subscription[] = [];
    let ended: (() => void) | undefined;

    const fail = (err: unknown): void => {
      if (closed) return;
      subscriber.error(err instanceof SourceError || err instanceof CheckpointError ? err : new SourceError(origin, `reading ${describeValue(keys.join(', '))} from ${description} failed: ${(err as Error)?.message ?? String(err)}`, err));
    };

    const snapshot = (): Array<[string, string]> => (group === undefined ? [...splits.values()].map((s) => [POSITION + s.key, s.position]) : []);
    const emitBarrier = (b: CheckpointBarrier): void => {
      if (subscriber.closed) return;
      if (emitting) {
        (queued ??= []).push(b);
        return;
      }
      if (group !== undefined) {
        awaitingAck.set(b.checkpointId, unacked);
        unacked = new Map();
      }
      b.acknowledger?.acknowledge(uid!, { parts: true, operator: snapshot() });
      subscriber.next(b);
    };

    const ack = async (ids: Map<string, string[]>): Promise<void> => {
      if (group === undefined || ids.size === 0) return;
      const p = redis.pipeline();
      for (const [key, list] of ids) if (list.length > 0) p.xack(key, group.name, ...list);
      const results = (await p.exec()) ?? [];
      for (const [err] of results) if (err) throw err;
    };

    const emitEntry = (split: Split, id: string, flat: string[]): void => {
      const entry: RedisStreamEntry = { key: split.key, id, fields: fieldsOf(flat) };
      const idMs = Number(id.slice(0, id.indexOf('-')));
      let value: T;
      try {
        value = parse(entry);
      } catch (err) {
        if (deadLetters === undefined) throw new UnparsableRecordError(origin, split.key, id, err);
        const letter: DeadLetter = { source: uid ?? origin.operator, split: split.key, offset: id, raw: entry.fields, error: err instanceof Error ? err.message : describeValue(err) };
        split.position = id;
        subscriber.next(new SideOutput(deadLetters, new StreamRecord(letter, idMs)));
        return;
      }
      const ts = assigner === undefined ? idMs : assigner(value, idMs);
      split.position = id;
      if (group !== undefined) {
        let list = unacked.get(split.key);
        if (list === undefined) unacked.set(split.key, (list = []));
        list.push(id);
      }
      subscriber.next(new StreamRecord(value, ts));
      if (split.generator !== undefined) split.generator.onEvent(value, ts, mux!.getImmediateOutput(split.key));
    };

    const emitBatch = (reply: XReadReply): void => {
      if (reply === null) return;
      emitting = true;
      try {
        for (const [key, entries] of reply) {
          const split = splits.get(key);
          if (split === undefined) continue;
          for (const [id, flat] of entries) {
            if (subscriber.closed) return;
            if (split.end !== undefined && compareStreamIds(id, split.end) > 0) {
              split.done = true;
              break;
            }
            if (flat === null) continue; // an entry deleted from the pending list (XDEL) has no fields
            emitEntry(split, id, flat);
            if (split.end !== undefined && compareStreamIds(id, split.end) >= 0) split.done = true;
            if (queued !== undefined) {
              emitting = false;
              const bs = queued;
              queued = undefined;
              for (const b of bs) emitBarrier(b);
              emitting = true;
            }
          }
        }
      } finally {
        emitting = false;
      }
    };

    const lastId = async (key: string): Promise<string | undefined> => {
      const r = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
      return r[0]?.[0];
    };

    /** After a read that found nothing: a split that had entries and whose key is gone was deleted. */
    const checkDeleted = async (): Promise<void> => {
      for (const split of [...splits.values()]) {
        if (split.position === '0-0' || split.done) continue;
        if ((await redis.exists(split.key)) === 1) continue;
        if (options.onDeletedKey === 'drop') {
          splits.delete(split.key);
          mux?.unregisterOutput(split.key);
          continue;
        }
        throw new SourceError(origin, `stream key ${JSON.stringify(split.key)} was deleted while it was read (the last entry read was ${split.position}); set onDeletedKey: 'drop' to go on without it`);
      }
    };

    const read = async (pendingFirst: boolean): Promise<XReadReply> => {
      const active = [...splits.values()].filter((s) => !s.done && !s.fetchDone);
      const args: Array<string | number> = ['COUNT', count];
      if (!pendingFirst) args.push('BLOCK', blockMs);
      args.push('STREAMS', ...active.map((s) => s.key));
      if (group === undefined) {
        args.push(...active.map((s) => s.fetched));
        return (await redis.call('XREAD', ...args)) as XReadReply;
      }
      args.push(...active.map((s) => (pendingFirst ? s.position : '>')));
      return (await redis.call('XREADGROUP', 'GROUP', group.name, group.consumer, ...args)) as XReadReply;
    };

    const finish = async (): Promise<void> => {
      subscriber.next(Watermark.MAX);
      if (coordinator !== undefined) {
        // the final checkpoint: what the end-of-input watermark fired is committed before completion
        await coordinator.trigger();
      }
      await ack(unacked);
      if (!closed) subscriber.complete();
    };

    /** Without a group: each read goes out as soon as the previous one answered, so Redis works while a batch is emitted. */
    const loopAhead = async (): Promise<void> => {
      let ahead: Promise<XReadReply> | undefined;
      while (!closed) {
        if (splits.size === 0 || [...splits.values()].every((s) => s.done)) {
          if (bounded || splits.size === 0) return finish();
        }
        const reply = await (ahead ?? read(false));
        ahead = undefined;
        if (closed) return;
        if (reply === null) {
          await checkDeleted();
          continue;
        }
        for (const [key, entries] of reply) {
          const split = splits.get(key);
          if (split === undefined || entries.length === 0) continue;
          split.fetched = entries[entries.length - 1]![0];
          if (split.end !== undefined && compareStreamIds(split.fetched, split.end) >= 0) split.fetchDone = true;
        }
        if ([...splits.values()].some((s) => !s.done && !s.fetchDone)) {
          ahead = read(false);
          ahead.catch(() => {}); // awaited below; if emission fails first, teardown closes the connection
        }
        emitBatch(reply);
      }
    };

    const loop = async (): Promise<void> => {
      if (group === undefined) return loopAhead();
      let pendingFirst = group !== undefined;
      while (!closed) {
        if ([...splits.values()].every((s) => s.done)) {
          if (bounded) return finish();
          if (splits.size === 0) return finish();
        }
        const reply = await read(pendingFirst);
        if (closed) return;
        if (pendingFirst) {
          // the entries this consumer read before a restart and never acknowledged come first
          if (reply === null || reply.every(([, entries]) => entries.length === 0)) {
            pendingFirst = false;
            continue;
          }
          emitBatch(reply);
          // the pending list is read by id: go on after the last one
          for (const [key, entries] of reply) {
            const split = splits.get(key);
            if (split !== undefined && entries.length > 0) split.position = entries[entries.length - 1]![0];
          }
        } else if (reply === null) {
          await checkDeleted();
          continue;
        } else {
          emitBatch(reply);
        }
        if (group !== undefined && coordinator === undefined) {
          const ids = unacked;
          unacked = new Map();
          await ack(ids);
        }
      }
    };

    const init = async (): Promise<void> => {
      await job.prepare();
      if (closed) return;
      const context = job.context(bounded);
      const restored = uid === undefined ? undefined : (context.restoredState?.get(uid) as Partial<RestoredParts> | undefined);
      if (restored !== undefined && restored.parts !== true) {
        throw new CheckpointError(origin, `the state restored under uid "${uid}" was not written by fromRedisStream; give this source another uid`);
      }
      for (const split of splits.values()) {
        const stored = restored?.operator?.get(POSITION + split.key);
        if (group !== undefined) split.position = '0-0'; // the group keeps the position; its pending list is read from the start
        else if (stored !== undefined) split.position = stored;
        else if (options.startFrom === '$') split.position = (await lastId(split.key)) ?? '0-0';
        else if (options.startFrom !== undefined && options.startFrom !== '0') split.position = options.startFrom;
        split.fetched = split.position;
        if (bounded) {
          split.end = await lastId(split.key);
          split.done = split.end === undefined || compareStreamIds(split.position, split.end) >= 0;
        }
      }
      if (group !== undefined) {
        for (const key of keys) {
          try {
            await redis.xgroup('CREATE', key, group.name, group.startFrom ?? '0', 'MKSTREAM');
          } catch (err) {
            if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
          }
        }
      }
      if (closed) return;
      if (coordinator !== undefined) {
        ended = job.sourceStarted((err) => subscriber.error(err));
        const unregister = coordinator.register(uid!, {
          notifyCheckpointComplete: (id) => {
            if (group === undefined) return;
            const due = new Map<string, string[]>();
            for (const [cid, ids] of [...awaitingAck]) {
              if (cid > id) continue;
              awaitingAck.delete(cid);
              for (const [k, list] of ids) due.set(k, [...(due.get(k) ?? []), ...list]);
            }
            ack(due).catch(fail);
          },
        });
        const unregisterSource = coordinator.registerSource({ uid: uid!, emitBarrier });
        subscriber.add(() => {
          unregister();
          unregisterSource();
          ended?.();
        });
      }
      subscriber.next(new StartElement(context));
      if (mux !== undefined) {
        const genContext = { scheduler: job.scheduler, currentProcessingTime: () => job.scheduler.now() };
        for (const split of splits.values()) {
          mux.registerNewOutput(split.key);
          split.generator = strategy!.createWatermarkGenerator(genContext) as WatermarkGenerator<unknown>;
        }
        const interval = options.watermarkInterval ?? 200;
        subs.push(
          job.scheduler.schedule(function periodic() {
            if (closed) return;
            try {
              for (const split of splits.values()) split.generator?.onPeriodicEmit(mux.getDeferredOutput(split.key));
              mux.onPeriodicEmit();
            } catch (err) {
              subscriber.error(err);
              return;
            }
            this.schedule(undefined, interval);
          }, interval),
        );
      }
      await loop();
    };

    init().catch(fail);
    return () => {
      closed = true;
      for (const s of subs) s.unsubscribe();
      redis.disconnect();
      ended?.();
    };
  });
}
