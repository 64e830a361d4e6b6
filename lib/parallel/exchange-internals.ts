/**
 * The machinery of a parallel stage: record writers (one per upstream subtask: a partitioner and a
 * channel to each connected downstream subtask), one input valve per downstream subtask over its
 * channels, the subtask hosts that run the stage, and the merge back into one stream.
 * @module
 */
import { asyncScheduler, Observable, type Subscriber } from 'rxjs';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { type ErrorOrigin, ParallelismError, TidemarkError } from '../core/errors';
import { InputValve } from '../core/input-valve';
import { MetricGroup } from '../core/metrics';
import { type InputObserver, subscribeInput } from '../core/operate-elements';
import { type JobContext, StartElement } from '../core/start-element';
import { ElementKind, StreamElementBase } from '../core/stream-element';
import type { StreamRecord } from '../core/stream-record';
import type { Channel, ChannelSender } from './channel';
import { InProcessChannel } from './in-process-channel';
import type { ChannelSelector, StreamPartitioner } from './stream-partitioner';
import { originalBarrier, StageCheckpoints } from './subtask-checkpoints';

/** Makes the channel from upstream subtask `from` to downstream subtask `to`. */
export type ChannelFactory = (from: number, to: number) => Channel<unknown>;

/** The default channel factory: in-process channels. @internal */
export const inProcessChannels: ChannelFactory = () => new InProcessChannel<unknown>();

/**
 * Runs the subtasks of a stage. `open` starts subtask `index` of `parallelism`: its output goes to
 * `output`; the observer it returns receives the subtask's input (after the valve: one stream of
 * elements, the start element first). Resources are added to `teardown`.
 */
export interface SubtaskHost {
  open(index: number, parallelism: number, output: InputObserver, teardown: Subscriber<unknown>): InputObserver;
}

/** The shape of a parallel stage that the exchange needs (the `ParallelStream` class). @internal */
export interface StageSpec {
  readonly parallelism: number;
  readonly upstream: Observable<unknown>;
  readonly partitioner: StreamPartitioner;
  readonly host: SubtaskHost;
  readonly channels: ChannelFactory;
  readonly origin: ErrorOrigin;
  /** The upstream stage when the upstream is itself parallel. */
  readonly upstreamStage: StageSpec | undefined;
}

/** What the stages of one subscription share. @internal */
export class RunShared {
  /** The start element from outside every stage. */
  rootStart: StartElement | undefined = undefined;
  /** Start contexts made for subtasks (so that a later stage does not take them for the root). */
  readonly subtaskContexts = new WeakSet<JobContext>();
}

function defaultContext(): JobContext {
  return {
    jobName: 'tidemark-job',
    executionMode: 'streaming',
    bounded: false,
    subtaskIndex: 0,
    parallelism: 1,
    maxParallelism: 128,
    scheduler: asyncScheduler,
    restoredState: undefined,
    metrics: new MetricGroup('tidemark-job'),
  };
}

/** Sends one element: without a batch array on an in-process channel (the hot path). */
function sendOne(sender: ChannelSender<unknown>, el: unknown): void {
  if (sender instanceof InProcessChannel) sender.sendOne(el);
  else sender.send([el]);
}

/** One upstream subtask's output side: routes records by the partitioner, broadcasts everything else. */
class RecordWriter implements InputObserver {
  private select: ChannelSelector | undefined = undefined;

  constructor(
    private readonly spec: StageSpec,
    private readonly index: number,
    private readonly upstreamParallelism: number,
    private readonly targets: readonly number[],
    private readonly senders: readonly ChannelSender<unknown>[],
    private readonly shared: RunShared,
    private readonly teardown: Subscriber<unknown>,
  ) {}

  private selector(): ChannelSelector {
    return (this.select ??= this.spec.partitioner.selector({
      index: this.index,
      upstreamParallelism: this.upstreamParallelism,
      downstreamParallelism: this.spec.parallelism,
      maxParallelism: this.shared.rootStart?.context.maxParallelism ?? 128,
      targets: this.targets,
    }));
  }

  private route(el: unknown, value: unknown, key: StreamRecord<unknown>['key']): void {
    const c = this.selector()(value, key);
    if (c === -1) this.broadcast(el);
    else {
      const sender = this.senders[c];
      if (sender === undefined) throw new TidemarkError(this.spec.origin, `partitioner ${this.spec.partitioner.name} chose channel ${c} of ${this.senders.length}`);
      sendOne(sender, el);
    }
  }

  private broadcast(el: unknown): void {
    for (const s of this.senders) sendOne(s, el);
  }

  next(el: unknown): void {
    if (!(el instanceof StreamElementBase)) {
      this.route(el, el, undefined);
      return;
    }
    switch (el.kind) {
      case ElementKind.Record: {
        const r = el as StreamRecord<unknown>;
        this.route(el, r.value, r.key);
        return;
      }
      case ElementKind.SideOutput:
        // side outputs cross an exchange on the first channel: they are not records of this stream
        this.senders[0]?.send([el]);
        return;
      case ElementKind.Start: {
        const ctx = (el as StartElement).context;
        if (!this.shared.subtaskContexts.has(ctx) && this.shared.rootStart === undefined) this.shared.rootStart = el as StartElement;
        this.broadcast(el);
        return;
      }
      default:
        this.broadcast(el);
    }
  }

  complete(): void {
    for (const s of this.senders) s.close();
  }

  error(err: unknown): void {
    this.teardown.error(err);
  }
}

