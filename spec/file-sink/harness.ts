/**
 * Drives a file sink by hand: a source that emits what the test says, acknowledges barriers with its
 * position (restored on a new run), and real files in a temp directory to read back.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Subject, type OperatorFunction } from 'rxjs';
import { Job, type RestoredParts, StartElement, StreamRecord, type StreamElement, Watermark } from '../../lib/index';

export interface Driver<T> {
  /** Records emitted so far in this run, counting from the restored position. */
  readonly position: number;
  /** Where this run started (the restored position, 0 on a fresh start). */
  readonly restoredAt: number;
  emit(value: T, timestamp?: number): void;
  emitWatermark(time: number): void;
  /** Triggers a checkpoint; resolves when it completed (the sink heard of it). */
  checkpoint(): Promise<number>;
  end(): void;
  /** Stops without ending the input, as a crash does (open files are closed, nothing finished). */
  crash(): void;
  readonly errors: unknown[];
  readonly completed: boolean;
}

/** Starts `sink` behind a hand-driven source of `job` (call after `await job.prepare()`). */
export function drive<T>(job: Job, sink: OperatorFunction<StreamElement<T, unknown>, never>): Driver<T> {
  const subject = new Subject<StreamElement<T>>();
  const coordinator = job.coordinator;
  const restored = job.context(false).restoredState?.get('src') as RestoredParts | undefined;
  let position = Number(restored?.operator.get('pos') ?? 0);
  const restoredAt = position;
  const errors: unknown[] = [];
  let completed = false;
  const cleanups: Array<() => void> = [];
  if (coordinator !== undefined) {
    cleanups.push(coordinator.register('src'));
    cleanups.push(
      coordinator.registerSource({
        uid: 'src',
        emitBarrier: (b) => {
          b.acknowledger?.acknowledge('src', { parts: true, operator: [['pos', String(position)]] });
          subject.next(b);
        },
      }),
    );
  }
  const sub = subject.pipe(sink).subscribe({ error: (e: unknown) => errors.push(e), complete: () => (completed = true) });
  subject.next(new StartElement(job.context(false)));
  return {
    get position() {
      return position;
    },
    restoredAt,
    emit(value, timestamp) {
      position++;
      subject.next(new StreamRecord(value, timestamp));
    },
    emitWatermark(time) {
      subject.next(new Watermark(time));
    },
    async checkpoint() {
      const stats = await coordinator!.trigger();
      return stats.checkpointId;
    },
    end() {
      subject.complete();
      for (const c of cleanups) c();
    },
    crash() {
      sub.unsubscribe();
      for (const c of cleanups) c();
    },
    errors,
    get completed() {
      return completed;
    },
  };
}

/** Every file under `dir` (relative path → contents), hidden ones included. */
export function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(dir, rel);
    try {
      out.set(rel, readFileSync(path, 'utf8'));
    } catch {
      // a directory
    }
  }
  return out;
}

/** The finished (visible) part files under `dir`. */
export function finished(dir: string): Map<string, string> {
  return new Map([...filesUnder(dir)].filter(([rel]) => !rel.split('/').pop()!.startsWith('.')));
}

/** The hidden (in-progress or pending) part files under `dir`. */
export function hidden(dir: string): Map<string, string> {
  return new Map([...filesUnder(dir)].filter(([rel]) => rel.split('/').pop()!.startsWith('.')));
}

/** Per bucket directory, the finished files' contents concatenated in part-number order. */
export function byBucket(dir: string): Map<string, string> {
  const parts = [...finished(dir)].map(([rel, text]) => {
    const i = rel.lastIndexOf('/');
    const bucket = i < 0 ? '' : rel.slice(0, i);
    const n = Number(/-(\d+)(\.[a-z]+)?$/.exec(rel)![1]);
    return { bucket, n, text };
  });
  parts.sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.n - b.n));
  const out = new Map<string, string>();
  for (const p of parts) out.set(p.bucket, (out.get(p.bucket) ?? '') + p.text);
  return out;
}
