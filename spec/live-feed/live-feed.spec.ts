/**
 * The live feed over real HTTP: the wire format (ids 1, 2, 3… on records, watermarks and the end),
 * resuming by Last-Event-ID from the bounded replay buffer, clear refusals of bad positions, publication
 * only when the checkpoint completes, the numbering and buffer restored from a checkpoint, and
 * fromEventSource reading it across a server restart with neither gaps nor duplicates.
 */
import { request } from 'node:http';
import { VirtualTimeScheduler } from 'rxjs';
import { fromEventSource, Job, MemoryCheckpointStorage, type CheckpointStorage, type StreamElement, Watermark, StreamRecord } from '../../lib/index';
import { LiveFeed, type LiveFeedServer } from '../../lib/node/index';
import { drive } from '../file-sink/harness';
import { NodeEventSource } from './node-event-source';

interface Reply {
  status: number;
  body: string;
}

/** GETs `url` and reads until `until` matches the body or the response ends. */
function get(url: string, headers: Record<string, string> = {}, until?: RegExp, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      const done = (): void => resolve({ status: res.statusCode ?? 0, body });
      res.on('data', (d: string) => {
        body += d;
        if (until?.test(body)) {
          done();
          req.destroy();
        }
      });
      res.on('end', done);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The events of an SSE body: [id, event, data]. */
function eventsOf(body: string): Array<[number, string, string]> {
  return body
    .split('\n\n')
    .filter((b) => b.startsWith('id: '))
    .map((b) => {
      const f = Object.fromEntries(b.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
      return [Number(f['id']), f['event']!, f['data']!];
    });
}

const servers: LiveFeedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function serve<T>(feed: LiveFeed<T>, port = 0): Promise<LiveFeedServer> {
  const s = await feed.listen(port, '127.0.0.1');
  servers.push(s);
  return s;
}

describe('LiveFeed', () => {
  it('sends records, watermarks and the end with consecutive ids, and resumes after a Last-Event-ID', async () => {
    const feed = new LiveFeed<{ n: number }>();
    const server = await serve(feed);
    const d = drive<{ n: number }>(new Job({ scheduler: new VirtualTimeScheduler() }), feed.publish());
    d.emit({ n: 1 }, 10);
    d.emit({ n: 2 });
    const all = await get(server.url, {}, /id: 2\n[^]*\n\n$/);
    expect(all.status).toBe(200);
    expect(all.body.startsWith('retry: 1000\n\n')).toBe(true);
    expect(eventsOf(all.body)).toEqual([
      [1, 'record', '{"value":{"n":1},"timestamp":10}'],
      [2, 'record', '{"value":{"n":2}}'],
    ]);
    d.end();
    const rest = await get(server.url, { 'last-event-id': '1' });
    expect(eventsOf(rest.body)).toEqual([
      [2, 'record', '{"value":{"n":2}}'],
      [3, 'end', '{}'],
    ]);
    const byQuery = await get(`${server.url}?lastEventId=2`);
    expect(eventsOf(byQuery.body)).toEqual([[3, 'end', '{}']]);
  });

  it('refuses garbage with a clear status and reason', async () => {
    const feed = new LiveFeed<number>({ replayBuffer: 2 });
    const server = await serve(feed);
    const d = drive<number>(new Job({ scheduler: new VirtualTimeScheduler() }), feed.publish());
    for (const n of [1, 2, 3, 4]) d.emit(n);
    const bad = await get(server.url, { 'last-event-id': 'banana' });
    expect(bad).toEqual({ status: 400, body: 'Last-Event-ID (or lastEventId) must be a sequence number this feed sent (an integer ≥ 0), got "banana"\n' });
    expect((await get(`${server.url}?lastEventId=-1`)).status).toBe(400);
    expect((await get(`${server.url}?lastEventId=1e3`)).status).toBe(400);
    const ahead = await get(server.url, { 'last-event-id': '9' });
    expect(ahead.status).toBe(409);
    expect(ahead.body).toMatch(/position 9 is ahead of this feed \(its last event is 4\)/);
    const old = await get(server.url, { 'last-event-id': '1' });
    expect(old.status).toBe(410);
    expect(old.body).toMatch(/position 1 is older than the replay buffer \(it holds events 3…4, the latest 2\): events 2…2 are gone/);
    expect(eventsOf((await get(server.url, { 'last-event-id': '2' }, /id: 4/)).body).map((e) => e[0])).toEqual([3, 4]);
    expect((await get(server.url.replace('/feed', '/other'))).status).toBe(404);
    expect((await get(server.url, {}, undefined, 'POST')).status).toBe(405);
    expect(() => new LiveFeed({ replayBuffer: 0 })).toThrow(/replayBuffer must be a positive integer/);
    d.end();
  });

  async function checkpointedJob(storage: CheckpointStorage): Promise<Job> {
    const job = new Job({ name: 'feed', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 1e9, storage } });
    await job.prepare();
    return job;
  }

  it('with checkpoints, publishes a checkpoint interval only when it completes, and a restored feed goes on with the same numbering', async () => {
    const storage = new MemoryCheckpointStorage();
    const feed1 = new LiveFeed<string>();
    const d1 = drive<string>(await checkpointedJob(storage), feed1.publish({ uid: 'feed' }));
    d1.emit('a');
    d1.emit('b');
    expect(feed1.position).toBe(0);
    await d1.checkpoint();
    expect(feed1.position).toBe(2);
    d1.emit('lost'); // after the checkpoint: never published, replayed after the restore
    d1.crash();
    const feed2 = new LiveFeed<string>();
    const server = await serve(feed2);
    const d2 = drive<string>(await checkpointedJob(storage), feed2.publish({ uid: 'feed' }));
    expect(d2.restoredAt).toBe(2);
    expect(feed2.position).toBe(2);
    d2.emit('lost');
    d2.end();
    expect(eventsOf((await get(server.url, { 'last-event-id': '1' })).body)).toEqual([
      [2, 'record', '{"value":"b"}'],
      [3, 'record', '{"value":"lost"}'],
      [4, 'end', '{}'],
    ]);
    const refused = drive<string>(await checkpointedJob(new MemoryCheckpointStorage()), new LiveFeed<string>().publish());
    expect((refused.errors[0] as Error).message).toMatch(/needs a uid .*feed\.publish\(\{ uid: 'feed' \}\)/);
  });
});

describe('fromEventSource against a LiveFeed', () => {
  it('reads records and watermarks, and across a server restart resumes with neither gaps nor duplicates', async () => {
    const storage = new MemoryCheckpointStorage();
    const feed1 = new LiveFeed<number>();
    const server1 = await serve(feed1);
    const port = server1.port;
    const d1 = drive<number>(await checkpointedJobFor(storage), feed1.publish({ uid: 'feed' }));
    const got: Array<StreamElement<number>> = [];
    let done!: () => void;
    const completed = new Promise<void>((r) => (done = r));
    let seen!: () => void;
    const sawCheckpointed = new Promise<void>((r) => (seen = r));
    let failure: unknown;
    const sub = fromEventSource<number>(server1.url, { eventSource: NodeEventSource, initialBackoff: 5, maxBackoff: 40 }).subscribe({
      next: (e) => {
        got.push(e);
        if (e instanceof StreamRecord && e.value === 3) seen();
      },
      complete: () => done(),
      error: (e: unknown) => {
        failure = e;
        done();
      },
    });
    d1.emit(1, 10);
    d1.emit(2, 20);
    d1.emitWatermark(15);
    d1.emit(3, 30);
    await d1.checkpoint(); // publishes events 1…4
    await sawCheckpointed;
    d1.emit(4, 40); // not checkpointed: lost with the server, replayed by the next run
    d1.crash();
    await server1.close(); // the server goes away in the middle
    const feed2 = new LiveFeed<number>();
    await serve(feed2, port);
    const d2 = drive<number>(await checkpointedJobFor(storage), feed2.publish({ uid: 'feed' }));
    expect(d2.restoredAt).toBe(3);
    for (const n of [4, 5, 6]) d2.emit(n, n * 10);
    d2.emitWatermark(60);
    d2.end();
    await completed;
    sub.unsubscribe();
    expect(failure).toBeUndefined();
    const shown = got.map((e) => (e instanceof StreamRecord ? `${e.value}@${e.timestamp}` : e instanceof Watermark ? `W${e.time}` : 'S'));
    expect(shown).toEqual(['S', '1@10', '2@20', 'W15', '3@30', '4@40', '5@50', '6@60', 'W60']);
    expect(NodeEventSource.opened.filter((u) => u.startsWith(server1.url.slice(0, server1.url.indexOf('/feed'))))).toContain(`${server1.url}?lastEventId=4`);
  });
});
async function checkpointedJobFor(storage: CheckpointStorage): Promise<Job> {
  const job = new Job({ name: 'es', scheduler: new VirtualTimeScheduler(), checkpoints: { interval: 1e9, storage } });
  await job.prepare();
  return job;
}
