/**
 * The process-function operators in a checkpointed job: keyed state (value, list, map) and timers per key
 * group, only what changed in an incremental checkpoint, operator and broadcast state as the operator
 * part. A job cut at random checkpoints (a full one, then an incremental one) and restored into a fresh
 * pipeline continues exactly as an uninterrupted run.
 */
import fc from 'fast-check';
import { connectable, Observable, Subject, VirtualTimeScheduler } from 'rxjs';
import {
  broadcast,
  broadcastProcess,
  CheckpointBarrier,
  coProcess,
  connect,
  filter,
  fromCollection,
  Job,
  keyBy,
  keyedBroadcastProcess,
  keyedProcess,
  ListStateDescriptor,
  MapStateDescriptor,
  MemoryCheckpointStorage,
  StartElement,
  StreamRecord,
  ValueStateDescriptor,
  values,
  Watermark,
  type CheckpointStats,
  type CheckpointStorage,
  type CoProcessFunction,
  type KeyedProcessFunction,
  type ListState,
  type MapState,
  type StreamElement,
  type ValueState,
} from '../../lib/index';
import { keyedEntries } from '../helpers/snapshot-parts';

interface Ev {
  k: string;
  v: number;
  side: 0 | 1;
}

type Input = StreamRecord<Ev> | Watermark;
type Pipeline = (job: Job, input: readonly Input[], chunkSize: number, onRecord: (n: number) => void) => Observable<string>;

/** Value, list and map state, timers set and deleted, state cleared: every kind of change a checkpoint must carry. */
class Tracker implements KeyedProcessFunction<string, Ev, string> {
  sum!: ValueState<number>;
  last!: ListState<number>;
  byMod!: MapState<number, number>;
  open(ctx: import('../../lib/index').RuntimeContext): void {
    this.sum = ctx.getState(new ValueStateDescriptor<number>('sum', 0));
    this.last = ctx.getListState(new ListStateDescriptor<number>('last'));
    this.byMod = ctx.getMapState(new MapStateDescriptor<number, number>('__proto__'));
  }
  processElement(e: Ev, ctx: import('../../lib/index').KeyedProcessContext<string>, out: import('../../lib/index').Collector<string>): void {
    const sum = this.sum.value()! + e.v;
    if (sum > 12) this.sum.clear();
    else this.sum.update(sum);
    this.last.update([...this.last.get(), e.v].slice(-3));
    if (e.v % 4 === 0) this.byMod.remove(1);
    else this.byMod.put(e.v % 3, e.v);
    const t = ctx.timestamp()!;
    if (e.v < 0) ctx.timerService().deleteEventTimeTimer(t + 3);
    else ctx.timerService().registerEventTimeTimer(t + 3);
    out.collect(`${e.k}:${this.sum.value()}`);
  }
  onTimer(t: number, ctx: import('../../lib/index').OnTimerContext<string>, out: import('../../lib/index').Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}@${t}:${this.sum.value()}|${this.last.get().join(',')}|${JSON.stringify(this.byMod.entries())}`);
  }
}

const counting = (onRecord: (n: number) => void) => {
  let n = 0;
  return (_e: Ev) => {
    onRecord(++n);
    return true;
  };
};

const keyed: Pipeline = (job, input, chunkSize, onRecord) =>
  fromCollection(input as unknown as Ev[], { job, uid: 'events', chunkSize }).pipe(
    filter(counting(onRecord)),
    keyBy((e: Ev) => e.k),
    keyedProcess(new Tracker(), { uid: 'tracker' }),
    values(),
  );

/** A shared source's output: subscribes the pipeline, then connects the source (so every branch sees its start). */
function sharedRun<S>(source: import('rxjs').Connectable<S>, out$: Observable<string>): Observable<string> {
  return new Observable<string>((subscriber) => {
    const sub = out$.subscribe(subscriber);
    sub.add(source.connect());
    return sub;
  });
}

const shared = (job: Job, input: readonly Input[], chunkSize: number, onRecord: (n: number) => void) =>
  connectable(fromCollection(input as unknown as Ev[], { job, uid: 'events', chunkSize }).pipe(filter(counting(onRecord))), { connector: () => new Subject(), resetOnDisconnect: false });

/** Both inputs of a coProcess from one source (split by side), so the run is deterministic. */
const twoInputs: Pipeline = (job, input, chunkSize, onRecord) => {
  const source = shared(job, input, chunkSize, onRecord);
  const left = source.pipe(filter((e: Ev) => e.side === 0), keyBy((e: Ev) => e.k));
  const right = source.pipe(filter((e: Ev) => e.side === 1), keyBy((e: Ev) => e.k));
  const fn: CoProcessFunction<Ev, Ev, string> & { n?: ValueState<number> } = {
    open(ctx) {
      this.n = ctx.getState(new ValueStateDescriptor<number>('n', 0));
    },
    processElement1(e, ctx, out) {
      this.n!.update(this.n!.value()! + e.v);
      ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 2);
      out.collect(`L${e.k}:${this.n!.value()}`);
    },
    processElement2(e, _ctx, out) {
      if (e.v < 0) this.n!.clear();
      else this.n!.update(this.n!.value()! * 2);
      out.collect(`R${e.k}:${this.n!.value()}`);
    },
    onTimer(t, ctx, out) {
      out.collect(`${ctx.getCurrentKey()}@${t}:${this.n!.value()}`);
    },
  };
  return sharedRun(source, left.pipe(connect(right), coProcess(fn, { uid: 'co' }), values()));
};

/** Rules (side 1) are broadcast; events (side 0) are keyed and read them; each event also counts into keyed state. */
const withBroadcast: Pipeline = (job, input, chunkSize, onRecord) => {
  const source = shared(job, input, chunkSize, onRecord);
  const rules = new MapStateDescriptor<string, number>('rules');
  const events = source.pipe(filter((e: Ev) => e.side === 0), keyBy((e: Ev) => e.k));
  const ruleStream = source.pipe(filter((e: Ev) => e.side === 1), broadcast(rules));
  const out$ = events.pipe(
    connect(ruleStream),
    keyedBroadcastProcess<string, Ev, Ev, string>(
      {
        seen: undefined as ValueState<number> | undefined,
        open(ctx) {
          this.seen = ctx.getState(new ValueStateDescriptor<number>('seen', 0));
        },
        processElement(e, ctx, out) {
          this.seen!.update(this.seen!.value()! + 1);
          out.collect(`${e.k}#${this.seen!.value()}x${ctx.getBroadcastState(rules).get(e.k) ?? 0}`);
        },
        processBroadcastElement(r, ctx) {
          ctx.getBroadcastState(rules).put(r.k, r.v);
        },
      } as import('../../lib/index').KeyedBroadcastProcessFunction<string, Ev, Ev, string> & { seen: ValueState<number> | undefined },
      { uid: 'kbp' },
    ),
    values(),
  );
  return sharedRun(source, out$);
};

