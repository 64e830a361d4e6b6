import { connect, type Socket } from 'node:net';
import { Observable } from 'rxjs';
import type { CheckpointBarrier } from '../core/checkpoint-barrier';
import { CheckpointError, InvalidArgumentError, SourceError } from '../core/errors';
import { Job } from '../core/job';
import { StartElement } from '../core/start-element';
import type { StreamElement } from '../core/stream-element';
import { Watermark } from '../core/watermark';

/** Options of {@link socketTextStream}. */
export interface SocketTextStreamOptions {
  /** Separates records (default `'\n'`; a trailing `'\r'` is dropped when it is `'\n'`). */
  delimiter?: string;
  /** The job this source belongs to; a default streaming job if absent. */
  job?: Job;
  /**
   * With checkpointing on, accept that this source cannot replay: it takes part in checkpoints (emits
   * barriers, under `uid`) but stores no position, so after a restore it reads on from whatever the peer
   * sends then, and what arrived after the last checkpoint is lost (at most once). Without it, a
   * checkpointed job refuses this source.
   */
  atMostOnce?: boolean;
  /** Names the source in checkpoints (needed with `atMostOnce` in a checkpointed job). */
  uid?: string;
}

/**
 * An unbounded source of the delimited strings read from a TCP socket. When the peer closes the
 * connection the remaining text is emitted, then the end-of-input watermark, and the stream completes.
 *
 * It is not replayable: a socket cannot be read again from a position. In a job with checkpoints it is
 * refused with a `CheckpointError` unless `atMostOnce: true` (and a `uid`) says that losing what arrived
 * since the last checkpoint is acceptable; then it emits barriers between lines but stores no position.
 *
 * It's like Flink's `socketTextStream` (also at most once).
 *
 * ```text
 * socketTextStream('127.0.0.1', 9999)   S--a--b-----c--(M|)    (peer sends "a\nb\n", later "c", then closes)
 * ```
 *
 * @example
 * ```ts
 * socketTextStream('127.0.0.1', 9999).pipe(flatMap((l) => l.split(' ')), values()).subscribe(console.log)
 * ```
 * @throws SourceError (as an error notification) naming host:port when the connection is refused or fails;
 * CheckpointError when the job checkpoints and `atMostOnce: true` with a `uid` is not given.
 */
export function socketTextStream(host: string, port: number, options?: SocketTextStreamOptions): Observable<StreamElement<string>> {
  const delimiter = options?.delimiter ?? '\n';
  if (typeof delimiter !== 'string' || delimiter.length === 0) {
    throw new InvalidArgumentError({ operator: 'socketTextStream' }, 'delimiter', delimiter, 'must be a non-empty string');
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError({ operator: 'socketTextStream' }, 'port', port, 'must be an integer in [0, 65535]');
  }
  const strip = (s: string): string => (delimiter === '\n' && s.endsWith('\r') ? s.slice(0, -1) : s);
  return new Observable<StreamElement<string>>((subscriber) => {
    const job = options?.job ?? new Job();
    const coordinator = job.coordinator;
    const uid = options?.uid;
    if (coordinator !== undefined && (options?.atMostOnce !== true || uid === undefined)) {
      subscriber.error(
        new CheckpointError(
          { operator: 'socketTextStream' },
          `job "${job.name}" checkpoints, but a socket cannot replay what it read: after a restore the lines received since the last checkpoint are lost. Pass { atMostOnce: true, uid: 'socket' } to accept that, or read from a replayable source (readTextFile, a Redis stream)`,
        ),
      );
      return;
    }
    let rest = '';
    let socket: Socket | undefined;
    let emitting = false;
    let suspended = false;
    let queued: CheckpointBarrier[] | undefined;
    const emitBarrier = (b: CheckpointBarrier): void => {
      if (subscriber.closed) return;
      if (emitting) {
        (queued ??= []).push(b);
        return;
      }
      b.acknowledger?.acknowledge(uid!, { parts: true, kind: 'socketTextStream' });
      subscriber.next(b);
    };
    const emit = (parts: readonly string[]): void => {
      emitting = true;
      try {
        for (const p of parts) {
          if (subscriber.closed) return;
          subscriber.next(strip(p));
        }
      } finally {
        emitting = false;
      }
      if (queued !== undefined) {
        const bs = queued;
        queued = undefined;
        for (const b of bs) emitBarrier(b);
      }
    };
    const start = (): void => {
      if (subscriber.closed) return;
      const context = job.context(false);
      if (coordinator !== undefined) {
        const ended = job.sourceStarted((err) => subscriber.error(err));
        const unregister = coordinator.register(uid!);
        const unregisterSource = coordinator.registerSource({
          uid: uid!,
          emitBarrier,
          suspend: () => {
            suspended = true;
            socket?.pause();
          },
          resume: () => {
            suspended = false;
            socket?.resume();
          },
          finish: (drain) => {
            if (subscriber.closed) return;
            if (drain) subscriber.next(Watermark.MAX);
            subscriber.complete();
          },
        });
        subscriber.add(() => {
          unregister();
          unregisterSource();
          ended();
        });
      }
      subscriber.next(new StartElement(context));
      const s = connect({ host, port });
      socket = s;
      s.setEncoding('utf8');
      s.on('data', (chunk: string) => {
        const parts = (rest + chunk).split(delimiter);
        rest = parts.pop() ?? '';
        emit(parts);
        if (suspended) s.pause();
      });
      s.on('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'ECONNREFUSED' ? 'connection refused' : err.message;
        subscriber.error(new SourceError({ operator: 'socketTextStream' }, `cannot read from ${host}:${port}: ${why}`, err));
      });
      s.on('end', () => {
        if (suspended) return;
        if (rest !== '') emit([rest]);
        if (subscriber.closed) return;
        subscriber.next(Watermark.MAX);
        subscriber.complete();
      });
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
    return () => socket?.destroy();
  });
}
