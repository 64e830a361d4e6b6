/**
 * Top N URLs per window end (interim): buffers the window counts of each window end and, when the
 * watermark passes `windowEnd - 1`, emits the N largest. This is Flink's "hot items" KeyedProcessFunction
 * (keyBy window end, list state, an event-time timer at the window end) written with `operateElements`,
 * to be replaced by `keyBy((c) => c.windowEnd), keyedProcess(...)` once keyed process functions land.
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import { operateElements, type StreamElement, StreamRecord } from '../../../lib/index';

/** The count of one URL in one window. */
export interface UrlCount {
  readonly url: string;
  readonly count: number;
  readonly windowEnd: number;
}

/** The N URLs with the most clicks in one window, most first (ties: URL ascending). */
export interface TopUrls {
  readonly windowEnd: number;
  readonly top: ReadonlyArray<{ readonly url: string; readonly count: number }>;
}

/** Orders window counts most clicks first, ties by URL. */
export const byCountThenUrl = (a: { url: string; count: number }, b: { url: string; count: number }): number =>
  b.count - a.count || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);

/** Emits the top `n` URLs of each window end once the watermark has passed it (timestamp `windowEnd - 1`). */
export function topUrls(n: number): OperatorFunction<StreamElement<UrlCount>, StreamElement<TopUrls>> {
  return operateElements<UrlCount, StreamElement<TopUrls>>({ name: 'topUrls' }, (destination) => {
    const pending = new Map<number, UrlCount[]>();
    return {
      record(value) {
        let list = pending.get(value.windowEnd);
        if (list === undefined) pending.set(value.windowEnd, (list = []));
        list.push(value);
      },
      watermark(mark) {
        const due = [...pending.keys()].filter((end) => end - 1 <= mark.time).sort((a, b) => a - b);
        for (const end of due) {
          const top = pending.get(end)!.map(({ url, count }) => ({ url, count })).sort(byCountThenUrl).slice(0, n);
          pending.delete(end);
          destination.next(new StreamRecord<TopUrls>({ windowEnd: end, top }, end - 1, undefined));
        }
        destination.next(mark);
      },
    };
  });
}
