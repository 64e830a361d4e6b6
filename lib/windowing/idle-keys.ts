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
 * sweep after it went idle; a sweep runs on a watermark once at least 1024 entries are idle and at least
 * max(busy keys, idle keys / 2) records have passed since the previous sweep, and removes the entries
 * that were already idle at the previous sweep and still are. The map then holds the busy keys plus the
 * keys that went idle within about two sweep intervals: even when keys never come back, the idle ones
 * stay within a small multiple of max(1024, busy keys).
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
    const busy = this.entries.size - this.idle;
    if (!all && (this.idle < 1024 || this.records - this.lastSweep < Math.max(busy, this.idle / 2))) return;
    const horizon = all ? this.records + 1 : this.lastSweep;
    this.lastSweep = this.records;
    for (const [k, e] of this.entries) {
      if (e.idleSince >= 0 && e.idleSince < horizon) {
        this.entries.delete(k);
        this.idle--;
      }
    }
  }
}
