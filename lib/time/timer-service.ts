/**
 * Timers per (key, namespace, time, domain), the machinery behind `keyedProcess` timers and window
 * triggers. Event-time timers fire when a watermark reaches their time; processing-time timers fire on
 * the operator's scheduler (so `TestScheduler` drives them in virtual time).
 * @module
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Key, Timestamp } from '../core/types';
import { MIN_WATERMARK } from '../core/types';
import { mapKey } from '../keyed/key-group';
import { MinHeap } from './timer-heap';

/** The time domain of a timer, as in Flink's `TimeDomain`. */
export type TimeDomain = 'event-time' | 'processing-time';

/**
 * What user functions use to read time and set timers (Flink's `TimerService`). Timers are per key; a
 * timer registered twice for the same time fires once.
 */
export interface TimerService {
  currentProcessingTime(): Timestamp;
  currentWatermark(): Timestamp;
  registerEventTimeTimer(time: Timestamp): void;
  registerProcessingTimeTimer(time: Timestamp): void;
  deleteEventTimeTimer(time: Timestamp): void;
  deleteProcessingTimeTimer(time: Timestamp): void;
}

/** A registered timer. */
export interface InternalTimer<N> {
  readonly key: Key | undefined;
  readonly namespace: N;
  readonly time: Timestamp;
}

class TimerEntry<N> implements InternalTimer<N> {
  cancelled = false;
  /** True while the index holds this entry alone for its key (so firing it removes the key in one step). */
  alone = false;
  constructor(
    readonly key: Key | undefined,
    readonly namespace: N,
    readonly time: Timestamp,
    /** The key's map key (type-aware: "1" and 1 differ). */
    readonly mapKey: unknown,
    readonly seq: number,
  ) {}
}

const NO_KEY = Symbol('no key');

/** A key's timers at one time: one entry, or several when namespaces (windows) share the time. */
type TimeSlot<N> = TimerEntry<N> | TimerEntry<N>[];

/** A key's timers in the index: one entry, a short array of them, or a map by time for many. */
type KeyTimers<N> = TimerEntry<N> | TimerEntry<N>[] | Map<Timestamp, TimeSlot<N>>;

/** A key's timers held in an array (scanned) up to this many; beyond, a map by time. */
const SMALL = 8;

/**
 * Timers by key, then by time, then by namespace: no string is built for a key, a namespace or a time.
 * A key with a single timer (the common case: a key's next timer often comes after its last one fired)
 * holds the entry itself; a few more sit in a short array scanned on each change (cheaper than a map
 * for the two or three timers a key usually has pending); more than {@link SMALL} bring a map by time.
 * Namespaces sharing a key and a time are few (a window's cleanup timer meeting another window's end), so
 * they sit in a short array compared with `same`. A key leaves the index with its last timer, so memory
 * follows the keys with timers.
 */
class TimerIndex<N> {
  private readonly byKey = new Map<unknown, KeyTimers<N>>();
  size = 0;
  constructor(private readonly same: (a: N, b: N) => boolean) {}

  /** Adds a timer (numbered `seq`) unless the key already has one at `time` for `namespace`. */
  add(key: Key | undefined, mk: unknown, namespace: N, time: Timestamp, seq: number): TimerEntry<N> | undefined {
    const held = this.byKey.get(mk);
    let e: TimerEntry<N>;
    if (held === undefined) {
      e = new TimerEntry(key, namespace, time, mk, seq);
      e.alone = true;
      this.byKey.set(mk, e);
    } else if (held instanceof TimerEntry) {
      if (held.time === time && this.same(held.namespace, namespace)) return undefined;
      e = new TimerEntry(key, namespace, time, mk, seq);
      held.alone = false;
      this.byKey.set(mk, [held, e]);
    } else if (Array.isArray(held)) {
      for (let i = 0; i < held.length; i++) {
        const x = held[i]!;
        if (x.time === time && this.same(x.namespace, namespace)) return undefined;
      }
      e = new TimerEntry(key, namespace, time, mk, seq);
      if (held.length < SMALL) held.push(e);
      else {
        const m = new Map<Timestamp, TimeSlot<N>>();
        for (let i = 0; i < held.length; i++) this.addToSlot(m, held[i]!);
        this.addToSlot(m, e);
        this.byKey.set(mk, m);
      }
    } else {
      const slot = held.get(time);
      if (slot !== undefined && (Array.isArray(slot) ? this.inArray(slot, namespace) : this.same(slot.namespace, namespace))) return undefined;
      this.addToSlot(held, (e = new TimerEntry(key, namespace, time, mk, seq)));
    }
    this.size++;
    return e;
  }