function newJob(name: string, storage: CheckpointStorage, scheduler: VirtualTimeScheduler): Job {
  return new Job({ name, scheduler, checkpoints: { interval: 1_000_000, storage } });
}

async function runAll(pipeline: Pipeline, input: readonly Input[], storage: CheckpointStorage, name: string): Promise<string[]> {
  const scheduler = new VirtualTimeScheduler();
  const job = newJob(name, storage, scheduler);
  await job.prepare();
  const out: string[] = [];
  let done = false;
  let error: unknown;
  pipeline(job, input, 4, () => {}).subscribe({ next: (x) => out.push(x), complete: () => (done = true), error: (e: unknown) => (error = e) });
  scheduler.flush();
  if (error !== undefined) throw error;
  expect(done).toBe(true);
  return out;
}

/** Triggers a checkpoint right after the source's records numbered in `cuts`, then stops after the last one (a crash). */
async function runWithCheckpoints(pipeline: Pipeline, input: readonly Input[], storage: CheckpointStorage, name: string, cuts: readonly number[]): Promise<{ out: string[]; stats: CheckpointStats[] }> {
  const scheduler = new VirtualTimeScheduler();
  const job = newJob(name, storage, scheduler);
  await job.prepare();
  const out: string[] = [];
  const triggered: Array<Promise<CheckpointStats>> = [];
  let paused = false;
  const onRecord = (n: number): void => {
    if (!cuts.includes(n)) return;
    triggered.push(job.coordinator!.trigger());
    paused = n === cuts[cuts.length - 1]!;
  };
  // one chunk holds every element; a barrier queued during it ends the chunk after the current record
  const sub = pipeline(job, input, input.length + 1, onRecord).subscribe((x) => out.push(x));
  while (!paused && scheduler.actions.length > 0 && scheduler.actions[0]!.delay === 0) {
    const action = scheduler.actions.shift()!;
    const error = action.execute(action.state, action.delay);
    if (error !== undefined) throw error;
  }
  expect(triggered).toHaveLength(cuts.length);
  const stats = await Promise.all(triggered);
  sub.unsubscribe();
  return { out, stats };
}

