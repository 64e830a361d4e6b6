import { createReadStream, type ReadStream, statSync } from 'node:fs';
import { Observable } from 'rxjs';
import type { RestoredParts } from '../checkpoint/checkpoint-coordinator';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, InvalidArgumentError, SourceError } from '../core/errors';
import { Job } from '../core/job';
import { StartElement } from '../core/start-element';
import type { StreamElement } from '../core/stream-element';
import { Watermark } from '../core/watermark';

/** Options of {@link readTextFile}. */
export interface ReadTextFileOptions {
  /** The job this source belongs to; a default streaming job if absent. */
  job?: Job;
  /** Text encoding (default utf8). */
  encoding?: BufferEncoding;
  /**
   * Names the source's position in checkpoints (needed when the job checkpoints): the byte offset after
   * the last line emitted, and its line number. A restored source seeks there: the file must be the same,
   * or have grown at its end.
   */
  uid?: string;
}

const ORIGIN = { operator: 'readTextFile' };
const OFFSET = 'offset';
const LINE = 'line';
const NEWLINE = 0x0a;

/**
 * A bounded source of a text file's lines (without line terminators), streamed from disk: the job's start
 * element, one plain string per line, the end-of-input watermark, then completion.
 *
 * With checkpointing on it takes part as a replayable source: at each barrier it stores the byte offset
 * after the last line it emitted (and that line's number) under its `uid`, and a restored job seeks there,
 * so no line is emitted twice or lost. It emits barriers between lines, and stops after a barrier for
 * stop-with-savepoint.
 *
 * It's like Flink's `readTextFile`.
 *
 * ```text
 * readTextFile('a.txt')   S-l1-l2-l3-(M|)      (chunks arrive as the file is read)
 * ```
 *
 * @example
 * ```ts
 * readTextFile('clicks.csv').pipe(filter((l) => l !== ''), map(parseClick))
 * // checkpointed: readTextFile('clicks.csv', { job, uid: 'clicks-file' })
 * ```
 * @throws SourceError (as an error notification) naming the path when the file cannot be read;
 * CheckpointError when the job checkpoints and no `uid` is given, or the restored offset is past the
 * file's end (the file is not the one that was checkpointed).
 * @see socketTextStream
 */
export function readTextFile(path: string, options?: ReadTextFileOptions): Observable<StreamElement<string>> {
  const encoding = options?.encoding ?? 'utf8';
  if (!Buffer.isEncoding(encoding)) throw new InvalidArgumentError(ORIGIN, 'encoding', encoding, 'must be a Node.js text encoding (utf8, latin1, utf16le...)');
  const newline = Buffer.from('\n', encoding);
  return new Observable<StreamElement<string>>((subscriber) => {
    const job = options?.job ?? new Job();
    const coordinator = job.coordinator;
    const uid = options?.uid;
    if (coordinator !== undefined && uid === undefined) {
      subscriber.error(new CheckpointError(ORIGIN, `job "${job.name}" checkpoints, so its sources need a uid to store their position under: readTextFile(path, { job, uid: 'lines' })`));
      return;
    }
    /** Bytes of the file up to the end of the last line emitted, and that line's number. */
    let offset = 0;
    let line = 0;
    let stream: ReadStream | undefined;
    /** Bytes read and not yet emitted as lines (the file position of its first byte is `offset`). */
    let pending: Buffer = Buffer.alloc(0);
    let ended = false;
    let emitting = false;
    let suspended = false;
    let queued: CheckpointBarrier[] | undefined;

    const emitBarrier = (b: CheckpointBarrier): void => {
      if (subscriber.closed) return;
      if (emitting) {
        (queued ??= []).push(b);
        return;
      }
      b.acknowledger?.acknowledge(uid!, { parts: true, operator: [[OFFSET, String(offset)], [LINE, String(line)]], kind: 'readTextFile' });
      subscriber.next(b);
    };

    /** Emits the complete lines of `pending` (all of it at the end of the file), stopping after a barrier when suspended. */
    const drain = (): void => {
      emitting = true;
      try {
        let from = 0;
        while (!subscriber.closed && !suspended) {
          let at = pending.indexOf(newline, from);
          // a two-byte newline (utf16le) only counts at a character boundary
          while (at >= 0 && newline.length > 1 && (at - from) % newline.length !== 0) at = pending.indexOf(newline, at + 1);
          if (at < 0) {
            if (!ended || from === pending.length) break;
            at = pending.length;
          }
          let text = pending.toString(encoding, from, at);
          if (text.endsWith('\r')) text = text.slice(0, -1);
          const next = Math.min(at + newline.length, pending.length);
          offset += next - from;
          line++;
          from = next;
          subscriber.next(text);
          if (queued !== undefined) break;
        }
        pending = pending.subarray(from);
      } finally {
        emitting = false;
      }
      if (queued !== undefined) {
        const bs = queued;
        queued = undefined;
        for (const b of bs) emitBarrier(b);
        if (!suspended) drain();
        return;
      }
      if (suspended) stream?.pause();
      else if (ended && pending.length === 0 && !subscriber.closed) {
        subscriber.next(Watermark.MAX);
        subscriber.complete();
      }
    };

    const open = (): void => {
      const s = createReadStream(path, { start: offset });
      stream = s;
      s.on('data', (chunk) => {
        pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
        drain();
      });
      s.on('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
        subscriber.error(new SourceError(ORIGIN, `cannot read "${path}": ${why}`, err));
      });
      s.on('end', () => {
        ended = true;
        drain();
      });
    };

    const start = (): void => {
      if (subscriber.closed) return;
      const context = job.context(true);
      if (coordinator !== undefined) {
        const restored = context.restoredState?.get(uid!);
        if (restored !== undefined) {
          [offset, line] = restoredPosition(restored, uid!);
          const size = statSync(path, { throwIfNoEntry: false })?.size;
          if (size !== undefined && size < offset) {
            throw new CheckpointError(ORIGIN, `source "${uid}" was restored at byte ${offset} (line ${line}), but "${path}" has only ${size} bytes: it is not the file that was checkpointed`);
          }
        }
        const sourceEnded = job.sourceStarted((err) => subscriber.error(err));
        const unregister = coordinator.register(uid!);
        const unregisterSource = coordinator.registerSource({
          uid: uid!,
          emitBarrier,
          suspend: () => void (suspended = true),
          resume: () => {
            suspended = false;
            stream?.resume();
            drain();
          },
          finish: (drainToEnd) => {
            if (subscriber.closed) return;
            if (drainToEnd) subscriber.next(Watermark.MAX);
            subscriber.complete();
          },
        });
        subscriber.add(() => {
          unregister();
          unregisterSource();
          sourceEnded();
        });
      }
      subscriber.next(new StartElement(context));
      open();
    };
    const safeStart = (): void => {
      try {
        start();
      } catch (err) {
        subscriber.error(err);
      }
    };
    if (job.isPrepared) safeStart();
    else job.prepare().then(safeStart, (err: unknown) => subscriber.error(err));
    return () => stream?.destroy();
  });
}

/** Where a restored source resumes: the byte offset and line number it had reached at the checkpoint. */
function restoredPosition(restored: unknown, uid: string): [number, number] {
  const parts = restored as Partial<RestoredParts>;
  const offset = Number(parts.operator?.get(OFFSET));
  const line = Number(parts.operator?.get(LINE));
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(line) || line < 0) {
    throw new CheckpointError(ORIGIN, `the state restored for source "${uid}" has no valid file position: is that uid another operator's? Give this source another uid`);
  }
  return [offset, line];
}
