/**
 * The file sink's machinery: buckets, their in-progress part file and their pending part files, what a
 * checkpoint records of them, and how a restore resumes, commits and cleans up. The lifecycle of a part
 * file is Flink's: in-progress (hidden, being written) → pending (hidden, closed, waiting for a checkpoint
 * to complete) → finished (renamed to its visible name).
 * @module
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, sep } from 'node:path';
import { describeValue, type ErrorOrigin } from '../core/errors';
import { FileSinkError } from './file-sink-error';
import type { PartFileInfo, RollingPolicy } from './file-sink-rolling-policies';

/** A part file by bucket and part number; its length in bytes where it matters. */
export interface PartRef {
  readonly part: number;
  readonly length: number;
}

/** One bucket in a checkpoint. */
export interface BucketSnapshot {
  readonly id: string;
  readonly inProgress?: PartRef & { readonly created: number };
  /** Pending part files by the checkpoint they were closed for (ascending). */
  readonly pending: ReadonlyArray<readonly [number, readonly PartRef[]]>;
}

/** The sink's state in a checkpoint. */
export interface FileSinkSnapshot {
  readonly v: 1;
  /** The next part number of this subtask. */
  readonly counter: number;
  readonly buckets: readonly BucketSnapshot[];
}

/** Names part files: `<prefix>-<subtask>-<n><suffix>`, in progress `.<that>.inprogress`. */
export class PartNames {
  private readonly leftover: RegExp;
  constructor(
    readonly prefix: string,
    readonly suffix: string,
    readonly subtask: number,
  ) {
    const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.leftover = new RegExp(`^\\.${esc(prefix)}-${subtask}-(\\d+)${esc(suffix)}\\.inprogress$`);
  }
  finished(n: number): string {
    return `${this.prefix}-${this.subtask}-${n}${this.suffix}`;
  }
  inProgress(n: number): string {
    return `.${this.finished(n)}.inprogress`;
  }
  /** Whether `name` is one of this subtask's in-progress (or pending) part files. */
  isOurs(name: string): boolean {
    return this.leftover.test(name);
  }
}

/** Writes `text` in full. */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENOENT':
      return 'no such file or directory';
    default:
      return e.message;
  }
}

/** An in-progress part file: open, written through a buffer. */
class InProgressPart implements PartFileInfo {
  /** Bytes on disk plus buffered. */
  size = 0;
  private onDisk = 0;
  private buffer: string[] = [];
  private buffered = 0;
  constructor(
    readonly bucketId: string,
    readonly part: number,
    readonly path: string,
    private fd: number,
    readonly creationTime: number,
    public lastUpdateTime: number,
    length: number,
  ) {
    this.size = length;
    this.onDisk = length;
  }

  write(text: string, bytes: number, now: number, bufferSize: number): void {
    this.buffer.push(text);
    this.buffered += bytes;
    this.size += bytes;
    this.lastUpdateTime = now;
    if (this.buffered >= bufferSize) this.flush();
  }

  flush(): void {
    if (this.buffered === 0) return;
    const text = this.buffer.length === 1 ? this.buffer[0]! : this.buffer.join('');
    this.buffer = [];
    writeAll(this.fd, text);
    this.onDisk += this.buffered;
    this.buffered = 0;
  }

  /** Flushes (and syncs): the length on disk that a restore resumes from. */
  persist(fsync: boolean): number {
    this.flush();
    if (fsync) fsyncSync(this.fd);
    return this.onDisk;
  }

  /** Flushes, syncs and closes: the file is complete, waiting for its commit. */
  closeForCommit(fsync: boolean): PartRef {
    const length = this.persist(fsync);
    closeSync(this.fd);
    this.fd = -1;
    return { part: this.part, length };
  }

