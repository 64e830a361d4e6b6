import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { InvalidArgumentError, SourceError, describeValue } from '../core/errors';
import { Job } from '../core/job';
import { StartElement } from '../core/start-element';
import type { StreamElement } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import { Watermark } from '../core/watermark';

/**
 * The wire format of a tidemark live feed (Server-Sent Events), shared by the server (`LiveFeed` in
 * `tidemark/node`) and {@link fromEventSource}. Every event has an `id:` line, its sequence number: 1, 2, 3…
 * with no gaps, so a client knows exactly where it is.
 */
export const LIVE_FEED_EVENTS = {
  /** `data: {"value": <JSON>, "timestamp"?: <ms>}`. */
  record: 'record',
  /** `data: {"time": <ms>}`. */
  watermark: 'watermark',
  /** `data: {}`: the job's output ended; the client completes. */
  end: 'end',
} as const;

/** The query parameter a reconnecting client names its position with (a new `EventSource` cannot set the `Last-Event-ID` header). */
export const LAST_EVENT_ID_PARAM = 'lastEventId';

/** One message as an `EventSource` delivers it (the part of the DOM `MessageEvent` this source reads). */
export interface EventSourceMessage {
  readonly data: string;
  readonly lastEventId: string;
}

/** The part of the browser's `EventSource` this source uses (so the core needs no DOM types). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: EventSourceMessage) => void): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A constructor of {@link EventSourceLike}s: the browser's `EventSource`, or a polyfill in Node. */
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** The part of `fetch` this source uses to learn why a server refused it. */
export type FetchLike = (url: string) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

/** Options of {@link fromEventSource}. */
export interface FromEventSourceOptions {
  /** The job this source belongs to; a default streaming job if absent. */
  job?: Job;
  /** Where the reconnect delays are scheduled (default: the job's scheduler). */
  scheduler?: SchedulerLike;
  /** The first reconnect delay in ms (default 250); it doubles at each failed attempt up to `maxBackoff`. */
  initialBackoff?: number;
  /** The largest reconnect delay in ms (default 10 000). */
  maxBackoff?: number;
  /** Resume after this sequence number (a position saved earlier); default: all the server still holds. */
  lastEventId?: number;
  /** The `EventSource` to use (default `globalThis.EventSource`, the browser's). */
  eventSource?: EventSourceConstructor;
  /** Used once when the server refuses a connection, to read its reason (default `globalThis.fetch`). */
  fetch?: FetchLike;
}

const ORIGIN = { operator: 'fromEventSource' };
const CLOSED = 2;

function withPosition(url: string, id: number | undefined): string {
  if (id === undefined) return url;
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const cleaned = base.replace(new RegExp(`([?&])${LAST_EVENT_ID_PARAM}=[^&]*(&|$)`), (_m, sep: string, end: string) => (end === '&' ? sep : '')).replace(/[?&]$/, '');
  return `${cleaned}${cleaned.includes('?') ? '&' : '?'}${LAST_EVENT_ID_PARAM}=${id}`;
}

/**
 * A source reading a tidemark live feed (Server-Sent Events from `LiveFeed` in `tidemark/node`) with the
 * browser's `EventSource`: it emits the job's start element, then each record (value and event-time
 * timestamp) and watermark the server published, and completes when the server's output ends.
 *
 * It keeps the sequence number of the last event it received. When the connection drops (the server
 * restarted, the network went away) it reconnects after a delay that doubles from `initialBackoff` up to
 * `maxBackoff` (reset once connected) and asks for what comes after that number, so nothing is missed or
 * repeated: events it already has are skipped, and an event that would skip one fails the source.
 *
 * It's like RxJS's `fromEvent(eventSource, 'message')`, but resuming across reconnects, and like a Flink
 * source reading a replayable log by offset.
 *
 * ```text
 * server     1:a 2:W(5) 3:b  ✕(restart)  4:c 5:end
 * source     S a W(5) b ......(backoff, reconnect after 3)...... c |
 * ```
 *
 * @example
 * ```ts
 * fromEventSource<{ url: string; count: number }>('http://localhost:8080/feed').pipe(values()).subscribe((w) => console.log(w))
 * ```
 * @throws InvalidArgumentError for bad options (synchronously); {@link SourceError} (as an error
 *   notification) when there is no `EventSource`, the server refuses the connection (its reason in the
 *   message), an event is not valid JSON, or the feed skips an event.
 * @see LiveFeed in `tidemark/node`
 */
