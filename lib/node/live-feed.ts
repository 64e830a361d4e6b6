import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperatorFunction } from 'rxjs';
import type { RestoredParts } from '../checkpoint/checkpoint-coordinator';
import { CheckpointError, InvalidArgumentError, SinkError, describeValue } from '../core/errors';
import { failOperator, operateElements } from '../core/operate-elements';
import type { StreamElement } from '../core/stream-element';
import { LAST_EVENT_ID_PARAM, LIVE_FEED_EVENTS } from '../sources/from-event-source';

/** Options of a {@link LiveFeed}. */
export interface LiveFeedOptions {
  /** How many of the latest events the feed keeps for clients that resume (default 10 000). */
  replayBuffer?: number;
  /** The request path the feed answers (default `/feed`). */
  path?: string;
  /** `Access-Control-Allow-Origin` for pages on another origin (default: none, same origin only). */
  allowOrigin?: string;
  /** A comment line every this many ms keeps idle connections open through proxies (default 15 000). */
  heartbeat?: number;
  /** The reconnect delay the browser's own `EventSource` uses (`retry:`, default 1 000 ms). */
  retry?: number;
  /** A client more than this many bytes behind (its socket's buffer) is disconnected; it resumes on reconnect (default 8 MiB). */
  maxClientBacklog?: number;
}

/** Options of {@link LiveFeed.publish}. */
export interface LiveFeedPublishOptions {
  /** Names the feed's state in checkpoints (needed when the job checkpoints). */
  uid?: string;
  /** Display name in errors (default `liveFeed`). */
  name?: string;
}

/** A running HTTP server of a {@link LiveFeed}. */
export interface LiveFeedServer {
  /** The port it listens on (the one the OS chose for port 0). */
  readonly port: number;
  /** The feed's URL on this machine. */
  readonly url: string;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

/** One published event: its sequence number, name and data line. */
interface FeedEvent {
  readonly id: number;
  readonly event: string;
  readonly data: string;
}

interface Client {
  readonly res: ServerResponse;
  /** Events after this id are sent to it. */
  sent: number;
}

const ORIGIN = { operator: 'LiveFeed' };
const POSITION = /^(0|[1-9]\d{0,14})$/;

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new InvalidArgumentError(ORIGIN, name, v, 'must be a positive integer');
  return v;
}

function frame(e: FeedEvent): string {
  return `id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}\n\n`;
}

/**
 * A live feed of a job's results over Server-Sent Events, on Node's own `http`: the job's stream ends in
 * `feed.publish({ uid })`, and browsers read it with `fromEventSource(url)` from `tidemark` (or any
 * `EventSource`). Each record (its value as JSON, and its timestamp), each watermark and the end of the
 * output is one event whose `id:` is its sequence number (1, 2, 3… without gaps).
 *
 * **Resuming.** A client that reconnects names the last id it has, in the `Last-Event-ID` header (the
 * browser's own reconnect) or the `lastEventId` query parameter; it receives what comes after, from a
 * replay buffer of the latest `replayBuffer` events (the bound), then the live events. Without a
 * position it receives the whole buffer first. A position older than the buffer is refused (HTTP 410),
 * one the feed never reached (HTTP 409), and one that is not a sequence number (HTTP 400), each with a
 * plain-text reason.
 *
 * **Across a restart of the server.** When the job checkpoints, the feed publishes the events of a
 * checkpoint interval only once that checkpoint completes (a two-phase commit: staged at the barrier,
 * published on `notifyCheckpointComplete`), and its sequence number and replay buffer are in the
 * checkpoint: a restarted job goes on from the checkpoint with the same numbering, so a client resumes
 * with neither gaps nor duplicates. The price is latency: a checkpoint interval. Without checkpoints
 * events are published at once, and a restarted feed starts a new sequence (clients of the old one get
 * HTTP 409 and must start over).
 *
 * It's like a Flink sink with a two-phase commit, whose committed output is a replayable log that
 * browsers tail.
 *
 * ```text
 * job        a W(5) B1 b | checkpoint 1 completes | end
 * clients    ............ 1:a 2:W(5) .............. 3:b 4:end
 * ```
 *
 * @example
 * ```ts
 * const feed = new LiveFeed<{ url: string; count: number }>({ allowOrigin: '*' });
 * const server = await feed.listen(8080);           // or http.createServer(feed.handler)
 * windows$.pipe(feed.publish({ uid: 'feed' })).subscribe();
 * // in the browser: fromEventSource(`${server.url}`)
 * ```
 * @typeParam T - the records' values (JSON-serializable).
 * @throws InvalidArgumentError for bad options.
 * @see fromEventSource, docs/live-feed.md
 */
