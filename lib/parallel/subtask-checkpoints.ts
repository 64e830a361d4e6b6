/**
 * Checkpoints across the subtasks of one parallel stage: each subtask's operators register their uid and
 * acknowledge barriers as if they were alone; this collects one acknowledgement per subtask and uid and
 * hands the job's coordinator one merged acknowledgement (keyed parts by key group, which the subtasks
 * own disjointly; other handles as one per subtask, in subtask order, the shape operator state restores
 * from at any parallelism).
 * @module
 */
import type { CheckpointCoordinator, CheckpointListener, DeferredKeyedState, OperatorSnapshot } from '../checkpoint/checkpoint-coordinator';
import { type BarrierAcknowledger, CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError } from '../core/errors';

/** The acknowledger a subtask's barrier carries: merges into its stage's acknowledgement. @internal */
export class SubtaskAcknowledger implements BarrierAcknowledger {
  constructor(
    /** The barrier as it entered the stage (its acknowledger is the job's). */
    readonly original: CheckpointBarrier,
    private readonly merge: StageCheckpoints,
    private readonly subtask: number,
  ) {}
  acknowledge(operatorUid: string, stateHandle: unknown): void {
    this.merge.acknowledge(this.original, this.subtask, operatorUid, stateHandle);
  }
  decline(operatorUid: string, reason: Error): void {
    this.original.acknowledger?.decline(operatorUid, reason);
  }
}

/** The barrier as it entered the outermost parallel stage. @internal */
export function originalBarrier(b: CheckpointBarrier): CheckpointBarrier {
  const a = b.acknowledger;
  return a instanceof SubtaskAcknowledger ? a.original : b;
}

function isSnapshot(x: unknown): x is OperatorSnapshot {
  return typeof x === 'object' && x !== null && (x as { parts?: unknown }).parts === true;
}

/** One handle from the handles of every subtask (in subtask order). @internal */
export function mergeHandles(handles: readonly unknown[]): unknown {
  if (!handles.every(isSnapshot)) return handles.flatMap((h) => (Array.isArray(h) ? h : [h]));
  const keyed = new Map<number, Array<readonly [string, string]>>();
  const operator: Array<readonly [string, string]> = [];
  let incremental = false;
  let syncMillis = 0;
  let anyKeyed = false;
  const deferred: DeferredKeyedState[] = [];
  for (const h of handles) {
    if (h.deferred !== undefined) deferred.push(h.deferred);
    if (h.keyed !== undefined) {
      anyKeyed = true;
      for (const [g, entries] of h.keyed) {
        const list = keyed.get(g);
        if (list === undefined) keyed.set(g, [...entries]);
        else list.push(...entries);
      }
    }
    if (h.operator !== undefined) operator.push(...h.operator);
    if (h.incremental === true) incremental = true;
    syncMillis = Math.max(syncMillis, h.syncMillis ?? 0);
  }
  const merged: OperatorSnapshot = {
    parts: true,
    ...(anyKeyed ? { keyed } : {}),
    ...(operator.length > 0 ? { operator } : {}),
    ...(deferred.length > 0 ? { deferred: concatDeferred(deferred) } : {}),
    incremental,
    syncMillis,
  };
  return merged;
}

/** The subtasks' deferred keyed states as one: entries numbered across them in subtask order. @internal */
export function concatDeferred(parts: readonly DeferredKeyedState[]): DeferredKeyedState {
  const size = parts.reduce((n, d) => n + d.size, 0);
  return {
    size,
    serialize(from, to, put) {
      let base = 0;
      for (const d of parts) {
        const lo = Math.max(from, base);
        const hi = Math.min(to, base + d.size);
        if (lo < hi) d.serialize(lo - base, hi - base, put);
        base += d.size;
      }
    },
  };
}

interface PendingUid {
  readonly handles: unknown[];
  readonly seen: boolean[];
  count: number;
}

