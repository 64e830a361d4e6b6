/** The bundled clicks data set and its parser, shared by the examples. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Click {
  user: string;
  url: string;
  timestamp: number;
}

/** examples/data/clicks.csv: user,url,timestamp; a few thousand lines, some out of order, some very late. */
export const CLICKS_CSV = join(dirname(fileURLToPath(import.meta.url)), 'data', 'clicks.csv');

/** Parses one CSV line (`user,url,timestamp`). */
export function parseClick(line: string): Click {
  const [user, url, ts] = line.split(',');
  return { user: user!, url: url!, timestamp: Number(ts) };
}

/** True for a data line (not the header, not blank). */
export function isClickLine(line: string): boolean {
  return line.length > 0 && !line.startsWith('user,');
}
