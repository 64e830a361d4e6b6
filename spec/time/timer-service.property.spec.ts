/**
 * The timer service against a brute-force model: random registrations and deletions of event-time timers
 * (a few keys, array keys included, namespaces compared by value, colliding times) and watermark
 * advances. A timer is one (key, namespace, time): registering it twice keeps one; deleting removes it;
 * a watermark fires every live timer at or before it, by time and then by registration order, and a
 * timer registered by a firing callback at or before the watermark fires in the same advance.
 */
import fc from 'fast-check';
import { asyncScheduler } from 'rxjs';
import { InternalTimerService, type InternalTimer, type Key } from '../../lib/index';

/** A namespace compared by value (like a window). */
interface Ns {
  readonly start: number;
}

type Op =
  | { kind: 'register'; key: number; ns: number; time: number }
  | { kind: 'delete'; key: number; ns: number; time: number }
  | { kind: 'advance'; to: number };

const KEYS: Key[] = ['a', 'b', 1, ['a', 1]];
const keyName = (k: Key | undefined): string => JSON.stringify(k);

/** Operations over `keys` of KEYS and times 0..maxTime, watermarks up to `maxAdvance`. */
const opsOf = (keys: number, maxTime: number, maxAdvance: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('register' as const), key: fc.nat(keys - 1), ns: fc.nat(2), time: fc.integer({ min: 0, max: maxTime }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.nat(keys - 1), ns: fc.nat(2), time: fc.integer({ min: 0, max: maxTime }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), to: fc.integer({ min: -1, max: maxAdvance }) }) },
  );

describe('InternalTimerService (property: equals a brute-force model)', () => {
  // A key holds one timer inline, a few in a short array, many in a map by time: the dense case takes
  // keys through all three (checked below), back and forth.
  let mostPerKey = 0;
  it.each([
    ['few timers per key', opsOf(4, 12, 14), 0, 80],
    ['many timers per key', opsOf(2, 40, 12), 75, 150],
  ] as const)('deduplicates, deletes and fires timers in (time, registration) order: %s', (what, opArb, minLength, maxLength) => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength, maxLength }), fc.boolean(), (ops, chain) => {
        const fired: string[] = [];
        const show = (key: Key | undefined, ns: number, time: number) => `${keyName(key)}/${ns}@${time}`;
        // a fresh namespace object each time: the service must compare them by value
        const nsOf = (n: number): Ns => ({ start: n });
        const timers = new InternalTimerService<Ns>({
          scheduler: asyncScheduler,
          sameNamespace: (a, b) => a.start === b.start,
          onEventTime: (t: InternalTimer<Ns>) => {
            fired.push(show(t.key, t.namespace.start, t.time));
            // optionally chain: namespace 0 timers register namespace 2 one tick later
            if (chain && t.namespace.start === 0) timers.registerEventTimeTimer(t.key, nsOf(2), t.time + 1);
          },
          onProcessingTime: () => undefined,
          onError: (e) => {
            throw e;
          },
        });

        // the model: live timers in registration order
        const model: { key: Key; ns: number; time: number }[] = [];
        const expected: string[] = [];
        let watermark = Number.MIN_SAFE_INTEGER;
        const same = (x: { key: Key; ns: number; time: number }, key: Key, ns: number, time: number) =>
          keyName(x.key) === keyName(key) && x.ns === ns && x.time === time;
        const modelRegister = (key: Key, ns: number, time: number) => {
          if (!model.some((x) => same(x, key, ns, time))) model.push({ key, ns, time });
        };
        for (const op of ops) {
          if (op.kind === 'register') {
            timers.registerEventTimeTimer(KEYS[op.key]!, nsOf(op.ns), op.time);
            modelRegister(KEYS[op.key]!, op.ns, op.time);
          } else if (op.kind === 'delete') {
            timers.deleteEventTimeTimer(KEYS[op.key]!, nsOf(op.ns), op.time);
            const i = model.findIndex((x) => same(x, KEYS[op.key]!, op.ns, op.time));
            if (i >= 0) model.splice(i, 1);
          } else {
            timers.advanceWatermark(op.to);
            watermark = Math.max(watermark, op.to);
            for (;;) {
              // the earliest due timer, first registered among equals
              let best = -1;
              for (let i = 0; i < model.length; i++) {
                if (model[i]!.time <= op.to && (best < 0 || model[i]!.time < model[best]!.time)) best = i;
              }
              if (best < 0) break;
              const t = model.splice(best, 1)[0]!;
              expected.push(show(t.key, t.ns, t.time));
              if (chain && t.ns === 0) modelRegister(t.key, 2, t.time + 1);
            }
          }
          expect(timers.numEventTimeTimers()).toBe(model.length);
          for (const k of KEYS) mostPerKey = Math.max(mostPerKey, model.filter((x) => keyName(x.key) === keyName(k)).length);
        }
        expect(fired).toEqual(expected);
        expect(timers.currentWatermark()).toBe(watermark);
        // what is left is what a snapshot holds, in firing order
        const left = timers.snapshot().eventTime.map((t) => show(t.key, t.namespace.start, t.time));
        const modelLeft = [...model].sort((x, y) => x.time - y.time).map((t) => show(t.key, t.ns, t.time));
        expect(left).toEqual(modelLeft);
      }),
      { numRuns: minLength > 0 ? 200 : 500 },
    );
    if (what === 'many timers per key') expect(mostPerKey).toBeGreaterThan(20);
  });
});
