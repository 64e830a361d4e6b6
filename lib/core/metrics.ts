/**
 * A small metric registry: counters and gauges by name, grouped per operator.
 * @module
 */

/**
 * A monotonically increasing count (late records dropped, records in, ...).
 *
 * @example
 * ```ts
 * const c = new MetricGroup().counter('numLateRecordsDropped'); c.inc(); c.count // 1
 * ```
 */
export class Counter {
  count = 0;
  inc(n = 1): void {
    this.count += n;
  }
}

/**
 * A named group of counters, gauges and sub-groups. A job has one; each operator gets a sub-group named
 * after its uid (or its name). Read late-data counts and other metrics from it.
 *
 * @example
 * ```ts
 * const metrics = new MetricGroup();
 * source$.pipe(tumblingEventWindow(1000, { metrics }), ...);
 * metrics.counterValue('numLateRecordsDropped');
 * ```
 * @see Flink's `MetricGroup`
 */
export class MetricGroup {
  private readonly counters = new Map<string, Counter>();
  private readonly gauges = new Map<string, () => number>();
  private readonly groups = new Map<string, MetricGroup>();
  constructor(readonly name = '') {}

  /** The counter of that name, created at 0 on first use. */
  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) this.counters.set(name, (c = new Counter()));
    return c;
  }
  /** Registers a gauge: a function read when the metric is read. */
  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }
  /** The sub-group of that name, created on first use. */
  group(name: string): MetricGroup {
    let g = this.groups.get(name);
    if (g === undefined) this.groups.set(name, (g = new MetricGroup(name)));
    return g;
  }
  /** The value of a counter in this group or, summed, in every sub-group below it. */
  counterValue(name: string): number {
    let total = this.counters.get(name)?.count ?? 0;
    for (const g of this.groups.values()) total += g.counterValue(name);
    return total;
  }
  /** Every metric as a flat object of dotted names to values (counters and read gauges). */
  snapshot(prefix = ''): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, c] of this.counters) out[prefix + k] = c.count;
    for (const [k, g] of this.gauges) out[prefix + k] = g();
    for (const [k, g] of this.groups) Object.assign(out, g.snapshot(`${prefix}${k}.`));
    return out;
  }
}
