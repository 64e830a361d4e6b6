import { asyncScheduler, lastValueFrom, take, tap, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { fromCollection, fromElements, InvalidArgumentError, Job, StartElement, values, Watermark } from '../../lib/index';
import { maxWm, start } from '../../lib/testing/index';

describe('fromCollection', () => {
  it('emits the start element, the values, the end-of-input watermark, then completes', marbles((m) => {
    const job = new Job({ name: 'c', scheduler: m.scheduler });
    m.expect(fromCollection(['a', 'b', 'c'], { job, chunkSize: 2 })).toBeObservable('(Sabc M|)'.replace(' ', ''), {
      S: start(job, true),
      a: 'a',
      b: 'b',
      c: 'c',
      M: maxWm(),
    });
  }));

  it('announces a bounded job in its start element', async () => {
    const job = new Job({ name: 'jobby', executionMode: 'automatic' });
    const all = await lastValueFrom(fromCollection([1], { job }).pipe(toArray()));
    const s = all[0] as StartElement;
    expect(s).toBeInstanceOf(StartElement);
    expect(s.context.jobName).toBe('jobby');
    expect(s.context.bounded).toBe(true);
    expect(s.context.executionMode).toBe('automatic');
    expect(all.at(-1)).toBe(Watermark.MAX);
  });

  it('yields to the scheduler between chunks, so scheduled work interleaves with records', async () => {
    const seen: unknown[] = [];
    const done = lastValueFrom(
      fromCollection([1, 2, 3, 4, 5], { chunkSize: 2, scheduler: asyncScheduler }).pipe(values(), tap((v) => seen.push(v)), toArray()),
    );
    asyncScheduler.schedule(() => seen.push('timer'));
    await done;
    // chunk [1, 2] on subscription, chunk [3, 4] was scheduled first, then the timer, then [5]
    expect(seen).toEqual([1, 2, 3, 4, 'timer', 5]);
  });

  it('iterates lazily and stops on unsubscribe', async () => {
    let pulled = 0;
    function* naturals(): Generator<number> {
      for (;;) yield pulled++;
    }
    const got = await lastValueFrom(fromCollection(naturals(), { chunkSize: 100 }).pipe(values(), take(3), toArray()));
    expect(got).toEqual([0, 1, 2]);
    expect(pulled).toBeLessThanOrEqual(4);
  });

  it('refuses a bad chunk size and a non-iterable', () => {
    expect(() => fromCollection([1], { chunkSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => fromCollection([1], { chunkSize: 0 })).toThrow('fromCollection: chunkSize must be a positive integer, got 0');
    expect(() => fromCollection(42 as unknown as number[])).toThrow('fromCollection: iterable must be iterable');
  });
});

describe('fromElements', () => {
  it('emits its arguments as a bounded source', async () => {
    const all = await lastValueFrom(fromElements(1, 2, 3).pipe(toArray()));
    expect(all[0]).toBeInstanceOf(StartElement);
    expect(all.slice(1)).toEqual([1, 2, 3, Watermark.MAX]);
  });
});
