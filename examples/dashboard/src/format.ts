/** How the page prints numbers and times (shared with the test, which compares the text it shows). */
import { MAX_WATERMARK } from '../../../lib/index';

/** A count with thousands separators: `12,345`. */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** An event time as UTC `HH:MM:SS.mmm`; the end-of-input watermark as `end of input`. */
export function formatTime(t: number | null): string {
  if (t === null) return '–';
  if (t >= MAX_WATERMARK) return 'end of input';
  return new Date(t).toISOString().slice(11, 23);
}

/** A watermark lag in ms. */
export const formatLag = (ms: number | null): string => (ms === null ? '–' : `${formatCount(ms)} ms`);

/** A byte size in kB (1 kB = 1000 B) with one decimal. */
export const formatKB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;
