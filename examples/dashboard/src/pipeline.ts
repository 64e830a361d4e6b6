/**
 * The dashboard's tidemark pipeline and the model the page draws, with no DOM: the page and the test
 * (in Node) run this same code on the same seeded feed, so the test can compute exactly what the page
 * must show.
 *
 * Processing time inside the pipeline is the feed's own clock (a `VirtualTimeScheduler` advanced to each
 * click's arrival before the click is pushed), so the periodic watermarks fall at the same places in the
 * feed however the browser batches clicks into frames: the dashboard's state after N clicks is a function
 * of the seed and N only.
 * @module
 */
import { filter as rxFilter, type Observable, share, Subject, Subscription, VirtualTimeScheduler } from 'rxjs';
import {
  assignWatermarks,
  Job,
  keyBy,
  MAX_WATERMARK,
  MetricGroup,
  MIN_WATERMARK,
  NUM_LATE_RECORDS,
  OutputTag,
  sideOutput,
  slidingEventWindow,
  StartElement,
  type StreamElement,
  values,
  Watermark,
  WatermarkStrategy,
  windowCount,
} from '../../../lib/index';
import { type Click, ClickFeed, type FeedConfig } from './feed';
import { topUrls, type TopUrls, type UrlCount } from './top-n';

export type { Click, FeedConfig } from './feed';
export type { TopUrls, UrlCount } from './top-n';

/** Window and watermark settings of the dashboard pipeline. */
export interface PipelineConfig {
  /** Sliding window size, ms of event time. */
  windowSize: number;
  /** Sliding window slide, ms of event time. */
  windowSlide: number;
  /** Bound of the watermark strategy, ms. */
  outOfOrderness: number;
  /** Periodic watermark interval, ms of (feed) processing time. */
  watermarkInterval: number;
  /** How many URLs the top list shows. */
  topN: number;
}

export const DEFAULT_PIPELINE: PipelineConfig = {
  windowSize: 2_000,
  windowSlide: 500,
  outOfOrderness: 300,
  watermarkInterval: 200,
  topN: 3,
};

/** The tag late clicks (too late for every window) are sent to. */
export const lateClicks = new OutputTag<Click>('late-clicks');

/** The pipeline's outputs, all branches of one shared window operator. */
export interface DashboardStreams {
  /** Clicks per URL per sliding window, as each window fires. */
  readonly counts$: Observable<UrlCount>;
  /** The top N URLs of each window end, once every URL's count for it is in. */
  readonly top$: Observable<TopUrls>;
  /** Clicks that came too late for every window they belong to. */
  readonly late$: Observable<Click>;
  /** The watermarks, after the windows have fired for them. */
  readonly watermarks$: Observable<Watermark>;
}

/**
 * Builds the dashboard's pipeline on a stream of clicks (plain values or elements): event time from the
 * click's timestamp with bounded out-of-orderness, counts per URL in sliding event-time windows, late
 * clicks to a side output (and counted in `metrics`), the top N per window end.
 */
export function buildDashboardPipeline(
  clicks$: Observable<StreamElement<Click>>,
  config: PipelineConfig,
  metrics: MetricGroup,
): DashboardStreams {
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Click>(config.outOfOrderness).withTimestampAssigner((c) => c.timestamp);
  const windowed$ = clicks$.pipe(
    assignWatermarks(strategy, { interval: config.watermarkInterval }),
    keyBy((c) => c.url),
    slidingEventWindow(config.windowSize, config.windowSlide, {
      aggregate: windowCount<Click>(),
      process: (url, ctx, [count]): UrlCount => ({ url, count: count!, windowEnd: ctx.window.end }),
      lateOutput: lateClicks,
      metrics,
    }),
    share(),
  );
  return {
    counts$: windowed$.pipe(values()),
    top$: windowed$.pipe(topUrls(config.topN), values()),
    late$: windowed$.pipe(sideOutput(lateClicks), values()),
    watermarks$: windowed$.pipe(rxFilter((e): e is Watermark => e instanceof Watermark)),
  };
}

/** One point of the watermark chart: how far the watermark trails the newest click seen. */
export interface LagPoint {
  /** Feed time (ms since the feed started) of the sample. */
  readonly at: number;
  /** Newest event time seen minus the watermark, ms. */
  readonly lag: number;
  /** Late clicks so far. */
  readonly late: number;
}

