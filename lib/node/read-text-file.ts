import { createReadStream } from 'node:fs';
import { Observable } from 'rxjs';
import { SourceError } from '../core/errors';
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
}

/**
 * A bounded source of a text file's lines (without line terminators), streamed from disk: the job's start
 * element, one plain string per line, the end-of-input watermark, then completion.
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
 * ```
 * @throws SourceError (as an error notification) naming the path when the file cannot be read.
 * @see socketTextStream
 */
export function readTextFile(path: string, options?: ReadTextFileOptions): Observable<StreamElement<string>> {
  return new Observable<StreamElement<string>>((subscriber) => {
    const job = options?.job ?? new Job();
    subscriber.next(new StartElement(job.context(true)));
    let rest = '';
    const stream = createReadStream(path, { encoding: options?.encoding ?? 'utf8' });
    stream.on('data', (chunk) => {
      const text = rest + String(chunk);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (subscriber.closed) return;
        subscriber.next(line.endsWith('\r') ? line.slice(0, -1) : line);
      }
    });
    stream.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
      subscriber.error(new SourceError({ operator: 'readTextFile' }, `cannot read "${path}": ${why}`, err));
    });
    stream.on('end', () => {
      if (rest !== '') subscriber.next(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
      subscriber.next(Watermark.MAX);
      subscriber.complete();
    });
    return () => stream.destroy();
  });
}
