/**
 * Top N URLs per window end, as in Flink's "hot items" example: the window counts are keyed by their
 * window end; a keyed process function keeps the counts of each end in list state and registers an
 * event-time timer at `windowEnd - 1`. The timer fires when the watermark passes the window's end, after
 * every URL's count for it is in (the sliding window emits its results before it forwards the watermark
 * that fired them), and emits the N largest.
 * @module
 */
import { pipe, type OperatorFunction } from 'rxjs';
import {
  type Collector,
  keyBy,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  keyedProcess,
  type ListState,
  ListStateDescriptor,
  type OnTimerContext,
  type RuntimeContext,
  type StreamElement,
} from '../../../lib/index';

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

/** Keeps the counts of one window end (the key) in list state until its timer fires. */
export class TopUrlsFunction implements KeyedProcessFunction<number, UrlCount, TopUrls> {
  private counts!: ListState<UrlCount>;
  constructor(private readonly n: number) {}

  open(ctx: RuntimeContext): void {
    this.counts = ctx.getListState(new ListStateDescriptor<UrlCount>('window-counts'));
  }
  processElement(count: UrlCount, ctx: KeyedProcessContext<number>): void {
    this.counts.add(count);
    ctx.timerService().registerEventTimeTimer(count.windowEnd - 1); // one timer per key: duplicates are ignored
  }
  onTimer(_timestamp: number, ctx: OnTimerContext<number>, out: Collector<TopUrls>): void {
    const top = this.counts.get().map(({ url, count }) => ({ url, count })).sort(byCountThenUrl).slice(0, this.n);
    this.counts.clear();
    out.collect({ windowEnd: ctx.getCurrentKey(), top });
  }
}

/** Emits the top `n` URLs of each window end (timestamp `windowEnd - 1`) once the watermark has passed it. */
export function topUrls(n: number): OperatorFunction<StreamElement<UrlCount>, StreamElement<TopUrls>> {
  return pipe(keyBy((c: UrlCount) => c.windowEnd), keyedProcess(new TopUrlsFunction(n), { name: 'topUrls' }));
}
