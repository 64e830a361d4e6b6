/**
 * The stages of bench/parallelism.bench.ts, in a module of their own so that worker threads can load them
 * (the bench bundles it with esbuild next to the worker entry). The in-process sides import the same
 * functions.
 */
import type { Observable } from 'rxjs';
import { map, tumblingEventWindow, type StreamElement } from '../lib/index';

/** A click as a JSON line carries it. */
export interface Click {
  user: string;
  url: string;
  ms: number;
  ts: number;
}

/** A click after enrichment. */
export interface Enriched {
  user: string;
  section: string;
  bucket: number;
  slow: number;
  n: number;
}

const SECTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/shop\/(cart|checkout)/, 'buy'],
  [/^\/shop\//, 'shop'],
  [/^\/blog\/\d{4}\//, 'blog'],
  [/^\/(help|faq|support)\b/, 'help'],
  [/^\/api\/v\d+\//, 'api'],
];

/** CPU-heavy enrichment: classify the url, and a stable bucket from a hash of user and url (8 rounds). */
export function enrich(c: Click): Enriched {
  let section = 'other';
  for (const [re, name] of SECTIONS) {
    if (re.test(c.url)) {
      section = name;
      break;
    }
  }
  let h = 0x811c9dc5;
  const s = `${c.user}|${c.url}`;
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h ^= round;
  }
  return { user: c.user, section, bucket: (h >>> 0) % 64, slow: c.ms > 800 ? 1 : 0, n: 1 };
}

/** Parse a JSON line, enrich, and a keyed tumbling window (1 s of event time) per user: count, slow count, sections seen. */
export function clickStage(input: Observable<StreamElement<string>>): Observable<StreamElement<unknown>> {
  return input.pipe(
    map((line: string) => enrich(JSON.parse(line) as Click)),
    tumblingEventWindow(1_000, {
      reduce: (a: Enriched, b: Enriched) => ({ user: a.user, section: a.section < b.section ? a.section : b.section, bucket: (a.bucket + b.bucket) % 64, slow: a.slow + b.slow, n: a.n + b.n }),
    }),
  );
}

/** Nothing but the crossing: returns its input. */
export function identity(input: Observable<StreamElement<string>>): Observable<StreamElement<string>> {
  return input;
}
