/**
 * Alerting with rules that arrive at run time on a broadcast stream.
 *
 *   readings → assignWatermarks → keyBy(sensor) ─┐
 *                                                ├─ connect → keyedBroadcastProcess → alerts
 *   rules ───────────────────── broadcast(rules) ┘
 *
 * A rule says "alert when metric M is above X for N readings in a row". Rules are added and removed while
 * the job runs: they live in broadcast state (every parallel instance sees the same rules); the streak of
 * each (sensor, rule) lives in keyed state, and removing a rule clears every sensor's streak for it with
 * `applyToKeyedState`. A per-sensor event-time timer raises a "silent" alert when a sensor has sent
 * nothing for `silenceMs` of event time.
 *
 * The rules stream starts with the largest watermark, so its sparse records never hold back event time
 * (the combined watermark of two inputs is their minimum). Run: npx tsx examples/alerting.ts
 */
import { fileURLToPath } from 'node:url';
import { concat, lastValueFrom, of, Subject, toArray } from 'rxjs';
import {
  assignWatermarks,
  broadcast,
  connect,
  keyBy,
  keyedBroadcastProcess,
  MapStateDescriptor,
  MAX_WATERMARK,
  ValueStateDescriptor,
  values,
  Watermark,
  WatermarkStrategy,
  type KeyedBroadcastProcessFunction,
  type MapState,
  type ValueState,
} from '../lib/index';

/** One measurement of one sensor. */
export interface Reading {
  sensor: string;
  metric: 'temperature' | 'humidity';
  value: number;
  ts: number;
}

/** Adds (or replaces) a rule: `metric` above `above` for `times` readings in a row. */
export interface AddRule {
  kind: 'add';
  name: string;
  metric: Reading['metric'];
  above: number;
  times: number;
  ts: number;
}
/** Removes a rule. */
export interface RemoveRule {
  kind: 'remove';
  name: string;
  ts: number;
}
export type RuleEvent = AddRule | RemoveRule;

/** An alert: a rule matched, or a sensor went silent. */
export interface Alert {
  sensor: string;
  rule: string;
  ts: number;
  value?: number;
}

/** The broadcast state: rules by name. */
export const rulesDescriptor = new MapStateDescriptor<string, AddRule>('rules');

type Alerter = KeyedBroadcastProcessFunction<string, Reading, RuleEvent, Alert> & {
  streaks?: MapState<string, number>;
  lastSeen?: ValueState<number>;
};

/** The alerting function: rules from broadcast state, streaks and last-seen time in keyed state. */
export function alerter(silenceMs: number): Alerter {
  const streaksDescriptor = new MapStateDescriptor<string, number>('streaks');
  return {
    open(ctx) {
      this.streaks = ctx.getMapState(streaksDescriptor);
      this.lastSeen = ctx.getState(new ValueStateDescriptor<number>('last-seen'));
    },
    processBroadcastElement(event, ctx) {
      const rules = ctx.getBroadcastState(rulesDescriptor);
      if (event.kind === 'add') {
        rules.put(event.name, event);
      } else {
        rules.remove(event.name);
      }
      // a new or removed rule starts every sensor's streak for it afresh
      ctx.applyToKeyedState(streaksDescriptor, (_sensor, streaks) => streaks.remove(event.name));
    },
    processElement(r, ctx, out) {
      this.lastSeen!.update(r.ts);
      ctx.timerService().registerEventTimeTimer(r.ts + silenceMs);
      for (const [name, rule] of ctx.getBroadcastState(rulesDescriptor).entries()) {
        if (rule.metric !== r.metric) continue;
        if (r.value <= rule.above) {
          this.streaks!.remove(name);
          continue;
        }
        const streak = (this.streaks!.get(name) ?? 0) + 1;
        this.streaks!.put(name, streak);
        if (streak === rule.times) out.collect({ sensor: r.sensor, rule: name, ts: r.ts, value: r.value });
      }
    },
    onTimer(t, ctx, out) {
      // only the latest reading's timer counts, and not the end of input (the stream ended, not the sensor)
      if (ctx.currentWatermark() === MAX_WATERMARK || this.lastSeen!.value()! + silenceMs !== t) return;
      out.collect({ sensor: ctx.getCurrentKey(), rule: 'silent', ts: t });
    },
  };
}

/**
 * Runs the alerting job over `readings` and `rules` as they would arrive live: both in event-time order
 * (a rule before a reading of the same time).
 */
export async function alerting(readings: readonly Reading[], rules: readonly RuleEvent[], silenceMs = 5_000): Promise<Alert[]> {
  const readings$ = new Subject<Reading>();
  const rules$ = new Subject<RuleEvent>();
  const result = lastValueFrom(
    readings$.pipe(
      assignWatermarks(WatermarkStrategy.forMonotonousTimestamps<Reading>().withPerEventEmit().withTimestampAssigner((r) => r.ts)),
      keyBy((r) => r.sensor),
      connect(concat(of(Watermark.MAX), rules$).pipe(broadcast<RuleEvent>(rulesDescriptor))),
      keyedBroadcastProcess(alerter(silenceMs)),
      values(),
      toArray(),
    ),
  );
  let i = 0;
  for (const r of readings) {
    while (i < rules.length && rules[i]!.ts <= r.ts) rules$.next(rules[i++]!);
    readings$.next(r);
  }
  while (i < rules.length) rules$.next(rules[i++]!);
  readings$.complete();
  rules$.complete();
  return result;
}

/** Deterministic sample data: 4 sensors, one reading each per second; s3 goes quiet for a while. */
export function sampleData(seconds = 120, seed = 7): { readings: Reading[]; rules: RuleEvent[] } {
  let x = seed;
  const rnd = (): number => ((x = (x * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const t0 = 1_700_000_000_000;
  const readings: Reading[] = [];
  const level = { s1: 25, s2: 25, s3: 25, s4: 25 } as Record<string, number>;
  for (let s = 0; s < seconds; s++) {
    for (const sensor of ['s1', 's2', 's3', 's4']) {
      if (sensor === 's3' && s >= 40 && s < 55) continue;
      level[sensor] = Math.max(10, Math.min(45, level[sensor]! + (rnd() - 0.5) * 6));
      const metric = s % 3 === 0 ? 'humidity' : 'temperature';
      const value = metric === 'humidity' ? Math.round(level[sensor]! * 2) : Math.round(level[sensor]! * 10) / 10;
      readings.push({ sensor, metric, value, ts: t0 + s * 1000 });
    }
  }
  const rules: RuleEvent[] = [
    { kind: 'add', name: 'hot', metric: 'temperature', above: 28, times: 3, ts: t0 + 10_000 },
    { kind: 'add', name: 'humid', metric: 'humidity', above: 60, times: 2, ts: t0 + 30_000 },
    { kind: 'add', name: 'hot', metric: 'temperature', above: 32, times: 2, ts: t0 + 60_000 },
    { kind: 'remove', name: 'humid', ts: t0 + 90_000 },
  ];
  return { readings, rules };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { readings, rules } = sampleData();
  void alerting(readings, rules).then((alerts) => {
    console.log(`${readings.length} readings, ${rules.length} rule changes, ${alerts.length} alerts\n`);
    for (const a of alerts) {
      console.log(`${new Date(a.ts).toISOString().slice(11, 19)}  ${a.sensor}  ${a.rule}${a.value === undefined ? '' : ` (${a.value})`}`);
    }
  });
}
