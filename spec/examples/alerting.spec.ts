import fc from 'fast-check';
import { alerting, sampleData, type Alert, type AddRule, type Reading, type RuleEvent } from '../../examples/alerting';

/** The same job as a plain loop over the events in arrival order. */
function model(readings: readonly Reading[], rules: readonly RuleEvent[], silenceMs: number): Alert[] {
  const active = new Map<string, AddRule>();
  const streaks = new Map<string, Map<string, number>>();
  const lastSeen = new Map<string, number>();
  const pending: Array<{ sensor: string; t: number }> = []; // silence timers, one per (sensor, time)
  const alerts: Alert[] = [];
  const fireUpTo = (watermark: number): void => {
    pending.sort((a, b) => a.t - b.t);
    while (pending.length > 0 && pending[0]!.t <= watermark) {
      const { sensor, t } = pending.shift()!;
      if (lastSeen.get(sensor)! + silenceMs === t) alerts.push({ sensor, rule: 'silent', ts: t });
    }
  };
  let i = 0;
  for (const r of readings) {
    while (i < rules.length && rules[i]!.ts <= r.ts) {
      const e = rules[i++]!;
      if (e.kind === 'add') active.set(e.name, e);
      else active.delete(e.name);
      for (const s of streaks.values()) s.delete(e.name);
    }
    lastSeen.set(r.sensor, r.ts);
    if (!pending.some((p) => p.sensor === r.sensor && p.t === r.ts + silenceMs)) pending.push({ sensor: r.sensor, t: r.ts + silenceMs });
    const mine = streaks.get(r.sensor) ?? new Map<string, number>();
    streaks.set(r.sensor, mine);
    for (const [name, rule] of active) {
      if (rule.metric !== r.metric) continue;
      if (r.value <= rule.above) {
        mine.delete(name);
        continue;
      }
      const n = (mine.get(name) ?? 0) + 1;
      mine.set(name, n);
      if (n === rule.times) alerts.push({ sensor: r.sensor, rule: name, ts: r.ts, value: r.value });
    }
    // the punctuated watermark after each reading: largest timestamp - 1
    fireUpTo(Math.max(...readings.slice(0, readings.indexOf(r) + 1).map((x) => x.ts)) - 1);
  }
  return alerts;
}

const sortAlerts = (xs: Alert[]): Alert[] => [...xs].sort((a, b) => a.ts - b.ts || a.sensor.localeCompare(b.sensor) || a.rule.localeCompare(b.rule));

describe('alerting example', () => {
  it('raises rule and silence alerts on the sample data, as a plain loop does', async () => {
    const { readings, rules } = sampleData();
    const alerts = await alerting(readings, rules);
    expect(alerts.length).toBeGreaterThan(5);
    expect(alerts.some((a) => a.rule === 'silent' && a.sensor === 's3')).toBe(true);
    // the removed rule raises nothing after its removal; the replaced one uses its new threshold
    expect(alerts.filter((a) => a.rule === 'humid' && a.ts >= rules[3]!.ts)).toEqual([]);
    expect(alerts.filter((a) => a.rule === 'hot' && a.ts >= rules[2]!.ts).every((a) => a.value! > 32)).toBe(true);
    expect(sortAlerts(alerts)).toEqual(sortAlerts(model(readings, rules, 5_000)));
  });

  it('starts a streak afresh when its rule is replaced (applyToKeyedState)', async () => {
    const r = (ts: number): Reading => ({ sensor: 'a', metric: 'temperature', value: 5, ts });
    const add = (ts: number): RuleEvent => ({ kind: 'add', name: 'x', metric: 'temperature', above: 1, times: 2, ts });
    // without the reset, the streak would reach 2 at ts 3
    expect(await alerting([r(1), r(3), r(5)], [add(0), add(2)], 100)).toEqual([{ sensor: 'a', rule: 'x', ts: 5, value: 5 }]);
  });

  it('matches the plain loop on random readings and rule changes (property)', async () => {
    const reading = fc.record({
      sensor: fc.constantFrom('a', 'b'),
      metric: fc.constantFrom('temperature' as const, 'humidity' as const),
      value: fc.integer({ min: 0, max: 10 }),
      dt: fc.integer({ min: 0, max: 2 }),
    });
    const rule = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), name: fc.constantFrom('x', 'y'), metric: fc.constantFrom('temperature' as const, 'humidity' as const), above: fc.integer({ min: 0, max: 5 }), times: fc.integer({ min: 2, max: 3 }), ts: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('remove' as const), name: fc.constantFrom('x', 'y'), ts: fc.integer({ min: 0, max: 40 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(reading, { maxLength: 30 }), fc.array(rule, { maxLength: 6 }), async (rs, rules) => {
        let t = 0;
        const readings: Reading[] = rs.map(({ dt, ...r }) => ({ ...r, ts: (t += dt) }));
        const sortedRules = [...rules].sort((a, b) => a.ts - b.ts);
        const got = await alerting(readings, sortedRules, 4);
        expect(sortAlerts(got)).toEqual(sortAlerts(model(readings, sortedRules, 4)));
      }),
      { numRuns: 100 },
    );
  });
});
