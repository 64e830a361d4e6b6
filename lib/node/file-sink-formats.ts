/**
 * Row formats of the file sink: how one record becomes bytes in a part file (Flink's `Encoder`).
 * @module
 */
import { InvalidArgumentError, describeValue } from '../core/errors';
import { FileSinkError } from './file-sink-error';

/**
 * A row format: turns one record into the text appended to a part file (its line terminator included),
 * and names the part files' default suffix and, optionally, a header that starts every part file.
 *
 * It's like Flink's `Encoder<IN>` for row-encoded formats (`SimpleStringEncoder`).
 *
 * @example
 * ```ts
 * const upper: RowFormat<string> = { suffix: '.txt', encode: (s) => `${s.toUpperCase()}\n` };
 * ```
 * @typeParam T - the records' type.
 */
export interface RowFormat<T> {
  /** The text of one record, with its terminator. Throw to refuse a record (the sink fails with it). */
  encode(value: T): string;
  /** Written at the start of every part file (a CSV header, say), with its terminator. */
  readonly header?: string;
  /** The part files' default suffix (e.g. `.csv`); `OutputFileConfig.partSuffix` overrides it. */
  readonly suffix?: string;
}

const LINE_ORIGIN = { operator: 'lineFormat' };

/**
 * One record per line: `String(value)` followed by `\n`. A value whose text holds a line break is refused
 * with a {@link FileSinkError} (it would read back as two records): use {@link jsonLinesFormat} or
 * {@link csvFormat} for text that may contain line breaks.
 *
 * It's like Flink's `SimpleStringEncoder`.
 *
 * ```text
 * lineFormat().encode('a b')    'a b\n'
 * lineFormat().encode(42)       '42\n'
 * ```
 *
 * @example
 * ```ts
 * fileSink<string>({ path: '/tmp/out', format: lineFormat() })
 * ```
 * @see jsonLinesFormat, csvFormat
 */
export function lineFormat<T = unknown>(): RowFormat<T> {
  return {
    suffix: '.txt',
    encode(value) {
      const s = String(value);
      if (s.includes('\n') || s.includes('\r')) {
        throw new FileSinkError(LINE_ORIGIN, `the record ${describeValue(s)} holds a line break, so it would read back as two lines: use jsonLinesFormat() or csvFormat()`);
      }
      return `${s}\n`;
    },
  };
}

/**
 * One JSON document per line (JSON Lines, `.jsonl`): `JSON.stringify(value)` followed by `\n`.
 * JSON escapes line breaks inside strings, so every line reads back as one record. A value JSON cannot
 * represent (`undefined`, a function, a bigint, a cycle) is refused with a {@link FileSinkError}.
 *
 * ```text
 * jsonLinesFormat().encode({ user: 'a', n: 1 })    '{"user":"a","n":1}\n'
 * ```
 *
 * @example
 * ```ts
 * fileSink<{ user: string; n: number }>({ path: '/tmp/out', format: jsonLinesFormat() })
 * ```
 * @see lineFormat, csvFormat
 */
export function jsonLinesFormat<T = unknown>(): RowFormat<T> {
  return {
    suffix: '.jsonl',
    encode(value) {
      let s: string | undefined;
      try {
        s = JSON.stringify(value);
      } catch (err) {
        throw new FileSinkError({ operator: 'jsonLinesFormat' }, `the record ${describeValue(value)} cannot be written as JSON: ${(err as Error).message}`, { cause: err });
      }
      if (s === undefined) throw new FileSinkError({ operator: 'jsonLinesFormat' }, `the record ${describeValue(value)} has no JSON form`);
      return `${s}\n`;
    },
  };
}

/** A CSV column: a field name of the record, or a name and a function that reads the cell. */
export type CsvColumn<T> = (keyof T & string) | { readonly name: string; readonly value: (row: T) => unknown };

