/**
 * fromEventSource with a scripted EventSource on a virtual clock: reconnect delays that double up to the
 * bound and reset once connected, resuming after the last id, skipping what it has, failing on a gap, on
 * data that is not JSON, and with the server's own reason when it refuses the connection.
 */
import { VirtualTimeScheduler } from 'rxjs';
import { fromEventSource, Job, SourceError, StreamRecord, Watermark, type EventSourceLike, type EventSourceMessage, type StreamElement } from '../../lib/index';

class ScriptedEventSource implements EventSourceLike {
  static all: ScriptedEventSource[] = [];
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closed = false;
  private readonly listeners = new Map<string, Array<(e: EventSourceMessage) => void>>();
  constructor(readonly url: string) {
    ScriptedEventSource.all.push(this);
  }
  addEventListener(type: string, l: (e: EventSourceMessage) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  send(type: string, id: number, data: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l({ lastEventId: String(id), data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
  drop(state: 0 | 2 = 0): void {
    this.readyState = state;
    this.onerror?.({});
  }
}

function start(options: { fetch?: (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>; lastEventId?: number } = {}) {
  ScriptedEventSource.all = [];
  const scheduler = new VirtualTimeScheduler();
  const got: string[] = [];
  let error: unknown;
  let completed = false;
  fromEventSource<string>('http://feed.test/feed?x=1', {
    job: new Job({ scheduler }),
    eventSource: ScriptedEventSource,
    initialBackoff: 100,
    maxBackoff: 350,
    ...options,
  }).subscribe({
    next: (e: StreamElement<string>) => got.push(e instanceof StreamRecord ? `${e.value}@${e.timestamp}` : e instanceof Watermark ? `W${e.time}` : typeof e === 'string' ? e : 'S'),
    error: (e: unknown) => (error = e),
    complete: () => (completed = true),
  });
  const last = (): ScriptedEventSource => ScriptedEventSource.all[ScriptedEventSource.all.length - 1]!;
  return { scheduler, got, last, error: () => error, completed: () => completed };
}

describe('fromEventSource', () => {
  it('emits records and watermarks, reconnects with doubling delays (bounded, reset on open) and resumes after the last id', () => {
    const s = start();
    const first = s.last();
    expect(first.url).toBe('http://feed.test/feed?x=1');
    first.open();
    first.send('record', 1, { value: 'a', timestamp: 5 });
    first.send('watermark', 2, { time: 4 });
    first.send('record', 3, { value: 'b' });
    first.drop();
    expect(first.closed).toBe(true);
    // three failed attempts: 100, 200, 350 (capped) ms apart, each asking for what follows id 3
    const at: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = ScriptedEventSource.all.length;
      while (ScriptedEventSource.all.length === before) s.scheduler.flush();
      at.push(s.scheduler.now());
      expect(s.last().url).toBe('http://feed.test/feed?x=1&lastEventId=3');
      if (i < 2) s.last().drop();
    }
    expect(at).toEqual([100, 300, 650]);
    const back = s.last();
    back.open(); // the delay resets
    back.send('record', 3, { value: 'b' }); // already had it: skipped
    back.send('record', 4, { value: 'c', timestamp: 9 });
    back.drop();
    s.scheduler.flush();
    expect(s.scheduler.now()).toBe(750);
    expect(s.last().url).toBe('http://feed.test/feed?x=1&lastEventId=4');
    s.last().send('end', 5, {});
    expect(s.completed()).toBe(true);
    expect(s.got).toEqual(['S', 'a@5', 'W4', 'b', 'c@9']);
  });

  it('fails with the server\'s reason when it refuses the connection', async () => {
    const s = start({ lastEventId: 7, fetch: async () => ({ ok: false, status: 410, text: async () => 'position 7 is older than the replay buffer\n' }) });
    expect(s.last().url).toBe('http://feed.test/feed?x=1&lastEventId=7');
    s.last().drop(2);
    await new Promise((r) => setImmediate(r));
    expect(s.error()).toBeInstanceOf(SourceError);
    expect((s.error() as Error).message).toBe(
      'fromEventSource: the live feed at http://feed.test/feed?x=1&lastEventId=7 refused the connection: HTTP 410: position 7 is older than the replay buffer',
    );
  });

  it('fails on a gap, on data that is not JSON, and without an EventSource', () => {
    const gap = start();
    gap.last().send('record', 1, { value: 'a' });
    gap.last().send('record', 3, { value: 'c' });
    expect((gap.error() as Error).message).toMatch(/skipped from event 1 to 3: events 2…2 are missing/);
    const junk = start();
    junk.last().send('record', 1, 'not json');
    expect(junk.error()).toBeInstanceOf(SourceError);
    expect((junk.error() as Error).message).toMatch(/sent event 1 with data that is not JSON: "not json"/);
    let none: unknown;
    fromEventSource('http://x/feed', { eventSource: undefined as never }).subscribe({ error: (e: unknown) => (none = e) });
    expect((none as Error).message).toMatch(/there is no EventSource here/);
    expect(() => fromEventSource('http://x/feed', { lastEventId: -1 })).toThrow(/lastEventId must be a sequence number/);
  });
});
