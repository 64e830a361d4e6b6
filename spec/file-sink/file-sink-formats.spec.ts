/**
 * Row formats: lines, JSON lines and CSV, checked by reading what they write back (CSV against a
 * reference RFC 4180 parser), and written through the sink into real files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { Job } from '../../lib/index';
import { BasePathBucketAssigner, csvCell, csvFormat, DefaultRollingPolicy, fileSink, FileSinkError, jsonLinesFormat, lineFormat } from '../../lib/node/index';
import { drive, finished } from './harness';

/** A straightforward RFC 4180 reader: rows of cells, CRLF or LF between rows. */
function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        cell += c;
        i++;
      }
    } else if (c === '"') {
      quoted = true;
      i++;
    } else if (c === delimiter) {
      row.push(cell);
      cell = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else {
      cell += c;
      i++;
    }
  }
  return rows;
}

const cellText = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', ';', '"', '\n', '\r', 'é', '\t') });

describe('csvFormat', () => {
  it('reads back as the cells it wrote, whatever they hold (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cellText, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 10 }), fc.constantFrom(',', ';', '\t'), (rows, delimiter) => {
        const format = csvFormat<string[]>({ delimiter });
        const text = rows.map((r) => format.encode(r)).join('');
        expect(parseCsv(text, delimiter)).toEqual(rows);
      }),
    );
  });

  it('quotes only where it must, and renders numbers, dates, null and objects', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(1.5)).toBe('1.5');
    expect(csvCell(new Date(Date.UTC(2024, 0, 2)))).toBe('2024-01-02T00:00:00.000Z');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    const f = csvFormat<{ user: string; note: string; n: number }>({ columns: ['user', 'note', { name: 'double', value: (r) => r.n * 2 }] });
    expect(f.header).toBe('user,note,double\r\n');
    expect(f.encode({ user: 'a', note: 'x, "y"', n: 2 })).toBe('a,"x, ""y""",4\r\n');
  });

  it('refuses a bad delimiter, bad columns, and records of the wrong shape', () => {
    expect(() => csvFormat({ delimiter: '"' })).toThrow(/delimiter must be one character other than/);
    expect(() => csvFormat({ delimiter: ',,' })).toThrow(/delimiter/);
    expect(() => csvFormat({ columns: [] })).toThrow(/columns must be a non-empty array/);
    expect(() => csvFormat({ header: true })).toThrow(/header needs columns/);
    expect(() => csvFormat().encode({ a: 1 })).toThrow(FileSinkError);
    expect(() => csvFormat<{ a: number }>({ columns: ['a'] }).encode(3 as never)).toThrow(/is not an object with the columns a/);
  });

  it('starts every part file with the header', () => {
    const root = mkdtempSync(join(tmpdir(), 'tidemark-csv-'));
    try {
      const d = drive<{ a: string }>(
        new Job({ scheduler: new VirtualTimeScheduler() }),
        fileSink({ path: root, bucketAssigner: new BasePathBucketAssigner(), format: csvFormat({ columns: ['a'] }), rollingPolicy: new DefaultRollingPolicy({ maxPartSize: 8 }) }),
      );
      for (const a of ['x', 'y', 'z']) d.emit({ a });
      d.end();
      // header (3 bytes) + 2 rows (3 bytes each) fit in 8? 3 + 3 = 6, + 3 = 9 > 8: one row per file
      expect([...finished(root)].sort()).toEqual([
        ['part-0-0.csv', 'a\r\nx\r\n'],
        ['part-0-1.csv', 'a\r\ny\r\n'],
        ['part-0-2.csv', 'a\r\nz\r\n'],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('jsonLinesFormat and lineFormat', () => {
  it('JSON lines: every line parses back to its record (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 20 }), (records) => {
        const f = jsonLinesFormat();
        const text = records.map((r) => f.encode(r)).join('');
        const lines = text.split('\n').slice(0, -1);
        expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(records.map((r) => JSON.parse(JSON.stringify(r)) as unknown));
      }),
    );
  });

  it('lines: one line per record; a record with a line break is refused', () => {
    const f = lineFormat();
    expect(f.encode('a b')).toBe('a b\n');
    expect(f.encode(42)).toBe('42\n');
    expect(() => f.encode('a\r\nb')).toThrow(FileSinkError);
    expect(jsonLinesFormat().suffix).toBe('.jsonl');
    expect(() => jsonLinesFormat().encode(undefined)).toThrow(/has no JSON form/);
  });
});