/** Options of {@link csvFormat}. */
export interface CsvFormatOptions<T> {
  /**
   * The columns, in order. Without them a record must be an array, written as one row cell by cell.
   */
  columns?: ReadonlyArray<CsvColumn<T>>;
  /** Start every part file with a header row of the column names (default true when `columns` is given). */
  header?: boolean;
  /** The cell separator, one character other than `"`, CR or LF (default `,`). */
  delimiter?: string;
}

const CSV_ORIGIN = { operator: 'csvFormat' };

/**
 * Renders one CSV cell as RFC 4180 asks: a cell holding the delimiter, a double quote, CR or LF (or
 * starting or ending with a space) is quoted, its quotes doubled. `null`/`undefined` are empty cells, a
 * `Date` its ISO form, an object or array its JSON.
 */
export function csvCell(value: unknown, delimiter = ','): string {
  let s: string;
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') s = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') s = String(value);
  else if (value instanceof Date) s = value.toISOString();
  else s = JSON.stringify(value) ?? String(value);
  if (s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r') || s.startsWith(' ') || s.endsWith(' ')) {
    return `"${s.replaceAll('"', '""')}"`;
  }
  return s;
}

/**
 * Comma-separated values (RFC 4180): one row per record, cells quoted where they must be (a delimiter,
 * a quote or a line break inside a cell), rows ended by CRLF as the RFC writes them. With `columns`, every
 * part file starts with a header row (so each file reads on its own).
 *
 * ```text
 * csvFormat({ columns: ['user', 'note'] }).encode({ user: 'a', note: 'x, "y"' })    'a,"x, ""y"""\r\n'
 * ```
 *
 * @example
 * ```ts
 * fileSink<{ user: string; n: number }>({ path: '/tmp/out', format: csvFormat({ columns: ['user', 'n'] }) })
 * ```
 * @throws InvalidArgumentError when the delimiter is not one character other than `"`, CR and LF, or a
 *   column is neither a name nor `{ name, value }`.
 * @see lineFormat, jsonLinesFormat
 */
export function csvFormat<T = unknown>(options: CsvFormatOptions<T> = {}): RowFormat<T> {
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new InvalidArgumentError(CSV_ORIGIN, 'delimiter', delimiter, 'must be one character other than ", CR and LF');
  }
  const columns = options.columns;
  const readers: Array<(row: T) => unknown> = [];
  const names: string[] = [];
  if (columns !== undefined) {
    if (!Array.isArray(columns) || columns.length === 0) throw new InvalidArgumentError(CSV_ORIGIN, 'columns', columns, 'must be a non-empty array of field names or { name, value } objects');
    for (const c of columns) {
      if (typeof c === 'string') {
        names.push(c);
        readers.push((row) => (row as Record<string, unknown>)[c]);
      } else if (c !== null && typeof c === 'object' && typeof c.name === 'string' && typeof c.value === 'function') {
        names.push(c.name);
        readers.push(c.value);
      } else {
        throw new InvalidArgumentError(CSV_ORIGIN, 'columns', c, 'each column must be a field name or { name, value: (row) => cell }');
      }
    }
  }
  const row = (cells: readonly unknown[]): string => `${cells.map((c) => csvCell(c, delimiter)).join(delimiter)}\r\n`;
  if (options.header === true && columns === undefined) throw new InvalidArgumentError(CSV_ORIGIN, 'header', true, 'needs columns to name');
  const header = columns !== undefined && options.header !== false ? row(names) : undefined;
  return {
    suffix: '.csv',
    ...(header === undefined ? {} : { header }),
    encode(value) {
      if (columns === undefined) {
        if (!Array.isArray(value)) throw new FileSinkError(CSV_ORIGIN, `the record ${describeValue(value)} is not an array: give csvFormat({ columns }) to write objects`);
        return row(value);
      }
      if (value === null || typeof value !== 'object') throw new FileSinkError(CSV_ORIGIN, `the record ${describeValue(value)} is not an object with the columns ${names.join(', ')}`);
      return row(readers.map((read) => read(value)));
    },
  };
}