  private inArray(slot: TimerEntry<N>[], namespace: N): boolean {
    for (let i = 0; i < slot.length; i++) if (this.same(slot[i]!.namespace, namespace)) return true;
    return false;
  }

  private addToSlot(m: Map<Timestamp, TimeSlot<N>>, e: TimerEntry<N>): void {
    const slot = m.get(e.time);
    if (slot === undefined) m.set(e.time, e);
    else if (Array.isArray(slot)) slot.push(e);
    else m.set(e.time, [slot, e]);
  }

  /** Removes a timer that is in the index (one being fired). */
  remove(e: TimerEntry<N>): void {
    if (e.alone) {
      e.alone = false;
      this.byKey.delete(e.mapKey);
      this.size--;
    } else {
      this.delete(e.mapKey, e.namespace, e.time, e);
    }
  }

  /** Removes and returns the key's timer at `time` for `namespace` (or the entry `exact`, when given). */
  delete(mk: unknown, namespace: N, time: Timestamp, exact?: TimerEntry<N>): TimerEntry<N> | undefined {
    const held = this.byKey.get(mk);
    if (held === undefined) return undefined;
    if (held instanceof TimerEntry) {
      if (!this.matches(held, namespace, time, exact)) return undefined;
      held.alone = false;
      this.byKey.delete(mk);
      this.size--;
      return held;
    }
    if (Array.isArray(held)) {
      for (let i = 0; i < held.length; i++) {
        const x = held[i]!;
        if (!this.matches(x, namespace, time, exact)) continue;
        // order within a key does not matter: the last one fills the hole
        const last = held.pop()!;
        if (last !== x) held[i] = last;
        if (held.length === 0) this.byKey.delete(mk);
        this.size--;
        return x;
      }
      return undefined;
    }
    const slot = held.get(time);
    if (slot === undefined) return undefined;
    let e: TimerEntry<N> | undefined;
    if (Array.isArray(slot)) {
      for (let i = 0; i < slot.length; i++) {
        if (!this.matches(slot[i]!, namespace, time, exact)) continue;
        e = slot[i]!;
        slot.splice(i, 1);
        if (slot.length === 1) held.set(time, slot[0]!);
        break;
      }
      if (e === undefined) return undefined;
    } else {
      if (!this.matches(slot, namespace, time, exact)) return undefined;
      e = slot;
      held.delete(time);
      if (held.size === 0) this.byKey.delete(mk);
    }
    this.size--;
    return e;
  }

  private matches(x: TimerEntry<N>, namespace: N, time: Timestamp, exact: TimerEntry<N> | undefined): boolean {
    return exact !== undefined ? x === exact : x.time === time && this.same(x.namespace, namespace);
  }

  /** The key's timers (live ones: cancelled timers leave the index). */
  entriesOf(mk: unknown, out: TimerEntry<N>[]): void {
    const held = this.byKey.get(mk);
    if (held === undefined) return;
    if (held instanceof TimerEntry) {
      out.push(held);
      return;
    }
    if (Array.isArray(held)) {
      for (let i = 0; i < held.length; i++) out.push(held[i]!);
      return;
    }
    for (const slot of held.values()) {
      if (Array.isArray(slot)) for (const e of slot) out.push(e);
      else out.push(slot);
    }
  }

