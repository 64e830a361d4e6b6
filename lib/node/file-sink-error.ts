import { SinkError } from '../core/errors';

/**
 * The file sink cannot do its work: its directory is not writable, a record cannot be encoded, or what
 * it finds on disk at a restore does not match its checkpoint (a part file missing or shorter than
 * recorded). The message names the path and what to do; the `cause` is the file system's error. It is a
 * `SinkError`, so one `instanceof SinkError` check covers every sink.
 *
 * @example
 * ```ts
 * clicks$.pipe(fileSink({ path: '/read-only/out' })).subscribe({ error: (e) => { if (e instanceof FileSinkError) console.error(e.message) } })
 * ```
 * @see fileSink
 */
export class FileSinkError extends SinkError {
  override name = 'FileSinkError';
}