/** What the page shows, as plain data (the test compares it with the page). */
export interface DashboardSnapshot {
  /** Clicks pushed into the pipeline. */
  readonly events: number;
  /** The current watermark (`null` before the first one). */
  readonly watermark: number | null;
  /** The newest event time seen (`null` before the first click). */
  readonly newestEventTime: number | null;
  /** `newestEventTime - watermark`, ms (`null` before both exist and at the end of input). */
  readonly lag: number | null;
  /** Late clicks, counted from the side output. */
  readonly late: number;
  /** Late clicks as the window operator's metric counts them (must equal `late`). */
  readonly lateMetric: number;
  /** The window ends shown on the counts chart (the last `history` fired), ascending. */
  readonly windowEnds: number[];
  /** Per URL, its count in each of `windowEnds` (0 when it had no click there). */
  readonly counts: Record<string, number[]>;
  /** The top N of the newest window end whose top list has fired. */
  readonly top: TopUrls | null;
  /** The watermark lag chart's points (the last `history`). */
  readonly lagSeries: LagPoint[];
  /** True once the feed ended and the end-of-input watermark fired every window. */
  readonly done: boolean;
}

/** Collects the pipeline's outputs into what the dashboard draws. */
export class DashboardModel {
  events = 0;
  newestEventTime = Number.NEGATIVE_INFINITY;
  watermark = MIN_WATERMARK;
  late = 0;
  done = false;
  error: unknown = undefined;
  /** Bumped on every change the charts care about. */
  version = 0;
  private readonly windows = new Map<number, Map<string, number>>();
  private readonly tops: TopUrls[] = [];
  private readonly lag: LagPoint[] = [];

  constructor(
    readonly urls: readonly string[],
    readonly metrics: MetricGroup,
    readonly history = 40,
    readonly lagHistory = 200,
  ) {}

  onClick(c: Click): void {
    this.events++;
    if (c.timestamp > this.newestEventTime) this.newestEventTime = c.timestamp;
  }
  onCount(c: UrlCount): void {
    let w = this.windows.get(c.windowEnd);
    if (w === undefined) {
      this.windows.set(c.windowEnd, (w = new Map()));
      if (this.windows.size > this.history) this.windows.delete(this.windows.keys().next().value!);
    }
    w.set(c.url, c.count);
    this.version++;
  }
  onTop(t: TopUrls): void {
    this.tops.push(t);
    if (this.tops.length > 2) this.tops.shift();
    this.version++;
  }
  onLate(): void {
    this.late++;
    this.version++;
  }
  onWatermark(w: Watermark): void {
    this.watermark = w.time;
    this.version++;
  }
  /** Adds a point to the lag chart: the lag and late count at feed time `at`. */
  sample(at: number): void {
    if (this.watermark <= MIN_WATERMARK || this.watermark >= MAX_WATERMARK || this.newestEventTime === Number.NEGATIVE_INFINITY) return;
    this.lag.push({ at, lag: this.newestEventTime - this.watermark, late: this.late });
    if (this.lag.length > this.lagHistory) this.lag.shift();
    this.version++;
  }

  snapshot(): DashboardSnapshot {
    const windowEnds = [...this.windows.keys()];
    const counts: Record<string, number[]> = {};
    for (const url of this.urls) counts[url] = windowEnds.map((end) => this.windows.get(end)!.get(url) ?? 0);
    const hasWm = this.watermark > MIN_WATERMARK && this.watermark < MAX_WATERMARK;
    const hasTs = this.newestEventTime > Number.NEGATIVE_INFINITY;
    return {
      events: this.events,
      watermark: this.watermark > MIN_WATERMARK ? this.watermark : null,
      newestEventTime: hasTs ? this.newestEventTime : null,
      lag: hasWm && hasTs ? this.newestEventTime - this.watermark : null,
      late: this.late,
      lateMetric: this.metrics.counterValue(NUM_LATE_RECORDS),
      windowEnds,
      counts,
      top: this.tops.at(-1) ?? null,
      lagSeries: [...this.lag],
      done: this.done,
    };
  }
}

/** Settings of one dashboard run: the feed, the pipeline, and how many clicks (default: endless). */
export interface RunConfig {
  feed?: Partial<FeedConfig>;
  pipeline?: Partial<PipelineConfig>;
  /** Stop after this many clicks, then end the input (every window fires). */
  limit?: number;
  /** Windows kept for the counts chart (default 40). */
  history?: number;
  /** Lag samples kept for the lag chart (default 200). */
  lagHistory?: number;
  /** Feed time between two lag samples, ms (default 50). */
  sampleEvery?: number;
}