/**
 * Per run of a parallel stage: the coordinator view its subtasks get (one registration per uid with the
 * job's coordinator, however many subtasks register it) and the merging of their acknowledgements.
 * @internal
 */
export class StageCheckpoints {
  private readonly registered = new Map<string, { subtasks: Set<number>; listeners: Map<number, CheckpointListener | undefined>; unregister: () => void }>();
  private readonly pending = new Map<number, Map<string, PendingUid>>();
  private readonly views = new Map<number, CheckpointCoordinator>();

  constructor(
    readonly parallelism: number,
    private readonly origin: { operator: string },
  ) {}

  /** The coordinator subtask `j` sees: `register` goes through this stage, everything else to `root`. */
  viewFor(root: CheckpointCoordinator | undefined, j: number): CheckpointCoordinator | undefined {
    if (root === undefined) return undefined;
    let view = this.views.get(j);
    if (view === undefined) {
      const register = (uid: string, listener?: CheckpointListener): (() => void) => this.register(root, j, uid, listener);
      view = new Proxy(root, {
        get(target, prop) {
          if (prop === 'register') return register;
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      this.views.set(j, view);
    }
    return view;
  }

  private register(root: CheckpointCoordinator, j: number, uid: string, listener: CheckpointListener | undefined): () => void {
    let r = this.registered.get(uid);
    if (r !== undefined && r.subtasks.has(j)) {
      throw new CheckpointError(this.origin, `two stateful operators have the uid "${uid}": give each its own ({ uid: '...' } in its options)`);
    }
    if (r === undefined) {
      const listeners = new Map<number, CheckpointListener | undefined>();
      const fanOut: CheckpointListener = {
        notifyCheckpointComplete: (id) => {
          for (const l of listeners.values()) l?.notifyCheckpointComplete?.(id);
        },
        notifyCheckpointAborted: (id, reason) => {
          for (const l of listeners.values()) l?.notifyCheckpointAborted?.(id, reason);
        },
      };
      r = { subtasks: new Set(), listeners, unregister: root.register(uid, fanOut) };
      this.registered.set(uid, r);
    }
    r.subtasks.add(j);
    r.listeners.set(j, listener);
    const entry = r;
    return () => {
      if (!entry.subtasks.delete(j)) return;
      entry.listeners.delete(j);
      if (entry.subtasks.size === 0) {
        this.registered.delete(uid);
        entry.unregister();
      }
    };
  }

  /** The barrier subtask `j` receives: aligned (in-process channels hold nothing in flight), acknowledged through this stage. */
  barrierFor(b: CheckpointBarrier, j: number): CheckpointBarrier {
    const original = originalBarrier(b);
    if (original.acknowledger === undefined) return original.unaligned ? new CheckpointBarrier(original.checkpointId, original.timestamp, original.type, undefined, false, original.full) : original;
    return new CheckpointBarrier(original.checkpointId, original.timestamp, original.type, new SubtaskAcknowledger(original, this, j), false, original.full);
  }

  acknowledge(original: CheckpointBarrier, j: number, uid: string, handle: unknown): void {
    let byUid = this.pending.get(original.checkpointId);
    if (byUid === undefined) this.pending.set(original.checkpointId, (byUid = new Map()));
    let p = byUid.get(uid);
    if (p === undefined) byUid.set(uid, (p = { handles: new Array<unknown>(this.parallelism).fill(undefined), seen: new Array<boolean>(this.parallelism).fill(false), count: 0 }));
    if (p.seen[j]) return;
    p.seen[j] = true;
    p.handles[j] = handle;
    p.count++;
    const expected = this.registered.get(uid)?.subtasks.size ?? this.parallelism;
    if (p.count < expected) return;
    byUid.delete(uid);
    if (byUid.size === 0) this.pending.delete(original.checkpointId);
    original.acknowledger?.acknowledge(uid, mergeHandles(p.handles.filter((_h, i) => p.seen[i])));
  }
}