export class LiveFeed<T> {
  readonly replayBuffer: number;
  readonly path: string;
  private readonly allowOrigin: string | undefined;
  private readonly heartbeat: number;
  private readonly retry: number;
  private readonly maxClientBacklog: number;
  /** The published events, the latest `replayBuffer` of them. */
  private readonly buffer: FeedEvent[] = [];
  /** The last sequence number given. */
  private seq = 0;
  /** The last sequence number published (sent to clients). */
  private published = 0;
  private readonly clients = new Set<Client>();
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private publishing = false;
  /** The end was published: responses end after it. */
  private ended = false;

  constructor(options: LiveFeedOptions = {}) {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(ORIGIN, 'options', options, 'must be an object when given');
    this.replayBuffer = positiveInt('replayBuffer', options.replayBuffer ?? 10_000);
    this.path = options.path ?? '/feed';
    if (typeof this.path !== 'string' || !this.path.startsWith('/')) throw new InvalidArgumentError(ORIGIN, 'path', this.path, "must start with '/'");
    this.allowOrigin = options.allowOrigin;
    this.heartbeat = positiveInt('heartbeat', options.heartbeat ?? 15_000);
    this.retry = positiveInt('retry', options.retry ?? 1_000);
    this.maxClientBacklog = positiveInt('maxClientBacklog', options.maxClientBacklog ?? 8 * 1024 * 1024);
  }

  /** How many clients are connected. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** The sequence number of the last event published (0 before the first). */
  get position(): number {
    return this.published;
  }