  /** Closes without writing what is buffered (on failure: a restore truncates to the checkpoint anyway). */
  dispose(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

class Bucket {
  inProgress: InProgressPart | undefined;
  /** Closed since the last checkpoint barrier. */
  pendingNow: PartRef[] = [];
  /** Closed for a checkpoint that has not completed yet, by checkpoint id (ascending). */
  readonly pendingPerCheckpoint = new Map<number, PartRef[]>();
  constructor(
    readonly id: string,
    readonly dir: string,
  ) {}
  get active(): boolean {
    return this.inProgress !== undefined || this.pendingNow.length > 0 || this.pendingPerCheckpoint.size > 0;
  }
}

/** How {@link Buckets} is set up. */
export interface BucketsConfig<T> {
  readonly base: string;
  readonly names: PartNames;
  readonly policy: RollingPolicy<T>;
  readonly header: string | undefined;
  readonly bufferSize: number;
  readonly fsync: boolean;
  readonly origin: ErrorOrigin;
  /** True when a checkpoint commits pending files; false: a rolled file is finished at once. */
  readonly transactional: boolean;
}

/** Every bucket of one subtask of a file sink. */
export class Buckets<T> {
  private readonly buckets = new Map<string, Bucket>();
  private counter = 0;

  constructor(private readonly config: BucketsConfig<T>) {}

  private fail(message: string, cause?: unknown): never {
    throw new FileSinkError(this.config.origin, message, cause === undefined ? undefined : { cause });
  }

  /** Creates the base directory and checks that it is writable. */
  checkWritable(): void {
    const base = this.config.base;
    try {
      mkdirSync(base, { recursive: true });
      accessSync(base, constants.W_OK | constants.X_OK);
      if (!statSync(base).isDirectory()) this.fail(`the path "${base}" is not a directory`);
    } catch (err) {
      if (err instanceof FileSinkError) throw err;
      this.fail(`the directory "${base}" is not writable (${why(err)}): give the sink a path it may create files in`, err);
    }
  }

  private bucket(id: string): Bucket {
    let b = this.buckets.get(id);
    if (b === undefined) {
      if (typeof id !== 'string') this.fail(`the bucket assigner returned ${describeValue(id)}, not a string`);
      const parts = id === '' ? [] : id.split('/');
      if (id.startsWith('/') || id.includes('\\') || id.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
        this.fail(`the bucket id ${describeValue(id)} is not a relative directory: use names separated by "/", without "", "." or ".." parts and no leading "/"`);
      }
      b = new Bucket(id, join(this.config.base, ...parts));
      this.buckets.set(id, b);
    }
    return b;
  }

  private openPart(b: Bucket, now: number): InProgressPart {
    const names = this.config.names;
    try {
      mkdirSync(b.dir, { recursive: true });
    } catch (err) {
      this.fail(`cannot create the bucket directory "${b.dir}" (${why(err)})`, err);
    }
    // A fresh start next to the finished files of an earlier run: never overwrite one.
    while (existsSync(join(b.dir, names.finished(this.counter))) || existsSync(join(b.dir, names.inProgress(this.counter)))) this.counter++;
    const n = this.counter++;
    const path = join(b.dir, names.inProgress(n));
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      this.fail(`cannot create the part file "${path}" (${why(err)})`, err);
    }
    const part = new InProgressPart(b.id, n, path, fd, now, now, 0);
    const header = this.config.header;
    if (header !== undefined) part.write(header, Buffer.byteLength(header), now, this.config.bufferSize);
    return part;
  }

  /** Closes `b`'s in-progress file: pending (or finished, without checkpoints). */
  private roll(b: Bucket): void {
    const part = b.inProgress;
    if (part === undefined) return;
    b.inProgress = undefined;
    const ref = part.closeForCommit(this.config.fsync);
    if (this.config.transactional) b.pendingNow.push(ref);
    else this.commit(b, ref, false);
  }

  /** Writes one encoded record to its bucket, rolling first when the policy says so. */
  write(bucketId: string, value: T, text: string, now: number): void {
    const b = this.bucket(bucketId);
    const bytes = Buffer.byteLength(text);
    if (b.inProgress !== undefined && this.config.policy.shouldRollOnEvent(b.inProgress, value, bytes)) this.roll(b);
    b.inProgress ??= this.openPart(b, now);
    b.inProgress.write(text, bytes, now, this.config.bufferSize);
  }

  /** The bucket check: rolls the files the policy says are too old or idle. */
  onProcessingTime(now: number): void {
    for (const b of this.buckets.values()) {
      if (b.inProgress !== undefined && this.config.policy.shouldRollOnProcessingTime(b.inProgress, now)) this.roll(b);
    }
  }

  /** At a checkpoint barrier: rolls where the policy says so, persists the in-progress files, returns the state. */
  snapshot(checkpointId: number): FileSinkSnapshot {
    const buckets: BucketSnapshot[] = [];
    for (const b of this.buckets.values()) {
      if (b.inProgress !== undefined && this.config.policy.shouldRollOnCheckpoint(b.inProgress)) this.roll(b);
      if (b.pendingNow.length > 0) {
        b.pendingPerCheckpoint.set(checkpointId, b.pendingNow);
        b.pendingNow = [];
      }
      const ip = b.inProgress;
      if (ip === undefined && b.pendingPerCheckpoint.size === 0) continue;
      buckets.push({
        id: b.id,
        ...(ip === undefined ? {} : { inProgress: { part: ip.part, length: ip.persist(this.config.fsync), created: ip.creationTime } }),
        pending: [...b.pendingPerCheckpoint].map(([cp, refs]) => [cp, [...refs]] as const),
      });
    }
    return { v: 1, counter: this.counter, buckets };
  }

  /** Checkpoint `checkpointId` completed: its pending files (and older ones) are finished. */
  notifyCheckpointComplete(checkpointId: number): void {
    for (const [id, b] of this.buckets) {
      for (const [cp, refs] of b.pendingPerCheckpoint) {
        if (cp > checkpointId) continue;
        for (const ref of refs) this.commit(b, ref, false);
        b.pendingPerCheckpoint.delete(cp);
      }
      if (!b.active) this.buckets.delete(id);
    }
  }

  /** Renames a pending file to its visible name; after a restore, one already renamed is fine. */
  private commit(b: Bucket, ref: PartRef, afterRecovery: boolean): void {
    const names = this.config.names;
    const from = join(b.dir, names.inProgress(ref.part));
    const to = join(b.dir, names.finished(ref.part));
    try {
      if (afterRecovery) {
        if (!existsSync(from)) {
          if (existsSync(to)) return; // committed before the crash
          this.fail(`the pending part file "${from}" of the restored checkpoint is gone, and "${to}" does not exist: its records are lost (was the directory changed by hand?)`);
        }
        const size = statSync(from).size;
        if (size < ref.length) this.fail(`the pending part file "${from}" has ${size} bytes, the checkpoint recorded ${ref.length}: it was changed after the checkpoint`);
        if (size > ref.length) truncateSync(from, ref.length);
      }
      renameSync(from, to);
    } catch (err) {
      if (err instanceof FileSinkError) throw err;
      this.fail(`cannot finish the part file "${from}" as "${to}" (${why(err)})`, err);
    }
  }

  /**
   * Restores from a checkpoint: commits its pending files (they belong to checkpoints that completed),
   * truncates each in-progress file to its recorded length and resumes writing it, then removes this
   * subtask's other in-progress files (what was written after the checkpoint, replayed now).
   */
  restore(state: FileSinkSnapshot, now: number): void {
    if (state.v !== 1 || !Number.isSafeInteger(state.counter) || !Array.isArray(state.buckets)) this.fail(`the restored state ${describeValue(state)} was not written by a file sink`);
    this.counter = state.counter;
    const keep = new Set<string>();
    for (const s of state.buckets) {
      const b = this.bucket(s.id);
      for (const [, refs] of s.pending) for (const ref of refs) this.commit(b, ref, true);
      const ip = s.inProgress;
      if (ip === undefined) continue;
      const path = join(b.dir, this.config.names.inProgress(ip.part));
      if (!existsSync(path)) {
        const finished = join(b.dir, this.config.names.finished(ip.part));
        this.fail(
          existsSync(finished)
            ? `the in-progress part file "${path}" of the restored checkpoint was already finished as "${finished}" (at the end of input of an earlier run?): restoring would write its records again; start the job with restoreFrom: 'none' or discard its checkpoints`
            : `the in-progress part file "${path}" of the restored checkpoint is gone: its records are lost (was the directory changed by hand?)`,
        );
      }
      let fd: number;
      try {
        const size = statSync(path).size;
        if (size < ip.length) this.fail(`the in-progress part file "${path}" has ${size} bytes, the checkpoint recorded ${ip.length}: it was changed after the checkpoint`);
        truncateSync(path, ip.length);
        fd = openSync(path, 'a');
      } catch (err) {
        if (err instanceof FileSinkError) throw err;
        this.fail(`cannot resume the part file "${path}" (${why(err)})`, err);
      }
      b.inProgress = new InProgressPart(b.id, ip.part, path, fd, ip.created, now, ip.length);
      keep.add(path);
    }
    for (const [id, b] of this.buckets) if (!b.active) this.buckets.delete(id);
    this.cleanup(keep);
  }

  /** Deletes this subtask's in-progress files under the base directory except `keep`. */
  cleanup(keep: ReadonlySet<string> = new Set()): void {
    const base = this.config.base;
    let entries: string[];
    try {
      entries = readdirSync(base, { recursive: true, encoding: 'utf8' });
    } catch (err) {
      this.fail(`cannot list "${base}" to clean up the leftovers of an earlier run (${why(err)})`, err);
    }
    for (const rel of entries) {
      const name = rel.slice(rel.lastIndexOf(sep) + 1);
      if (!this.config.names.isOurs(name)) continue;
      const path = join(base, rel);
      if (keep.has(path)) continue;
      try {
        unlinkSync(path);
      } catch (err) {
        this.fail(`cannot delete the leftover part file "${path}" (${why(err)})`, err);
      }
    }
  }

  /** End of input: every file is finished. */
  finishAll(): void {
    for (const b of this.buckets.values()) {
      this.roll(b);
      for (const refs of b.pendingPerCheckpoint.values()) for (const ref of refs) this.commit(b, ref, false);
      for (const ref of b.pendingNow) this.commit(b, ref, false);
      b.pendingPerCheckpoint.clear();
      b.pendingNow = [];
    }
    this.buckets.clear();
  }

  /** Closes every open file without finishing it (on failure or unsubscribe). */
  dispose(): void {
    for (const b of this.buckets.values()) b.inProgress?.dispose();
  }
}
