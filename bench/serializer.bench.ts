/**
 * State serializer benchmark: the default state serializer (JSON with tags only where JSON cannot hold a
 * value) against the tightest code for the same job: `JSON.stringify`/`JSON.parse` per entry on plain
 * data (which the serializer must match, since it writes the same text), and V8's structured serializer
 * (`v8.serialize`, Node only) on data with a Map, a Set, a Date and a bigint per entry.
 * Run: npm run bench -- --only serializer [--size 1M]
 */
import { deserialize as v8Deserialize, serialize as v8Serialize } from 'node:v8';
import { defaultStateSerializer as s } from '../lib/index';
import { benchSize, compare, rng } from './harness';

const N = benchSize(1_000_000);
const random = rng(7);

/** Value state of a typical keyed counter: a small plain object. */
const plain = Array.from({ length: N }, (_, i) => ({ n: i, total: Math.floor(random() * 1e6), last: `user-${i % 1000}`, ok: i % 3 === 0 }));
/** State with the types JSON cannot hold. */
const rich = Array.from({ length: Math.max(1, N >> 2) }, (_, i) => ({
  n: i,
  seen: new Set([`a${i % 7}`, `b${i % 5}`]),
  byHour: new Map([[i % 24, i]]),
  since: new Date(1_700_000_000_000 + i),
  big: BigInt(i) * 1_000_000_007n,
}));

const plainText = plain.map((v) => JSON.stringify(v));
const richText = rich.map((v) => s.serialize(v));
const richV8 = rich.map((v) => v8Serialize(v));

/** Sum of the lengths of what was written: both sides write the same text. */
const lengths = (f: (v: unknown) => string, xs: readonly unknown[]) => (): number => {
  let n = 0;
  for (let i = 0; i < xs.length; i++) n += f(xs[i]).length;
  return n;
};

/** A checksum of what was read: the sum of every entry's `n` and `total`. */
const totals = (f: (t: string) => unknown) => (): number => {
  let n = 0;
  for (let i = 0; i < plainText.length; i++) {
    const v = f(plainText[i]!) as { n: number; total: number };
    n += v.n + v.total;
  }
  return n;
};

/** A checksum of rich entries read back: sizes of the Set and Map, the Date and the bigint. */
function richSum(v: { n: number; seen: Set<string>; byHour: Map<number, number>; since: Date; big: bigint }): number {
  return v.n + v.seen.size + v.byHour.size + (v.since.getTime() % 1000) + Number(v.big % 1000n);
}

await compare('serialize plain value state (1 small object per key)', {
  events: N,
  sides: [
    { label: 'JSON.stringify', run: lengths((v) => JSON.stringify(v), plain) },
    { label: 'defaultStateSerializer', run: lengths((v) => s.serialize(v), plain) },
  ],
});

await compare('deserialize plain value state', {
  events: N,
  sides: [
    { label: 'JSON.parse', run: totals((t) => JSON.parse(t)) },
    { label: 'defaultStateSerializer', run: totals((t) => s.deserialize(t)) },
  ],
});

await compare('round trip of state with a Map, a Set, a Date and a bigint per key', {
  events: rich.length,
  sides: [
    {
      label: 'v8.serialize',
      run: () => {
        let n = 0;
        for (let i = 0; i < rich.length; i++) n += richSum(v8Deserialize(v8Serialize(rich[i])));
        return n;
      },
    },
    {
      label: 'defaultStateSerializer',
      run: () => {
        let n = 0;
        for (let i = 0; i < rich.length; i++) n += richSum(s.deserialize(s.serialize(rich[i])) as Parameters<typeof richSum>[0]);
        return n;
      },
    },
  ],
});

const bytes = (xs: ArrayLike<{ length: number }>): number => {
  let n = 0;
  for (let i = 0; i < xs.length; i++) n += xs[i]!.length;
  return n;
};
console.log(`size of the rich state: defaultStateSerializer ${(bytes(richText) / rich.length).toFixed(1)} bytes per entry, v8.serialize ${(bytes(richV8) / rich.length).toFixed(1)}`);
