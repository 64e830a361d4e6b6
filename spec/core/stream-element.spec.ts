/**
 * Elements across copies of tidemark (the dual-package hazard: a record made by the CommonJS build read by
 * the ESM build). Two copies of the library are evaluated separately (vi.resetModules), so each has its own
 * element classes, as two builds in one process do; .ci/check-dist.mjs checks the built CJS and ESM files.
 */
import { from, lastValueFrom, of, toArray } from 'rxjs';
import type { StreamElement } from '../../lib/index';

type Tidemark = typeof import('../../lib/index');

async function freshCopy(): Promise<Tidemark> {
  vi.resetModules();
  return import('../../lib/index');
}

describe('elements across two copies of tidemark', () => {
  let a: Tidemark;
  let b: Tidemark;
  beforeAll(async () => {
    a = await freshCopy();
    b = await freshCopy();
  });

  it('are two separately evaluated copies', () => {
    expect(a.StreamRecord).not.toBe(b.StreamRecord);
    expect(a.keyBy).not.toBe(b.keyBy);
  });

  it('keys and maps a record of one copy in the other, keeping its timestamp', async () => {
    // before: copy b took copy a's record for a plain value and failed with "invalid key undefined"
    const out = await lastValueFrom(
      of(new a.StreamRecord({ user: 'ann', n: 1 }, 5)).pipe(
        b.keyBy((v: { user: string; n: number }) => v.user),
        b.map((v: { user: string; n: number }) => v.n + 1),
        toArray(),
      ),
    );
    expect(out).toEqual([new b.StreamRecord(2, 5, 'ann')]);
  });

  it('fires a window of one copy on the watermark of the other', async () => {
    const out = await lastValueFrom(
      of(new a.StreamRecord(1, 3, 'k'), new a.StreamRecord(2, 7, 'k'), new a.Watermark(9)).pipe(
        b.tumblingEventWindow(10, { reduce: (x: number, y: number) => x + y }),
        b.values(),
        toArray(),
      ),
    );
    expect(out).toEqual([3]);
  });

  it('passes control elements of the other copy through as control elements', async () => {
    const tag = new a.OutputTag<number>('late');
    const out = await lastValueFrom(
      from<StreamElement<number>[]>([new a.Watermark(1), a.WatermarkStatus.IDLE, new a.SideOutput(tag, new a.StreamRecord(4, 1)), 7]).pipe(b.map((x: number) => x * 10), toArray()),
    );
    expect(out).toEqual([new a.Watermark(1), a.WatermarkStatus.IDLE, new a.SideOutput(tag, new a.StreamRecord(4, 1)), 70]);
  });

  it('answers instanceof for the other copy’s elements by kind', () => {
    const r = new a.StreamRecord('x', 1);
    expect(r instanceof b.StreamRecord).toBe(true);
    expect(r instanceof b.StreamElementBase).toBe(true);
    expect(r instanceof b.Watermark).toBe(false);
    expect(new a.Watermark(3) instanceof b.Watermark).toBe(true);
    expect(a.WatermarkStatus.IDLE instanceof b.WatermarkStatus).toBe(true);
    expect(new a.CheckpointBarrier(1, 0) instanceof b.CheckpointBarrier).toBe(true);
    expect(b.isElement(new a.Watermark(3))).toBe(true);
    expect(b.isElement({ kind: 0, value: 1 })).toBe(false);
    expect(b.elementKind(new a.SideOutput(new a.OutputTag('t'), r))).toBe(b.ElementKind.SideOutput);
    expect(b.elementKind(42)).toBeUndefined();
  });

  it('keeps ordinary instanceof for a user subclass of an element class', () => {
    class Tagged<T> extends b.StreamRecord<T> {}
    expect(new Tagged(1) instanceof Tagged).toBe(true);
    expect(new b.StreamRecord(1) instanceof Tagged).toBe(false);
    expect(new Tagged(1) instanceof a.StreamRecord).toBe(true);
  });
});
