/**
 * A tidemark source of Nexmark events with their event time and the generator's watermark.
 * @module
 */
import { Observable, type SchedulerLike } from 'rxjs';
import { InvalidArgumentError, type ErrorOrigin } from '../../core/errors';
import { Job } from '../../core/job';
import { StartElement } from '../../core/start-element';
import type { StreamElement } from '../../core/stream-element';
import { StreamRecord } from '../../core/stream-record';
import { Watermark } from '../../core/watermark';
import type { NexmarkEvent } from './model';
import { NexmarkGenerator, type NexmarkConfig } from './nexmark-generator';

/** Options of {@link nexmarkSource}. */
export interface NexmarkSourceOptions {
  /** How many events the stream has (positions 0 to `events - 1`). */
  events: number;
  /** The generator, or its options (default: Nexmark's defaults, 10 000 events per event-time second). */
  generator?: NexmarkGenerator | NexmarkConfig;
  /**
   * Position to start at: the count of events already emitted (default 0). A source restored from a
   * checkpoint that recorded position `p` passes `from: p` and emits exactly the events it had not.
   */
  from?: number;
  /**
   * The same events, generated beforehand (`generator.events(n)`): emitted instead of generating each one,
   * so a benchmark measures the pipeline, not the generator. `pregenerated[i]` must be the event at
   * position `i`, and there must be at least `events` of them.
   */
  pregenerated?: readonly NexmarkEvent[];
  /** The job this source belongs to (scheduler, execution mode); a default streaming job if absent. */
  job?: Job;
  /** Where chunks are scheduled (default: the job's scheduler). */
  scheduler?: SchedulerLike;
  /** Events emitted per chunk, each chunk followed by the generator's watermark (default 1024). */
  chunkSize?: number;
  /**
   * Rate-limited mode: every `rateLimited` ms of the scheduler's clock, emit the events whose due time has
   * come (due = subscription time + event time − `baseTime`). Off by default: events are emitted as fast
   * as the pipeline takes them (Flink's Nexmark runs at "max emit speed" as well).
   */
  rateLimited?: number;
  /**
   * Called after each chunk with the source's position: the count of events emitted so far (what a
   * checkpoint of this source records). For progress reports; keep it cheap.
   */
  onPosition?: (position: number) => void;
}

/**
 * Emits Nexmark events as timestamped records (timestamp = `dateTime`), a watermark after each chunk and
 * the largest watermark at the end. The stream is deterministic: its position is the count of events
 * emitted, so a source started `from` a position re-generates exactly the remaining events.
 *
 * It's like Flink Nexmark's `NexmarkSourceFunction` (and Beam's unbounded Nexmark source), but an RxJS
 * Observable: chunks are scheduled on the job's scheduler (the first one too, so branches made with
 * `share()` all subscribe before data flows), and under a `TestScheduler` or `VirtualTimeScheduler`
 * rate-limited mode runs in virtual time.
 *
 * ```text
 * nexmarkSource({ events: 3, chunkSize: 2 })
 * output:  S - p(0) a(0) W(-1) - a(0) M|     (S = start; the watermark is one below the next event's time)
 * ```
 *
 * Watermarks are exact: one below the smallest event time still to come (with out-of-order groups, the
 * time of the next group's first event number), so no event is ever late.
 *
 * @example
 * ```ts
 * const bids$ = nexmarkSource({ events: 1_000_000 }).pipe(filter((e) => e.type === 'bid'));
 * ```
 * @throws InvalidArgumentError when `events`, `from`, `chunkSize` or `rateLimited` is out of range, or
 * `pregenerated` is shorter than `events`.
 * @see NexmarkGenerator
 */
export function nexmarkSource(options: NexmarkSourceOptions): Observable<StreamElement<NexmarkEvent>> {
  const origin: ErrorOrigin = { operator: 'nexmarkSource' };
  const total = options.events;
  const from = options.from ?? 0;
  const chunkSize = options.chunkSize ?? 1024;
  const rateLimited = options.rateLimited;
  if (!Number.isSafeInteger(total) || total < 0) throw new InvalidArgumentError(origin, 'events', total, 'must be a non-negative integer');
  if (!Number.isSafeInteger(from) || from < 0 || from > total) throw new InvalidArgumentError(origin, 'from', from, `must be an integer in [0, events = ${total}]`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new InvalidArgumentError(origin, 'chunkSize', chunkSize, 'must be a positive integer');
  if (rateLimited !== undefined && !(Number.isFinite(rateLimited) && rateLimited > 0)) {
    throw new InvalidArgumentError(origin, 'rateLimited', rateLimited, 'must be a positive number of ms (the poll interval)');
  }
  const pre = options.pregenerated;
  const onPosition = options.onPosition;
  if (pre !== undefined && pre.length < total) throw new InvalidArgumentError(origin, 'pregenerated', `${pre.length} events`, `must hold at least events = ${total}`);
  const gen = options.generator instanceof NexmarkGenerator ? options.generator : new NexmarkGenerator(options.generator);
  const baseTime = gen.config.baseTime;

  return new Observable<StreamElement<NexmarkEvent>>((subscriber) => {
    const job = options.job ?? new Job();
    const scheduler = options.scheduler ?? job.scheduler;
    const wallBase = scheduler.now();
    subscriber.next(new StartElement(job.context(true)));
    let pos = from;
    let lastWatermark = Number.NEGATIVE_INFINITY;
    const emitUpTo = (end: number): void => {
      for (; pos < end && !subscriber.closed; pos++) {
        const e = pre !== undefined ? pre[pos]! : gen.event(pos);
        subscriber.next(new StreamRecord<NexmarkEvent>(e, e.dateTime));
      }
      onPosition?.(pos);
      if (pos < total) {
        const w = gen.watermark(pos) - 1;
        if (w > lastWatermark) {
          lastWatermark = w;
          subscriber.next(new Watermark(w));
        }
      }
    };
    const finish = (): boolean => {
      if (pos < total || subscriber.closed) return false;
      subscriber.next(Watermark.MAX);
      subscriber.complete();
      return true;
    };
    if (rateLimited === undefined) {
      return scheduler.schedule(function next() {
        try {
          emitUpTo(Math.min(pos + chunkSize, total));
          if (!finish() && !subscriber.closed) this.schedule();
        } catch (err) {
          subscriber.error(err);
        }
      });
    }
    const due = (p: number): number => wallBase + ((pre !== undefined ? pre[p]!.dateTime : gen.timestamp(gen.eventNumber(p))) - baseTime);
    const firstDelay = (p: number, now: number): number => (p < total ? Math.max(0, Math.ceil((due(p) - wallBase) / rateLimited) * rateLimited - (now - wallBase)) : 0);
    return scheduler.schedule(function poll() {
      try {
        const now = scheduler.now();
        let end = pos;
        while (end < total && due(end) <= now) end++;
        emitUpTo(end);
        if (!finish() && !subscriber.closed) this.schedule(undefined, Math.max(rateLimited, firstDelay(pos, now)));
      } catch (err) {
        subscriber.error(err);
      }
    }, firstDelay(pos, wallBase));
  });
}
