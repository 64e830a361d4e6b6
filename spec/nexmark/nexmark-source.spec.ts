/**
 * nexmarkSource: records with event time, the generator's watermark after each chunk, the largest
 * watermark at the end; resuming from a position; pre-generated events; rate-limited mode in virtual
 * time; branches made with share(); unsubscription; option errors.
 */
import { share, take, toArray, VirtualTimeScheduler, type Observable } from 'rxjs';
import { lastValueFrom } from 'rxjs';
import { InvalidArgumentError, Job, MAX_WATERMARK, NexmarkGenerator, nexmarkSource, StartElement, StreamRecord, Watermark, type NexmarkEvent } from './imports';
import { filter, values, type StreamElement } from '../../lib/index';

/** Subscribes, flushes the virtual clock, returns every element with the virtual time it came at. */
function collect<T>(make: (job: Job) => Observable<T>): Array<{ at: number; e: T }> {
  const scheduler = new VirtualTimeScheduler();
  const out: Array<{ at: number; e: T }> = [];
  make(new Job({ scheduler })).subscribe((e) => out.push({ at: scheduler.now(), e }));
  scheduler.flush();
  return out;
}

const show = (e: StreamElement<NexmarkEvent>): string =>
  e instanceof StartElement ? 'S' : e instanceof Watermark ? (e.time === MAX_WATERMARK ? 'M' : `W(${e.time})`) : e instanceof StreamRecord ? `${(e.value as NexmarkEvent).type[0]}(${e.timestamp})` : '?';

describe('nexmarkSource', () => {
  it('emits the start element, records at their event time, a watermark after each chunk and M at the end', () => {
    const out = collect((job) => nexmarkSource({ events: 3, chunkSize: 2, job }));
    expect(out.map(({ e }) => show(e)).join(' ')).toBe('S p(0) a(0) W(-1) a(0) M');
  });

  it('emits the watermark one below the next event time, so no record is ever late', () => {
    const out = collect((job) => nexmarkSource({ events: 6000, chunkSize: 500, job, generator: { outOfOrderGroupSize: 7 } }));
    let watermark = Number.NEGATIVE_INFINITY;
    let records = 0;
    for (const { e } of out) {
      if (e instanceof Watermark) {
        expect(e.time).toBeGreaterThan(watermark);
        watermark = e.time;
      } else if (e instanceof StreamRecord) {
        records++;
        expect(e.timestamp).toBeGreaterThan(watermark);
      }
    }
    expect(records).toBe(6000);
    expect(watermark).toBe(MAX_WATERMARK);
  });

  it('resumes from a position with exactly the events it had not emitted', () => {
    const all = collect((job) => nexmarkSource({ events: 500, chunkSize: 64, job })).flatMap(({ e }) => (e instanceof StreamRecord ? [e.value] : []));
    const rest = collect((job) => nexmarkSource({ events: 500, from: 123, chunkSize: 64, job })).flatMap(({ e }) => (e instanceof StreamRecord ? [e.value] : []));
    expect(rest).toEqual(all.slice(123));
  });

  it('emits pre-generated events as they are', () => {
    const generator = new NexmarkGenerator({ seed: 7 });
    const events = generator.events(300);
    const out = collect((job) => nexmarkSource({ events: 300, pregenerated: events, generator, job })).flatMap(({ e }) => (e instanceof StreamRecord ? [e.value] : []));
    expect(out.length).toBe(300);
    out.forEach((e, i) => expect(e).toBe(events[i]));
  });

  it('in rate-limited mode emits each event at the first poll at or after its due time (virtual clock)', () => {
    const out = collect((job) => nexmarkSource({ events: 3000, rateLimited: 50, job, generator: { firstEventRate: 1000 } }));
    const records = out.filter(({ e }) => e instanceof StreamRecord) as Array<{ at: number; e: StreamRecord<NexmarkEvent> }>;
    expect(records.length).toBe(3000);
    for (const { at, e } of records) expect(at).toBe(Math.ceil(e.timestamp! / 50) * 50);
  });

  it('schedules its first chunk, so every branch made with share() sees every event', async () => {
    const shared = nexmarkSource({ events: 2000 }).pipe(share());
    const [persons, bids] = await Promise.all([
      lastValueFrom(shared.pipe(filter((e: NexmarkEvent) => e.type === 'person'), values(), toArray())),
      lastValueFrom(shared.pipe(filter((e: NexmarkEvent) => e.type === 'bid'), values(), toArray())),
    ]);
    expect([persons.length, bids.length]).toEqual([40, 1840]);
  });

  it('stops generating when unsubscribed', async () => {
    const got = await lastValueFrom(nexmarkSource({ events: Number.MAX_SAFE_INTEGER, chunkSize: 10 }).pipe(values(), take(25), toArray()));
    expect(got.length).toBe(25);
  });

  it('refuses bad options with an InvalidArgumentError naming the option', () => {
    expect(() => nexmarkSource({ events: -1 })).toThrow(InvalidArgumentError);
    expect(() => nexmarkSource({ events: 10, from: 11 })).toThrow(/from/);
    expect(() => nexmarkSource({ events: 10, chunkSize: 0 })).toThrow(/chunkSize/);
    expect(() => nexmarkSource({ events: 10, rateLimited: 0 })).toThrow(/rateLimited/);
    expect(() => nexmarkSource({ events: 10, pregenerated: [] })).toThrow(/pregenerated/);
  });
});