  /** One entry of each key holding timers. */
  *keyEntries(): Iterable<TimerEntry<N>> {
    for (const held of this.byKey.values()) {
      if (held instanceof TimerEntry) yield held;
      else if (Array.isArray(held)) yield held[0]!;
      else for (const slot of held.values()) {
        yield Array.isArray(slot) ? slot[0]! : slot;
        break;
      }
    }
  }
}

/** A snapshot of every timer, for checkpoints. */
export interface TimerSnapshot<N> {
  readonly eventTime: InternalTimer<N>[];
  readonly processingTime: InternalTimer<N>[];
}

/**
 * A timer with its registration number, for checkpoints that write timers per key: timers due at the same
 * time fire in registration order, which {@link InternalTimerService.restoreTimers} keeps.
 */
export interface NumberedTimer<N> extends InternalTimer<N> {
  readonly seq: number;
}

/** Options of {@link InternalTimerService}. */
export interface InternalTimerServiceOptions<N> {
  scheduler: SchedulerLike;
  /**
   * True when two namespaces (windows, say) are the same, for deduplicating timers; default `===`.
   * Window operators compare windows by value.
   */
  sameNamespace?: (a: N, b: N) => boolean;
  onEventTime: (timer: InternalTimer<N>) => void;
  onProcessingTime: (timer: InternalTimer<N>) => void;
  /** Called when a processing-time timer callback throws (the operator errors its stream). */
  onError: (err: unknown) => void;
}

const byTime = <N>(a: TimerEntry<N>, b: TimerEntry<N>): number => a.time - b.time || a.seq - b.seq;

/** The timers due at one time, in registration order; `next` is the first not yet fired. */
class TimeBucket<N> {
  next = 0;
  readonly items: TimerEntry<N>[] = [];
  constructor(readonly time: Timestamp) {}
}

/**
 * Timers in time order, registration order on ties: one bucket per distinct time and a heap of the
 * times. Many timers often share a time (every key's window ends together), so most registrations are
 * an append to an existing bucket instead of a heap insertion. The earliest bucket is kept at hand, so
 * `peek` and `pop` look nothing up while it lasts.
 */
class TimerQueue<N> {
  private readonly buckets = new Map<Timestamp, TimeBucket<N>>();
  private readonly times = new MinHeap<Timestamp>((a, b) => a - b);
  /** The earliest bucket, once `peek` found it (emptied buckets leave the map and the heap). */
  private head: TimeBucket<N> | undefined = undefined;
  /** The bucket of the last push, while it is in the map: timers often come in runs of one time. */
  private last: TimeBucket<N> | undefined = undefined;

  push(e: TimerEntry<N>): void {
    const l = this.last;
    if (l !== undefined && l.time === e.time) {
      l.items.push(e);
      return;
    }
    let b = this.buckets.get(e.time);
    this.last = b;
    if (b === undefined) {
      this.buckets.set(e.time, (b = new TimeBucket<N>(e.time)));
      this.last = b;
      this.times.push(e.time);
      if (this.head !== undefined && e.time < this.head.time) this.head = undefined;
    }
    b.items.push(e);
  }
  peek(): TimerEntry<N> | undefined {
    let b = this.head;
    if (b !== undefined && b.next < b.items.length) return b.items[b.next];
    for (;;) {
      if (b !== undefined && b.next >= b.items.length) {
        // drained: drop it (a timer registered later at its time starts a new bucket)
        this.buckets.delete(b.time);
        if (this.last === b) this.last = undefined;
        if (this.times.peek() === b.time) this.times.pop();
      }
      const t = this.times.peek();
      if (t === undefined) {
        this.head = undefined;
        return undefined;
      }
      b = this.buckets.get(t)!;
      this.head = b;
      if (b.next < b.items.length) return b.items[b.next];
    }
  }
  /** Removes the timer `peek` returned. */
  pop(): void {
    this.head!.next++;
  }
  toArray(): TimerEntry<N>[] {
    const out: TimerEntry<N>[] = [];
    for (const b of this.buckets.values()) for (let i = b.next; i < b.items.length; i++) out.push(b.items[i]!);
    return out;
  }
}