/** Records with timestamps, and now and then a watermark a little behind the largest timestamp so far. */
const inputs: fc.Arbitrary<Input[]> = fc
  .array(fc.record({ k: fc.constantFrom('a', 'b', 'c', 'd', '__proto__', 'constructor'), v: fc.integer({ min: -3, max: 9 }), side: fc.constantFrom<0 | 1>(0, 1), t: fc.integer({ min: 0, max: 30 }), wm: fc.boolean() }), {
    minLength: 2,
    maxLength: 40,
  })
  .map((rs) => {
    const out: Input[] = [];
    let max = 0;
    let time = 0;
    for (const r of rs) {
      time += r.t % 4;
      out.push(new StreamRecord<Ev>({ k: r.k, v: r.v, side: r.side }, time));
      max = Math.max(max, time);
      if (r.wm) out.push(new Watermark(max - 2));
    }
    return out;
  });

function restoredEqualsUninterrupted(pipeline: Pipeline): Promise<void> {
  return fc.assert(
    fc.asyncProperty(inputs, fc.nat(), fc.nat(), async (input, a, b) => {
      const records = input.filter((x) => x instanceof StreamRecord).length;
      fc.pre(records >= 2);
      const c1 = 1 + (a % (records - 1));
      const c2 = c1 + 1 + (b % (records - c1));
      const storage = new MemoryCheckpointStorage();
      const expected = await runAll(pipeline, input, new MemoryCheckpointStorage(), 'reference');
      const { out: before, stats } = await runWithCheckpoints(pipeline, input, storage, 'job', [c1, c2]);
      expect(stats.map((s) => [s.status, s.full])).toEqual([
        ['completed', true],
        ['completed', false],
      ]);
      const after = await runAll(pipeline, input, storage, 'job');
      expect([...before, ...after]).toEqual(expected);
    }),
    { numRuns: 40 },
  );
}

describe('process operators in a checkpointed job', () => {
  it('keyedProcess (value, list and map state, timers set and deleted), restored at a random incremental checkpoint, continues as an uninterrupted run (property)', async () => {
    await restoredEqualsUninterrupted(keyed);
  });

  it('coProcess (keyed state and timers on two inputs), restored at a random incremental checkpoint, continues as an uninterrupted run (property)', async () => {
    await restoredEqualsUninterrupted(twoInputs);
  });

  it('keyedBroadcastProcess (broadcast state and keyed state), restored at a random incremental checkpoint, continues as an uninterrupted run (property)', async () => {
    await restoredEqualsUninterrupted(withBroadcast);
  });

  it('writes only the changed keys, and tombstones for cleared state and removed timers, in an incremental checkpoint', () => {
    const acks: unknown[] = [];
    const ack = { acknowledge: (_uid: string, h: unknown) => void acks.push(h), decline: (_u: string, e: Error) => { throw e; } };
    const input = new Subject<StreamElement<Ev>>();
    input.pipe(keyedProcess(new Tracker(), { uid: 'tracker' })).subscribe();
    const job = new Job({ name: 'inc', checkpoints: { interval: 1_000_000 } });
    input.next(new StartElement(job.context(false)));
    for (let i = 0; i < 100; i++) input.next(new StreamRecord<Ev, string>({ k: `k${i}`, v: 1, side: 0 }, 10, `k${i}`));
    input.next(new CheckpointBarrier(1, 0, 'checkpoint', ack, false, true));
    // k5's sum passes 12 and is cleared, its map emptied (removed); k7's timer at 13 is deleted
    input.next(new StreamRecord<Ev, string>({ k: 'k5', v: 20, side: 0 }, 20, 'k5'));
    input.next(new StreamRecord<Ev, string>({ k: 'k7', v: -1, side: 0 }, 10, 'k7'));
    input.next(new CheckpointBarrier(2, 0, 'checkpoint', ack, false, false));
    expect(acks).toHaveLength(2);
    const full = keyedEntries(acks[0]);
    // per key: sum, last, the map state, one timer
    expect(full).toHaveLength(400);
    const inc = keyedEntries(acks[1]).map(([, f, v]) => [f, v === undefined ? 'tombstone' : 'value']);
    expect(inc).toEqual(
      expect.arrayContaining([
        [['s', 'sum', 'k5'], 'tombstone'],
        [['s', 'last', 'k5'], 'value'],
        [['s', '__proto__', 'k5'], 'tombstone'],
        [['e', 'k5', 23], 'value'],
        [['s', 'sum', 'k7'], 'value'],
        [['s', 'last', 'k7'], 'value'],
        [['e', 'k7', 13], 'tombstone'],
        [['s', '__proto__', 'k7'], 'value'],
      ]),
    );
    expect(inc).toHaveLength(8);
    expect((acks[1] as { incremental: boolean }).incremental).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
