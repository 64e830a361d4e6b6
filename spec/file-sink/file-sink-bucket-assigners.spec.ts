/**
 * Bucket assignment: every record lands in the directory a brute-force reference names for it (date
 * patterns taken apart from the ISO form of the time), and nowhere else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { Job } from '../../lib/index';
import { DateTimeBucketAssigner, fileSink, FileSinkError, formatTime, jsonLinesFormat } from '../../lib/node/index';
import { drive, finished, hidden } from './harness';

let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'tidemark-buckets-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** The reference: each token read off `toISOString()`. */
function reference(tokens: readonly string[], t: number): string {
  const iso = new Date(t).toISOString(); // yyyy-MM-ddTHH:mm:ss.SSSZ
  const at: Record<string, string> = { yyyy: iso.slice(0, 4), MM: iso.slice(5, 7), dd: iso.slice(8, 10), HH: iso.slice(11, 13), mm: iso.slice(14, 16), ss: iso.slice(17, 19), SSS: iso.slice(20, 23) };
  return tokens.map((k) => at[k] ?? k.slice(1, -1)).join('');
}

const token = fc.constantFrom('yyyy', 'MM', 'dd', 'HH', 'mm', 'ss', 'SSS');
const separator = fc.constantFrom("'-'", "'/'", "'_'", "'h='");
/** A pattern: tokens with separators, never starting or ending with "/". */
const pattern = fc.array(fc.tuple(token, separator), { minLength: 1, maxLength: 4 }).chain((pairs) => token.map((last) => [...pairs.flat(), last]));
const time = fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) });

describe('DateTimeBucketAssigner', () => {
  it('formats a time as the reference does (property)', () => {
    fc.assert(
      fc.property(pattern, time, (tokens, t) => {
        expect(formatTime(tokens.join(''), t)).toBe(reference(tokens, t));
      }),
      { numRuns: 300 },
    );
  });

  it('writes every record into the bucket its event time names, each exactly once (property)', () => {
    fc.assert(
      fc.property(pattern, fc.array(time, { minLength: 1, maxLength: 30 }), (tokens, times) => {
        const dir = join(root, `p${n++}`);
        const d = drive<{ i: number; t: number }>(
          new Job({ scheduler: new VirtualTimeScheduler() }),
          fileSink({ path: dir, format: jsonLinesFormat(), bucketAssigner: new DateTimeBucketAssigner({ format: tokens.join(''), time: 'event' }) }),
        );
        times.forEach((t, i) => d.emit({ i, t }, t));
        d.end();
        expect(d.errors).toEqual([]);
        expect(hidden(dir).size).toBe(0);
        const seen: number[] = [];
        for (const [rel, text] of finished(dir)) {
          const bucket = rel.slice(0, rel.lastIndexOf('/'));
          for (const line of text.split('\n').slice(0, -1)) {
            const r = JSON.parse(line) as { i: number; t: number };
            expect(bucket).toBe(reference(tokens, r.t));
            seen.push(r.i);
          }
        }
        expect(seen.sort((a, b) => a - b)).toEqual(times.map((_, i) => i));
      }),
      { numRuns: 30 },
    );
  });

  it('buckets by processing time by default (Flink\'s yyyy-MM-dd--HH), and by a user function', () => {
    const scheduler = new VirtualTimeScheduler();
    const dir = join(root, `q${n++}`);
    const d = drive<string>(new Job({ scheduler }), fileSink({ path: dir }));
    scheduler.schedule(() => d.emit('first'), 0);
    scheduler.schedule(() => d.emit('later'), 3_600_000);
    scheduler.schedule(() => d.end(), 3_600_001);
    scheduler.flush();
    expect([...finished(dir)].sort()).toEqual([
      ['1970-01-01--00/part-0-0.txt', 'first\n'],
      ['1970-01-01--01/part-0-1.txt', 'later\n'],
    ]);
    const byUser = join(root, `u${n++}`);
    const u = drive<{ user: string }>(new Job({ scheduler: new VirtualTimeScheduler() }), fileSink({ path: byUser, format: jsonLinesFormat(), bucketAssigner: (c) => `user=${c.user}` }));
    u.emit({ user: 'ann' });
    u.emit({ user: 'bob' });
    u.emit({ user: 'ann' });
    u.end();
    expect([...finished(byUser)].sort()).toEqual([
      ['user=ann/part-0-0.jsonl', '{"user":"ann"}\n{"user":"ann"}\n'],
      ['user=bob/part-0-1.jsonl', '{"user":"bob"}\n'],
    ]);
  });

  it('event-time buckets need timestamped records; bad options are refused', () => {
    const d = drive<string>(new Job({ scheduler: new VirtualTimeScheduler() }), fileSink({ path: join(root, `e${n++}`), bucketAssigner: new DateTimeBucketAssigner({ time: 'event' }) }));
    d.emit('no timestamp');
    expect(d.errors[0]).toBeInstanceOf(FileSinkError);
    expect((d.errors[0] as Error).message).toMatch(/no event-time timestamp.*assignWatermarks/);
    expect(() => new DateTimeBucketAssigner({ format: '' })).toThrow(/format must be a non-empty pattern/);
    expect(() => new DateTimeBucketAssigner({ time: 'wall' as never })).toThrow(/time must be 'processing' or 'event'/);
  });
});