/**
 * The operator side of timers: one queue per domain, deduplicated by (key, namespace, time), fired in
 * time order (registration order on ties).
 *
 * @example
 * ```ts
 * const timers = new InternalTimerService({ scheduler, onEventTime: (t) => fire(t), onProcessingTime, onError });
 * timers.registerEventTimeTimer('ann', undefined, 999);
 * timers.advanceWatermark(1000); // fires ('ann', 999)
 * ```
 */
export class InternalTimerService<N = undefined> {
  private readonly event = new TimerQueue<N>();
  private readonly processing = new TimerQueue<N>();
  private readonly eventIds: TimerIndex<N>;
  private readonly processingIds: TimerIndex<N>;
  private seq = 0;
  private watermark: Timestamp = MIN_WATERMARK;
  private scheduled: Subscription | undefined;
  private scheduledFor = Infinity;
  private disposed = false;

  constructor(private readonly options: InternalTimerServiceOptions<N>) {
    const same = options.sameNamespace ?? ((a: N, b: N) => a === b);
    this.eventIds = new TimerIndex(same);
    this.processingIds = new TimerIndex(same);
  }

  private static mapKeyOf(key: Key | undefined): unknown {
    return key === undefined ? NO_KEY : typeof key === 'object' ? mapKey(key) : key;
  }

  /** The last watermark passed to {@link advanceWatermark}. */
  currentWatermark(): Timestamp {
    return this.watermark;
  }
  currentProcessingTime(): Timestamp {
    return this.options.scheduler.now();
  }

  registerEventTimeTimer(key: Key | undefined, namespace: N, time: Timestamp): void {
    const e = this.eventIds.add(key, InternalTimerService.mapKeyOf(key), namespace, time, this.seq);
    if (e === undefined) return;
    this.seq++;
    this.event.push(e);
  }
  deleteEventTimeTimer(key: Key | undefined, namespace: N, time: Timestamp): void {
    const e = this.eventIds.delete(InternalTimerService.mapKeyOf(key), namespace, time);
    if (e !== undefined) e.cancelled = true;
  }
  registerProcessingTimeTimer(key: Key | undefined, namespace: N, time: Timestamp): void {
    const e = this.processingIds.add(key, InternalTimerService.mapKeyOf(key), namespace, time, this.seq);
    if (e === undefined) return;
    this.seq++;
    this.processing.push(e);
    if (time < this.scheduledFor) this.schedule();
  }
  deleteProcessingTimeTimer(key: Key | undefined, namespace: N, time: Timestamp): void {
    const e = this.processingIds.delete(InternalTimerService.mapKeyOf(key), namespace, time);
    if (e !== undefined) e.cancelled = true;
  }

  /** Number of live event-time / processing-time timers (for state-size assertions). */
  numEventTimeTimers(): number {
    return this.eventIds.size;
  }
  numProcessingTimeTimers(): number {
    return this.processingIds.size;
  }

  /**
   * Sets the current watermark and fires, in time order, every event-time timer at or before it,
   * including timers that those callbacks register at or before it.
   */
  advanceWatermark(time: Timestamp): void {
    if (time > this.watermark) this.watermark = time;
    for (;;) {
      const top = this.event.peek();
      if (top === undefined || top.time > time) return;
      this.event.pop();
      if (top.cancelled) continue;
      this.eventIds.remove(top);
      this.options.onEventTime(top);
    }
  }

  /** Fires every processing-time timer at or before the scheduler's current time. */
  fireProcessingTimers(): void {
    const now = this.options.scheduler.now();
    for (;;) {
      const top = this.processing.peek();
      if (top === undefined || top.time > now) break;
      this.processing.pop();
      if (top.cancelled) continue;
      this.processingIds.remove(top);
      this.options.onProcessingTime(top);
      if (this.disposed) return;
    }
    this.schedule();
  }