export function fromEventSource<T>(url: string, options: FromEventSourceOptions = {}): Observable<StreamElement<T>> {
  if (typeof url !== 'string' || url.length === 0) throw new InvalidArgumentError(ORIGIN, 'url', url, 'must be the URL of a live feed');
  const initial = options.initialBackoff ?? 250;
  const max = options.maxBackoff ?? 10_000;
  if (typeof initial !== 'number' || !(initial > 0) || !Number.isFinite(initial)) throw new InvalidArgumentError(ORIGIN, 'initialBackoff', initial, 'must be a finite number of ms > 0');
  if (typeof max !== 'number' || !(max >= initial) || !Number.isFinite(max)) throw new InvalidArgumentError(ORIGIN, 'maxBackoff', max, 'must be a finite number of ms ≥ initialBackoff');
  const start = options.lastEventId;
  if (start !== undefined && (!Number.isSafeInteger(start) || start < 0)) throw new InvalidArgumentError(ORIGIN, 'lastEventId', start, 'must be a sequence number (an integer ≥ 0)');
  return new Observable<StreamElement<T>>((subscriber) => {
    const job = options.job ?? new Job();
    const scheduler = options.scheduler ?? job.scheduler;
    const ES = options.eventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
    const fetchFn = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
    if (ES === undefined) {
      subscriber.error(new SourceError(ORIGIN, 'there is no EventSource here (not a browser?): pass one as options.eventSource'));
      return;
    }
    let last = start;
    let delay = initial;
    let es: EventSourceLike | undefined;
    let retry: Subscription | undefined;
    const fail = (message: string, cause?: unknown): void => {
      es?.close();
      subscriber.error(new SourceError(ORIGIN, message, cause));
    };
    /** Accepts an event's id: false for one already seen; fails on a gap. */
    const accept = (e: EventSourceMessage): boolean => {
      const id = Number(e.lastEventId);
      if (!Number.isSafeInteger(id) || id < 1) {
        fail(`the live feed at ${url} sent an event whose id ${describeValue(e.lastEventId)} is not a sequence number`);
        return false;
      }
      if (last !== undefined && id <= last) return false;
      if (last !== undefined && id !== last + 1) {
        fail(`the live feed at ${url} skipped from event ${last} to ${id}: events ${last + 1}…${id - 1} are missing`);
        return false;
      }
      last = id;
      return true;
    };
    const parse = (e: EventSourceMessage): Record<string, unknown> | undefined => {
      try {
        const x = JSON.parse(e.data) as unknown;
        if (x !== null && typeof x === 'object') return x as Record<string, unknown>;
      } catch (err) {
        fail(`the live feed at ${url} sent event ${e.lastEventId} with data that is not JSON: ${describeValue(e.data)}`, err);
        return undefined;
      }
      fail(`the live feed at ${url} sent event ${e.lastEventId} with data that is not an object: ${describeValue(e.data)}`);
      return undefined;
    };
    const reconnect = (): void => {
      es?.close();
      es = undefined;
      const wait = delay;
      delay = Math.min(max, delay * 2);
      retry = scheduler.schedule(connect, wait);
    };
    /** The browser gave up on a connection (an HTTP error or a wrong content type): ask the server why. */
    const diagnose = (target: string): void => {
      es?.close();
      es = undefined;
      if (fetchFn === undefined) {
        fail(`the live feed at ${target} refused the connection`);
        return;
      }
      fetchFn(target).then(
        (r) =>
          r.ok
            ? reconnect()
            : r.text().then(
                (text) => fail(`the live feed at ${target} refused the connection: HTTP ${r.status}: ${text.trim()}`),
                () => fail(`the live feed at ${target} refused the connection: HTTP ${r.status}`),
              ),
        () => reconnect(), // unreachable now: retry later
      );
    };
    function connect(): void {
      if (subscriber.closed) return;
      const target = withPosition(url, last);
      let source: EventSourceLike;
      try {
        source = new ES!(target);
      } catch (err) {
        fail(`cannot open the live feed at ${target}: ${(err as Error).message}`, err);
        return;
      }
      es = source;
      source.onopen = () => {
        delay = initial;
      };
      source.onerror = () => {
        if (es !== source || subscriber.closed) return;
        if (source.readyState === CLOSED) diagnose(target);
        else reconnect();
      };
      source.addEventListener(LIVE_FEED_EVENTS.record, (e) => {
        if (es !== source || !accept(e)) return;
        const d = parse(e);
        if (d === undefined) return;
        const ts = d['timestamp'];
        subscriber.next(typeof ts === 'number' ? new StreamRecord(d['value'] as T, ts) : (d['value'] as T));
      });
      source.addEventListener(LIVE_FEED_EVENTS.watermark, (e) => {
        if (es !== source || !accept(e)) return;
        const d = parse(e);
        if (d === undefined) return;
        if (typeof d['time'] !== 'number') {
          fail(`the live feed at ${url} sent watermark ${e.lastEventId} without a numeric time: ${describeValue(e.data)}`);
          return;
        }
        subscriber.next(new Watermark(d['time']));
      });
      source.addEventListener(LIVE_FEED_EVENTS.end, (e) => {
        if (es !== source || !accept(e)) return;
        source.close();
        es = undefined;
        subscriber.complete();
      });
    }
    subscriber.next(new StartElement(job.context(false)));
    connect();
    return () => {
      retry?.unsubscribe();
      es?.close();
      es = undefined;
    };
  });
}
