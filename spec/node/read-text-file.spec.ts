import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { SourceError, StartElement, values, Watermark } from '../../lib/index';
import { readTextFile } from '../../lib/node/index';

describe('readTextFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-rtf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('emits the start element, each line, the end-of-input watermark and completes', async () => {
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'one\r\ntwo\n\nthree');
    const all = await lastValueFrom(readTextFile(file).pipe(toArray()));
    expect(all[0]).toBeInstanceOf(StartElement);
    expect((all[0] as StartElement).context.bounded).toBe(true);
    expect(all.slice(1)).toEqual(['one', 'two', '', 'three', Watermark.MAX]);
  });

  it('streams a large file in chunks', async () => {
    const file = join(dir, 'big.txt');
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const got = await lastValueFrom(readTextFile(file).pipe(values(), toArray()));
    expect(got).toEqual(lines);
  });

  it('errors with a SourceError naming readTextFile and the path when the file is missing', async () => {
    const missing = join(dir, 'nope.csv');
    const err = await lastValueFrom(readTextFile(missing)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toBe(`readTextFile: cannot read "${missing}": no such file`);
  });
});
