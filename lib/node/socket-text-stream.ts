import { connect } from 'node:net';
import { Observable } from 'rxjs';
import { InvalidArgumentError, SourceError } from '../core/errors';
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
}

/**
 * An unbounded source of the delimited strings read from a TCP socket. When the peer closes the
 * connection the remaining text is emitted, then the end-of-input watermark, and the stream completes.
 *
 * It's like Flink's `socketTextStream`.
 *
 * ```text
 * socketTextStream('127.0.0.1', 9999)   S--a--b-----c--(M|)    (peer sends "a\nb\n", later "c", then closes)
 * ```
 *
 * @example
 * ```ts
 * socketTextStream('127.0.0.1', 9999).pipe(flatMap((l) => l.split(' ')), values()).subscribe(console.log)
 * ```
 * @throws SourceError (as an error notification) naming host:port when the connection is refused or fails.
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
    subscriber.next(new StartElement(job.context(false)));
    let rest = '';
    const socket = connect({ host, port });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const parts = (rest + chunk).split(delimiter);
      rest = parts.pop() ?? '';
      for (const p of parts) {
        if (subscriber.closed) return;
        subscriber.next(strip(p));
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'connection refused' : err.message;
      subscriber.error(new SourceError({ operator: 'socketTextStream' }, `cannot read from ${host}:${port}: ${why}`, err));
    });
    socket.on('end', () => {
      if (rest !== '') subscriber.next(strip(rest));
      subscriber.next(Watermark.MAX);
      subscriber.complete();
    });
    return () => socket.destroy();
  });
}