  private schedule(): void {
    this.scheduled?.unsubscribe();
    this.scheduled = undefined;
    this.scheduledFor = Infinity;
    if (this.disposed) return;
    let top = this.processing.peek();
    while (top !== undefined && top.cancelled) {
      this.processing.pop();
      top = this.processing.peek();
    }
    if (top === undefined) return;
    const s = this.options.scheduler;
    this.scheduledFor = top.time;
    this.scheduled = s.schedule(() => {
      this.scheduled = undefined;
      this.scheduledFor = Infinity;
      try {
        this.fireProcessingTimers();
      } catch (err) {
        this.options.onError(err);
      }
    }, Math.max(0, top.time - s.now()));
  }

  /** Every live timer, for a checkpoint. */
  snapshot(): TimerSnapshot<N> {
    const strip = (e: TimerEntry<N>): InternalTimer<N> => ({ key: e.key, namespace: e.namespace, time: e.time });
    const live = (h: TimerQueue<N>): InternalTimer<N>[] =>
      h.toArray().filter((e) => !e.cancelled).sort(byTime).map(strip);
    return { eventTime: live(this.event), processingTime: live(this.processing) };
  }

  /** Re-registers the timers of a snapshot. */
  restore(snapshot: TimerSnapshot<N>): void {
    for (const t of snapshot.eventTime) this.registerEventTimeTimer(t.key, t.namespace, t.time);
    for (const t of snapshot.processingTime) this.registerProcessingTimeTimer(t.key, t.namespace, t.time);
  }

  /**
   * The live timers of one key with their registration numbers (for a checkpoint of the keys changed
   * since the last one). Deterministic: in the index's order, not sorted.
   */
  keyTimers(key: Key | undefined): { eventTime: NumberedTimer<N>[]; processingTime: NumberedTimer<N>[] } {
    const mk = InternalTimerService.mapKeyOf(key);
    const event: TimerEntry<N>[] = [];
    const processing: TimerEntry<N>[] = [];
    this.eventIds.entriesOf(mk, event);
    this.processingIds.entriesOf(mk, processing);
    return { eventTime: event, processingTime: processing };
  }

  /** Every key holding a timer (each once, `undefined` for timers without a key). */
  timerKeys(): Array<Key | undefined> {
    const seen = new Set<unknown>();
    const out: Array<Key | undefined> = [];
    for (const ids of [this.eventIds, this.processingIds]) {
      for (const e of ids.keyEntries()) {
        if (seen.has(e.mapKey)) continue;
        seen.add(e.mapKey);
        out.push(e.key);
      }
    }
    return out;
  }

  /**
   * Re-registers timers written with their registration numbers (by {@link keyTimers}), in time and then
   * registration order, so timers due together fire in the order they did before; timers registered
   * later come after them. Call before any other registration.
   */
  restoreTimers(eventTime: readonly NumberedTimer<N>[], processingTime: readonly NumberedTimer<N>[]): void {
    const order = (a: NumberedTimer<N>, b: NumberedTimer<N>): number => a.time - b.time || a.seq - b.seq;
    let next = this.seq;
    for (const t of [...eventTime].sort(order)) {
      const e = this.eventIds.add(t.key, InternalTimerService.mapKeyOf(t.key), t.namespace, t.time, t.seq);
      if (e !== undefined) this.event.push(e);
      if (t.seq >= next) next = t.seq + 1;
    }
    for (const t of [...processingTime].sort(order)) {
      const e = this.processingIds.add(t.key, InternalTimerService.mapKeyOf(t.key), t.namespace, t.time, t.seq);
      if (e !== undefined) this.processing.push(e);
      if (t.seq >= next) next = t.seq + 1;
    }
    this.seq = next;
    if (processingTime.length > 0) this.schedule();
  }

  /** Sets the current watermark without firing anything (restoring an operator's watermark). */
  restoreWatermark(time: Timestamp): void {
    if (time > this.watermark) this.watermark = time;
  }

  /** Cancels the scheduled processing-time callback; no timer fires afterwards. */
  dispose(): void {
    this.disposed = true;
    this.scheduled?.unsubscribe();
    this.scheduled = undefined;
  }
}
