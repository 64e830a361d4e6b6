import { lastValueFrom, of, Subject, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { Job, map, type RuntimeContext, UserFunctionError, values } from '../../lib/index';
import { maxWm, rec, side, start, wm } from '../../lib/testing/index';
import { OutputTag } from '../../lib/index';

describe('map', () => {
  it('maps values and keeps timestamps, keys and control elements', marbles((m) => {
    const late = new OutputTag<number>('late');
    const source = m.cold('a-b-W-L-c|', { a: rec(1, 1), b: rec(2, 2, 'k'), W: wm(5), L: side(late, 9, 3), c: 3 });
    m.expect(source.pipe(map((x: number) => x * 10))).toBeObservable('a-b-W-L-c|', {
      a: rec(10, 1),
      b: rec(20, 2, 'k'),
      W: wm(5),
      L: side(late, 9, 3),
      c: 30,
    });
    m.expect(source).toHaveSubscriptions('^--------!');
  }));

  it('opens a rich function before the first element with the job from the start element, and closes it at completion', async () => {
    const calls: string[] = [];
    const job = new Job({ name: 'rich-job' });
    const out = await lastValueFrom(
      of(start(job, true), 1, 2, maxWm()).pipe(
        map({
          open(ctx: RuntimeContext) {
            calls.push(`open ${ctx.jobName} ${ctx.operatorName} ${ctx.executionMode}`);
          },
          map(x: number) {
            calls.push(`map ${x}`);
            return x + 1;
          },
          close() {
            calls.push('close');
          },
        }),
        values(),
        toArray(),
      ),
    );
    expect(out).toEqual([2, 3]);
    expect(calls).toEqual(['open rich-job map streaming', 'map 1', 'map 2', 'close']);
  });

  it('closes a rich function on error and on unsubscribe', async () => {
    const calls: string[] = [];
    const rich = { open: () => calls.push('open'), map: (x: number) => x, close: () => calls.push('close') };
    const source = new Subject<number>();
    const sub = source.pipe(map(rich)).subscribe();
    source.next(1);
    sub.unsubscribe();
    expect(calls).toEqual(['open', 'close']);

    calls.length = 0;
    const failing = new Subject<number>();
    failing.pipe(map(rich)).subscribe({ error: () => calls.push('error seen') });
    failing.next(1);
    failing.error(new Error('upstream'));
    expect(calls).toEqual(['open', 'error seen', 'close']);
  });

  it('wraps a throwing function in a UserFunctionError naming the operator', async () => {
    const err = await lastValueFrom(
      of(1).pipe(
        map(() => {
          throw new Error('nope');
        }, { uid: 'm1' }),
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFunctionError);
    expect((err as Error).message).toBe('map (uid "m1"): user function threw: nope');
    expect((err as Error).cause).toBeInstanceOf(Error);
  });
});