/**
 * Wires and starts one stage: its subtasks (whose outputs go to `outputs[j]`), the channels into them,
 * and its upstream (recursively, when the upstream is a parallel stage too). Downstream first, so a
 * synchronous source finds every receiver in place.
 * @internal
 */
export function runStage(spec: StageSpec, outputs: readonly InputObserver[], teardown: Subscriber<unknown>, shared: RunShared): void {
  const m = spec.parallelism;
  const n = spec.upstreamStage?.parallelism ?? 1;
  const partitioner = spec.partitioner;
  partitioner.check?.(n, m);
  const connects = partitioner.connects;
  const targets: number[][] = Array.from({ length: n }, () => []);
  const sources: number[][] = Array.from({ length: m }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (connects === undefined || connects(i, n, j, m)) {
        targets[i]!.push(j);
        sources[j]!.push(i);
      }
    }
  }
  const checkpoints = new StageCheckpoints(m, spec.origin);
  const valves: InputValve[] = [];
  for (let j = 0; j < m; j++) {
    const input = spec.host.open(j, m, outputs[j]!, teardown);
    let started = false;
    const startFor = (bounded: boolean | undefined): StartElement => {
      const root = shared.rootStart?.context ?? defaultContext();
      if (m > root.maxParallelism) {
        throw new ParallelismError(
          spec.origin,
          `parallelism ${m} is above the job's max parallelism ${root.maxParallelism} (its number of key groups): lower the parallelism or raise the job's maxParallelism`,
        );
      }
      const context: JobContext = {
        ...root,
        bounded: bounded ?? root.bounded,
        subtaskIndex: j,
        parallelism: m,
        checkpoints: checkpoints.viewFor(root.checkpoints, j),
      };
      shared.subtaskContexts.add(context);
      return new StartElement(context);
    };
    const deliver = (el: unknown): void => {
      if (!started) {
        started = true;
        input.next(startFor(undefined));
      }
      input.next(el);
    };
    valves.push(
      new InputValve(sources[j]!.length, {
        element: (_i, el) => deliver(el),
        watermark: (mark) => deliver(mark),
        status: (status) => deliver(status),
        barrier: (b: CheckpointBarrier) => deliver(checkpoints.barrierFor(b, j)),
        start: (s) => {
          if (started) return;
          started = true;
          input.next(startFor(s.context.bounded));
        },
        end: () => input.complete(),
      }),
    );
  }
  const writers: RecordWriter[] = [];
  for (let i = 0; i < n; i++) {
    const senders: ChannelSender<unknown>[] = [];
    for (const j of targets[i]!) {
      const channel = spec.channels(i, j);
      const valve = valves[j]!;
      const local = sources[j]!.indexOf(i);
      channel.receiver.receive({
        batch: (elements) => {
          for (const el of elements) valve.push(local, el);
        },
        close: () => valve.complete(local),
        error: (err) => teardown.error(err),
      });
      senders.push(channel.sender);
    }
    writers.push(new RecordWriter(spec, i, n, targets[i]!, senders, shared, teardown));
  }
  if (spec.upstreamStage !== undefined) runStage(spec.upstreamStage, writers, teardown, shared);
  else subscribeInput(spec.upstream, teardown, writers[0]!, spec.origin);
}

/** Subscribes a stage and merges its subtasks' outputs into `destination`. @internal */
export function subscribeMerged(spec: StageSpec, destination: Subscriber<unknown>): void {
  const shared = new RunShared();
  const merge = new InputValve(spec.parallelism, {
    element: (_i, el) => destination.next(el),
    watermark: (mark) => destination.next(mark),
    status: (status) => destination.next(status),
    barrier: (b) => destination.next(originalBarrier(b)),
    start: () => {
      if (shared.rootStart !== undefined) destination.next(shared.rootStart);
    },
    end: () => destination.complete(),
  });
  const outputs: InputObserver[] = [];
  for (let j = 0; j < spec.parallelism; j++) {
    outputs.push({ next: (el) => merge.push(j, el), error: (err) => destination.error(err), complete: () => merge.complete(j) });
  }
  try {
    runStage(spec, outputs, destination, shared);
  } catch (err) {
    destination.error(err);
  }
}

/**
 * Runs subtasks in this thread: subtask `j`'s input is an Observable that `stage` pipes; each subtask
 * calls `stage` once, so its operators (their state, timers and runtime context) are its own.
 * @internal
 */
export function inProcessHost(stage: (input: Observable<unknown>, subtaskIndex: number) => Observable<unknown>, origin: ErrorOrigin): SubtaskHost {
  return {
    open(index, _parallelism, output, teardown) {
      let subscriber: Subscriber<unknown> | undefined;
      const input = new Observable<unknown>((s) => {
        if (subscriber !== undefined) {
          s.error(new TidemarkError(origin, 'the stage subscribed its input twice: share() it inside the stage'));
          return;
        }
        subscriber = s;
      });
      const out = stage(input, index);
      teardown.add(out.subscribe({ next: (el) => output.next(el), error: (err) => output.error(err), complete: () => output.complete() }));
      const target = (): Subscriber<unknown> => {
        if (subscriber === undefined) throw new TidemarkError(origin, 'the stage did not subscribe its input when it was subscribed: return input.pipe(...)');
        return subscriber;
      };
      return { next: (el) => target().next(el), error: (err) => target().error(err), complete: () => target().complete() };
    },
  };
}
