/**
 * Regenerates examples/data/clicks.csv: a deterministic click log (user, url, timestamp) with some
 * records out of order and a few very late. Run: `npx tsx examples/data/generate-clicks.ts`.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Click {
  user: string;
  url: string;
  timestamp: number;
}

/** mulberry32: a tiny seeded PRNG so the data set is the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = ['ann', 'bob', 'cid', 'dee', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jon', 'kim', 'lou'];
const URLS = ['/home', '/cart', '/checkout', '/search', '/product/1', '/product/2', '/help'];
const START = Date.UTC(2026, 10, 24, 9, 0, 0);

/** Builds `n` clicks: mostly in order, ~6% up to 4 s out of order, ~1% more than 30 s late. */
export function generateClicks(n = 3000, seed = 7): Click[] {
  const r = rng(seed);
  const clicks: Click[] = [];
  let t = START;
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 400);
    const u = r();
    let ts = t;
    if (u < 0.01) ts = t - 30_000 - Math.floor(r() * 30_000);
    else if (u < 0.07) ts = t - Math.floor(r() * 4_000);
    // a skewed URL popularity so the top N is interesting
    const url = URLS[Math.min(URLS.length - 1, Math.floor(-Math.log(1 - r() * 0.999) * 1.6))]!;
    clicks.push({ user: USERS[Math.floor(r() * USERS.length)]!, url, timestamp: ts });
  }
  return clicks;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'clicks.csv');
  const lines = ['user,url,timestamp', ...generateClicks().map((c) => `${c.user},${c.url},${c.timestamp}`)];
  writeFileSync(file, `${lines.join('\n')}\n`);
  console.log(`wrote ${lines.length - 1} clicks to ${file}`);
}
