import { lastValueFrom, of } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { NotKeyedError, OutputTag, process, type ProcessFunction } from '../../lib/index';
import { rec, side, wm } from '../../lib/testing/index';

describe('process', () => {
  it('emits what processElement returns (other than undefined), with the input timestamp and key', marbles((m) => {
    const source = m.cold('a-b-c|', { a: rec(2, 10, 'k'), b: rec(3, 20), c: 4 });
    m.expect(source.pipe(process({ processElement: (v: number) => (v % 2 === 0 ? `${v}` : undefined) }))).toBeObservable('a---c|', {
      a: rec('2', 10, 'k'),
      c: '4',
    });
  }));

  it('emits through the collector with the input timestamp, reads the watermark, writes side outputs', marbles((m) => {
    const odd = new OutputTag<number>('odd');
    const fn: ProcessFunction<number, string> = {
      processElement(v, ctx, out) {
        if (v % 2 === 1) ctx.output(odd, v);
        else out.collect(`${v}@${ctx.timestamp()} wm=${ctx.currentWatermark()} key=${String(ctx.getCurrentKey())}`);
      },
    };
    const source = m.cold('a-W-b-c|', { a: rec(2, 10, 'k'), W: wm(15), b: rec(3, 20), c: rec(4, 30) });
    m.expect(source.pipe(process(fn))).toBeObservable('a-W-b-c|', {
      a: rec(`2@10 wm=${Number.MIN_SAFE_INTEGER} key=k`, 10, 'k'),
      W: wm(15),
      b: side(odd, 3, 20),
      c: rec('4@30 wm=15 key=undefined', 30),
    });
  }));

  it('refuses timers on a non-keyed stream with a NotKeyedError', async () => {
    const err = await lastValueFrom(
      of(1).pipe(
        process<number, number>({
          processElement(_v, ctx) {
            ctx.timerService().registerEventTimeTimer(5);
          },
        }),
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotKeyedError);
    expect((err as Error).message).toBe('process: setting timers needs a keyed stream: apply keyBy(selector) before it');
  });
});