  /** The request listener: `http.createServer(feed.handler)` or call it from your own server's routes. */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    const refuse = (status: number, why: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...this.corsHeaders() });
      res.end(`${why}\n`);
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...this.corsHeaders(), 'access-control-allow-headers': 'last-event-id', 'access-control-allow-methods': 'GET' });
      res.end();
      return;
    }
    if (req.method !== 'GET') return refuse(405, `the live feed answers GET only, not ${describeValue(req.method)}`);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return refuse(400, `the request URL ${describeValue(req.url)} is not valid`);
    }
    if (url.pathname !== this.path) return refuse(404, `no live feed at ${describeValue(url.pathname)}: it is at ${this.path}`);
    const header = req.headers['last-event-id'];
    const query = url.searchParams.get(LAST_EVENT_ID_PARAM);
    const raw = typeof header === 'string' && header !== '' ? header : (query ?? undefined);
    let after: number;
    if (raw === undefined) after = Math.max(0, (this.buffer[0]?.id ?? this.published + 1) - 1);
    else {
      if (!POSITION.test(raw)) {
        return refuse(400, `Last-Event-ID (or ${LAST_EVENT_ID_PARAM}) must be a sequence number this feed sent (an integer ≥ 0), got ${describeValue(raw)}`);
      }
      after = Number(raw);
      if (after > this.published) {
        return refuse(409, `position ${after} is ahead of this feed (its last event is ${this.published}): the server restarted without its checkpoint; reconnect without a position to start over`);
      }
      const oldest = this.buffer[0]?.id ?? this.published + 1;
      if (after < oldest - 1) {
        return refuse(
          410,
          `position ${after} is older than the replay buffer (it holds events ${oldest}…${this.published}, the latest ${this.replayBuffer}): events ${after + 1}…${oldest - 1} are gone; reconnect without a position to start from the oldest, or raise replayBuffer`,
        );
      }
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...this.corsHeaders(),
    });
    const client: Client = { res, sent: after };
    this.clients.add(client);
    res.on('close', () => this.drop(client));
    let backlog = `retry: ${this.retry}\n\n`;
    for (const e of this.buffer) if (e.id > after) backlog += frame(e);
    client.sent = this.published;
    if (this.ended) {
      // the output is over: what is left, then the response ends
      res.end(backlog);
      return;
    }
    res.write(backlog);
    this.startHeartbeat();
  };

  /**
   * Listens on `port` (0: any free one) at `host` (default all interfaces) with a server of its own.
   * @throws (as a rejection) the server's error, e.g. the port is in use.
   */
  listen(port: number, host?: string): Promise<LiveFeedServer> {
    const server: Server = createServer(this.handler);
    return new Promise<LiveFeedServer>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const actual = (server.address() as AddressInfo).port;
        resolve({
          port: actual,
          url: `http://${host ?? 'localhost'}:${actual}${this.path}`,
          close: () =>
            new Promise<void>((done) => {
              for (const c of [...this.clients]) c.res.end();
              server.closeAllConnections();
              server.close(() => done());
            }),
        });
      });
    });
  }

  /**
   * The operator that publishes a job's records and watermarks to this feed (it emits nothing and
   * completes with its input, after publishing the end). One stream publishes to a feed at a time.
   * @throws {@link CheckpointError} (as an error notification) when the job checkpoints and no uid is given.
   * @throws SinkError (as an error notification) for a value JSON cannot represent.
   */
  publish(options: LiveFeedPublishOptions = {}): OperatorFunction<StreamElement<T, unknown>, never> {
    const uid = options.uid;
    const origin = { operator: options.name ?? 'liveFeed', uid };
    return operateElements<T, never>({ name: 'liveFeed', options: { ...(uid === undefined ? {} : { uid }), ...(options.name === undefined ? {} : { name: options.name }) } }, (destination) => {
      let transactional = false;
      /** Events since the last barrier, not numbered yet. */
      let staged: Array<{ event: string; data: string }> = [];
      /** Numbered at a barrier, published when its checkpoint completes. */
      const pending = new Map<number, FeedEvent[]>();
      let unregister: (() => void) | undefined;
      const stage = (event: string, data: string): void => {
        if (transactional) staged.push({ event, data });
        else this.append([{ id: ++this.seq, event, data }]);
      };
      return {
        open: (job) => {
          if (this.publishing) throw new SinkError(origin, 'another stream already publishes to this live feed: give each stream its own LiveFeed');
          this.publishing = true;
          const coordinator = job?.checkpoints;
          if (coordinator !== undefined && uid === undefined) {
            throw new CheckpointError(origin, `job "${job!.jobName}" checkpoints, so the live feed needs a uid to store its position under: feed.publish({ uid: 'feed' })`);
          }
          transactional = coordinator !== undefined;
          const restored = uid === undefined ? undefined : job?.restoredState?.get(uid);
          if (restored !== undefined) this.restore(restored, origin);
          if (coordinator !== undefined) {
            unregister = coordinator.register(uid!, {
              notifyCheckpointComplete: (id) => {
                try {
                  for (const [cp, events] of [...pending].sort((a, b) => a[0] - b[0])) {
                    if (cp > id) continue;
                    pending.delete(cp);
                    this.append(events);
                  }
                } catch (err) {
                  failOperator(destination, origin, err);
                }
              },
            });
          }
        },
        record: (value, timestamp) => {
          let json: string | undefined;
          try {
            json = JSON.stringify(value);
          } catch (err) {
            throw new SinkError(origin, `the record ${describeValue(value)} cannot be sent as JSON: ${(err as Error).message}`, { cause: err });
          }
          if (json === undefined) throw new SinkError(origin, `the record ${describeValue(value)} has no JSON form`);
          stage(LIVE_FEED_EVENTS.record, timestamp === undefined ? `{"value":${json}}` : `{"value":${json},"timestamp":${timestamp}}`);
        },
        watermark: (mark) => stage(LIVE_FEED_EVENTS.watermark, `{"time":${mark.time}}`),
        status: () => {},
        sideOutput: () => {},
        start: () => {},
        barrier: (barrier) => {
          if (!transactional || barrier.acknowledger === undefined) return;
          if (staged.length > 0) {
            pending.set(
              barrier.checkpointId,
              staged.map((s) => ({ id: ++this.seq, event: s.event, data: s.data })),
            );
            staged = [];
          }
          // every event numbered so far: the published ones still in the buffer, then the pending ones
          const all = [...this.buffer, ...[...pending.values()].flat()].slice(-this.replayBuffer);
          barrier.acknowledger.acknowledge(uid!, { parts: true, operator: [['feed', JSON.stringify({ seq: this.seq, events: all.map((e) => [e.id, e.event, e.data]) })]] });
        },
        complete: () => {
          const rest = [...pending].sort((a, b) => a[0] - b[0]).flatMap(([, events]) => events);
          pending.clear();
          for (const s of staged) rest.push({ id: ++this.seq, event: s.event, data: s.data });
          staged = [];
          rest.push({ id: ++this.seq, event: LIVE_FEED_EVENTS.end, data: '{}' });
          this.append(rest);
        },
        finalize: () => {
          unregister?.();
          unregister = undefined;
          this.publishing = false;
        },
      };
    });
  }

  /** Disconnects every client (they reconnect and resume) and stops the heartbeat. */
  close(): void {
    for (const c of [...this.clients]) c.res.end();
    this.clients.clear();
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private restore(restored: unknown, origin: { operator: string; uid?: string | undefined }): void {
    const raw = (restored as Partial<RestoredParts>).parts === true ? (restored as RestoredParts).operator.get('feed') : undefined;
    let state: { seq: number; events: Array<[number, string, string]> } | undefined;
    try {
      state = raw === undefined ? undefined : (JSON.parse(raw) as typeof state);
    } catch {
      state = undefined;
    }
    if (state === undefined || !Number.isSafeInteger(state.seq) || !Array.isArray(state.events)) {
      throw new CheckpointError(origin, `the state restored under uid "${origin.uid}" was not written by a live feed; give this feed another uid`);
    }
    // Every event in the state belongs to the restored checkpoint or an earlier one, which completed.
    this.buffer.length = 0;
    for (const [id, event, data] of state.events) this.buffer.push({ id, event, data });
    this.seq = state.seq;
    this.published = state.seq;
    for (const c of this.clients) {
      let text = '';
      for (const e of this.buffer) if (e.id > c.sent) text += frame(e);
      if (text !== '') c.res.write(text);
      c.sent = this.published;
    }
  }

  /** Publishes numbered events: into the replay buffer and to every client. */
  private append(events: readonly FeedEvent[]): void {
    if (events.length === 0) return;
    let text = '';
    for (const e of events) {
      this.buffer.push(e);
      text += frame(e);
    }
    if (this.buffer.length > this.replayBuffer) this.buffer.splice(0, this.buffer.length - this.replayBuffer);
    this.published = events[events.length - 1]!.id;
    for (const c of [...this.clients]) {
      if (c.res.writableLength > this.maxClientBacklog) {
        // too far behind: it reconnects and resumes from the replay buffer
        c.res.end();
        this.drop(c);
        continue;
      }
      c.res.write(text);
      c.sent = this.published;
    }
    if (events[events.length - 1]!.event === LIVE_FEED_EVENTS.end) {
      this.ended = true;
      for (const c of [...this.clients]) c.res.end();
    }
  }

  private drop(c: Client): void {
    this.clients.delete(c);
    if (this.clients.size === 0 && this.heartbeatTimer !== undefined) {
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) return;
    this.heartbeatTimer = setInterval(() => {
      for (const c of this.clients) c.res.write(': heartbeat\n\n');
    }, this.heartbeat);
    this.heartbeatTimer.unref();
  }

  private corsHeaders(): Record<string, string> {
    return this.allowOrigin === undefined ? {} : { 'access-control-allow-origin': this.allowOrigin };
  }
}