/**
 * One run of the dashboard: the feed, the pipeline on a `Subject`, the processing-time scheduler that
 * follows the feed's clock, and the model. Push clicks with {@link DashboardRun.ingestUntil} (feed time)
 * or {@link DashboardRun.ingestCount}.
 */
export class DashboardRun {
  readonly feed: ClickFeed;
  readonly pipeline: PipelineConfig;
  readonly limit: number;
  readonly metrics = new MetricGroup('dashboard');
  readonly scheduler = new VirtualTimeScheduler();
  readonly model: DashboardModel;
  private readonly input = new Subject<StreamElement<Click>>();
  private readonly subscription: Subscription;
  private nextClick: Click;
  private readonly sampleEvery: number;
  private nextSample = 0;

  constructor(config: RunConfig = {}) {
    this.feed = new ClickFeed(config.feed);
    this.pipeline = { ...DEFAULT_PIPELINE, ...config.pipeline };
    this.limit = config.limit ?? Number.POSITIVE_INFINITY;
    this.model = new DashboardModel(this.feed.config.urls, this.metrics, config.history ?? 40, config.lagHistory ?? 200);
    this.sampleEvery = config.sampleEvery ?? 50;
    this.nextClick = this.feed.next().value;
    const job = new Job({ name: 'dashboard', scheduler: this.scheduler });
    const streams = buildDashboardPipeline(this.input, this.pipeline, this.metrics);
    const model = this.model;
    const fail = (err: unknown): void => {
      model.error ??= err;
    };
    // Subscription order fixes the order in which branches see each element: the watermark last, so the
    // model moves its watermark after the windows and the top list of that watermark are in.
    // (A fresh parent: a child added to counts$'s own subscription would be torn down when counts$
    // completes, before the other branches have seen the end of input.)
    this.subscription = new Subscription();
    this.subscription.add(streams.counts$.subscribe({ next: (c) => model.onCount(c), error: fail }));
    this.subscription.add(streams.top$.subscribe({ next: (t) => model.onTop(t), error: fail }));
    this.subscription.add(streams.late$.subscribe({ next: () => model.onLate(), error: fail }));
    this.subscription.add(
      streams.watermarks$.subscribe({
        next: (w) => model.onWatermark(w),
        error: fail,
        complete: () => {
          model.done = true;
          model.version++;
        },
      }),
    );
    this.input.next(new StartElement(job.context(this.limit < Number.POSITIVE_INFINITY)));
  }

  /** Feed time (ms) at which the next click arrives; `Infinity` once the limit is reached. */
  get nextArrival(): number {
    return this.model.events < this.limit ? this.nextClick.arrival : Number.POSITIVE_INFINITY;
  }

  /**
   * Pushes every click that arrives at or before feed time `t` (ms), at most `max` of them; returns how
   * many were pushed.
   */
  ingestUntil(t: number, max = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < max && this.model.events < this.limit && this.nextClick.arrival <= t && this.model.error === undefined) {
      this.push();
      n++;
    }
    this.endIfDone();
    return n;
  }

  /** Pushes clicks until `count` have been pushed in total (or the limit is reached). */
  ingestCount(count: number): void {
    while (this.model.events < Math.min(count, this.limit) && this.model.error === undefined) this.push();
    this.endIfDone();
  }

  /** Stops the pipeline. */
  dispose(): void {
    this.subscription.unsubscribe();
  }

  private push(): void {
    const click = this.nextClick;
    // Processing time follows the feed: run the periodic watermark emits due before this click arrives.
    const s = this.scheduler;
    s.maxFrames = click.arrival;
    s.flush();
    s.frame = click.arrival;
    // The lag chart samples on a fixed grid of feed time, so its points depend on the feed only.
    while (this.nextSample <= click.arrival) {
      this.model.sample(this.nextSample);
      this.nextSample += this.sampleEvery;
    }
    this.model.onClick(click);
    this.input.next(click);
    this.nextClick = this.feed.next().value;
  }

  private endIfDone(): void {
    if (this.model.events >= this.limit && !this.input.closed && !this.inputEnded) {
      this.inputEnded = true;
      this.input.complete();
    }
  }
  private inputEnded = false;
}
