/**
 * Keeps the per-key entries of a window operator whose keys lost their last window for a while, so a
 * key that comes back soon (the next window, the next session) reuses its entry instead of allocating a
 * new one, and sweeps them in generations so memory stays bounded even when keys never come back.
 * @module
 */

/** A per-key entry that can be idle: `idleSince` is the record count when it went idle, or -1. */
export interface IdleKeyEntry {
  idleSince: number;
}

/**
 * The idle entries of a map of per-key entries. An entry marked idle survives at least until the next
 * sweep after it went idle, so a key that comes back within about one sweep interval keeps its entry. A
 * sweep runs on a watermark once the idle entries number at least max(1024, 2 × the most keys busy at
 * once since the previous sweep) and at least a quarter as many records as idle entries have passed
 * since the previous sweep; it removes the entries that were already idle at the previous sweep and
 * still are.
 *
 * Bounds: keys that come back (the same keys in every window) are never swept while they return at
 * least as often as sweeps run, and never make a sweep run (they are at most as many as the busy
 * keys). Keys that never come back leave about 2 to 3 × max(1024, the busy keys) idle entries at most.
 * A sweep scans every entry, but needs a quarter as many records as idle entries since the previous
 * one, and the idle entries are at least two thirds of the entries, so the cost per record stays
 * constant.
 *
 * @example
 * ```ts
 * const idle = new IdleKeys(keys);
 * idle.record();            // on each record
 * idle.markIdle(entry);     // when a key loses its last window
 * idle.markBusy(entry);     // when it gets one again
 * idle.sweep(mark.time >= MAX_WATERMARK); // on each watermark
 * ```
 */
export class IdleKeys<V extends IdleKeyEntry> {
  private idle = 0;
  private records = 0;
  private lastSweep = 0;
  /** The most entries busy at once (seen when one goes idle) since the previous sweep. */
  private busyPeak = 0;
  constructor(private readonly entries: Map<unknown, V>) {}

  /** Number of idle entries held. */
  get size(): number {
    return this.idle;
  }
  /** Counts a record (the clock of idleness). */
  record(): void {
    this.records++;
  }
  markIdle(e: V): void {
    if (e.idleSince >= 0) return;
    const busy = this.entries.size - this.idle;
    if (busy > this.busyPeak) this.busyPeak = busy;
    e.idleSince = this.records;
    this.idle++;
  }
  markBusy(e: V): void {
    if (e.idleSince < 0) return;
    e.idleSince = -1;
    this.idle--;
  }
  /** Removes old idle entries when due (see the class), or every idle entry when `all`. */
  sweep(all: boolean): void {
    const idle = this.idle;
    if (!all && (idle < 1024 || idle < 2 * this.busyPeak || 4 * (this.records - this.lastSweep) < idle)) return;
    const horizon = all ? this.records + 1 : this.lastSweep;
    this.lastSweep = this.records;
    for (const [k, e] of this.entries) {
      if (e.idleSince >= 0 && e.idleSince < horizon) {
        this.entries.delete(k);
        this.idle--;
      }
    }
    this.busyPeak = this.entries.size - this.idle;
  }
}
