/**
 * How stream elements cross a thread: a batch becomes one flat array (a tag, then the element's fields),
 * sent by structured clone. Measured against JSON in a transferred ArrayBuffer on this machine (batches
 * of 256 JSON-line records): structured clone of the flat array cost 2–4 µs per record, the JSON buffer
 * 4–5 µs (it pays `JSON.stringify` + encode + decode + `JSON.parse`), and the clone keeps Map, Set, Date
 * and bigint values, so the clone it is. Element classes cannot cross (a clone is a plain object), so
 * each side rebuilds them; barriers and start elements through hooks, since their acknowledger and
 * job context belong to one side.
 * @module
 */
import { TidemarkError } from '../core/errors';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import type { StartElement } from '../core/start-element';
import { ElementKind, StreamElementBase } from '../core/stream-element';
import { StreamRecord } from '../core/stream-record';
import type { ExecutionMode, Key, Timestamp } from '../core/types';
import { Watermark } from '../core/watermark';
import { WatermarkStatus } from '../core/watermark-status';
import { MAX_WATERMARK } from '../core/types';

const PLAIN = 0;
const RECORD = 1;
const WATERMARK = 2;
const STATUS = 3;
const BARRIER = 4;
const START = 5;

/** The job context as it crosses a thread: its data, without scheduler, metrics or coordinator. @internal */
export interface StartData {
  readonly jobName: string;
  readonly executionMode: ExecutionMode;
  readonly bounded: boolean;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly restoredState: ReadonlyMap<string, unknown> | undefined;
  /** Whether the job checkpoints (the worker then registers its operators' uids through the port). */
  readonly checkpoints: boolean;
}

/** A barrier as it crosses a thread. @internal */
export interface BarrierData {
  readonly id: number;
  readonly timestamp: number;
  readonly type: 'checkpoint' | 'savepoint';
  readonly full: boolean;
  /** Whether the barrier asks for acknowledgements. */
  readonly acknowledged: boolean;
}

/** Appends `elements` to `out` as flat fields. @internal */
export function encodeBatch(elements: readonly unknown[], origin: { operator: string }): unknown[] {
  const out: unknown[] = [];
  for (const el of elements) {
    if (!(el instanceof StreamElementBase)) {
      out.push(PLAIN, el);
      continue;
    }
    switch (el.kind) {
      case ElementKind.Record: {
        const r = el as StreamRecord<unknown>;
        out.push(RECORD, r.value, r.timestamp, r.key);
        break;
      }
      case ElementKind.Watermark:
        out.push(WATERMARK, (el as Watermark).time);
        break;
      case ElementKind.WatermarkStatus:
        out.push(STATUS, (el as WatermarkStatus).idle);
        break;
      case ElementKind.Barrier: {
        const b = el as CheckpointBarrier;
        const data: BarrierData = { id: b.checkpointId, timestamp: b.timestamp, type: b.type, full: b.full, acknowledged: b.acknowledger !== undefined };
        out.push(BARRIER, data);
        break;
      }
      case ElementKind.Start: {
        const c = (el as StartElement).context;
        const data: StartData = {
          jobName: c.jobName,
          executionMode: c.executionMode,
          bounded: c.bounded,
          subtaskIndex: c.subtaskIndex,
          parallelism: c.parallelism,
          maxParallelism: c.maxParallelism,
          restoredState: c.restoredState,
          checkpoints: c.checkpoints !== undefined,
        };
        out.push(START, data);
        break;
      }
      default:
        throw new TidemarkError(origin, 'a side output cannot cross to or from a worker thread: select it with sideOutput(tag) before the parallel stage or inside it');
    }
  }
  return out;
}

/** How the receiving side rebuilds the elements that belong to it. @internal */
export interface DecodeHooks {
  barrier(data: BarrierData): CheckpointBarrier;
  start(data: StartData): StartElement;
}

/** Calls `f` with each element of a flat batch, rebuilt. @internal */
export function decodeBatch(flat: readonly unknown[], hooks: DecodeHooks, f: (el: unknown) => void): void {
  let i = 0;
  while (i < flat.length) {
    switch (flat[i] as number) {
      case PLAIN:
        f(flat[i + 1]);
        i += 2;
        break;
      case RECORD:
        f(new StreamRecord(flat[i + 1], flat[i + 2] as Timestamp | undefined, flat[i + 3] as Key | undefined));
        i += 4;
        break;
      case WATERMARK: {
        const t = flat[i + 1] as number;
        f(t >= MAX_WATERMARK ? Watermark.MAX : new Watermark(t));
        i += 2;
        break;
      }
      case STATUS:
        f(flat[i + 1] === true ? WatermarkStatus.IDLE : WatermarkStatus.ACTIVE);
        i += 2;
        break;
      case BARRIER:
        f(hooks.barrier(flat[i + 1] as BarrierData));
        i += 2;
        break;
      case START:
        f(hooks.start(flat[i + 1] as StartData));
        i += 2;
        break;
      default:
        throw new TidemarkError({ operator: 'worker channel' }, `corrupt batch: unknown tag ${String(flat[i])} at ${i}`);
    }
  }
}
