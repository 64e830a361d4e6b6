import { lastValueFrom, of, toArray } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import {
  assignWatermarks,
  InvalidArgumentError,
  InvalidTimestampError,
  Job,
  OutputTag,
  sideOutput,
  UserFunctionError,
  values,
  Watermark,
  WatermarkStrategy,
} from '../../lib/index';
import { active, idle, maxWm, rec, side, start, wm } from '../../lib/testing/index';
import { forgedRecord } from '../helpers/forged-record';

describe('assignWatermarks', () => {
  it('emits bounded-out-of-orderness watermarks periodically in virtual time', marbles((m) => {
    const source = m.cold('a---bc---|', { a: rec('a', 2000), b: rec('b', 4000), c: rec('c', 3000) });
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness(1000);
    const out = source.pipe(assignWatermarks(strategy, { interval: 5, scheduler: m.scheduler }));
    m.expect(out).toBeObservable('a---b(cW)(M|)', {
      a: rec('a', 2000),
      b: rec('b', 4000),
      W: wm(2999),
      c: rec('c', 3000),
      M: maxWm(),
    });
  }));

  it('takes timestamps from the assigner, given the previous timestamp', marbles((m) => {
    const seen: Array<number | undefined> = [];
    const source = m.cold('ab|', { a: { t: 10 }, b: rec({ t: 20 }, 7) });
    const strategy = WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner((v: { t: number }, prev) => {
      seen.push(prev);
      return v.t;
    });
    // at the end the generator emits once more (19), then the end-of-input watermark
    m.expect(source.pipe(assignWatermarks(strategy, { interval: 0 }))).toBeObservable('ab(WM|)', {
      a: rec({ t: 10 }, 10),
      b: rec({ t: 20 }, 20),
      W: wm(19),
      M: maxWm(),
    });
    m.flush();
    expect(seen).toEqual([undefined, 7]);
  }));

  it('emits monotonous watermarks as max timestamp - 1 and never backwards', marbles((m) => {
    const source = m.cold('a 9ms b 9ms c 9ms d 9ms |', { a: rec(1, 10), b: rec(2, 30), c: rec(3, 20), d: rec(4, 30) });
    const out = source.pipe(assignWatermarks(WatermarkStrategy.forMonotonousTimestamps(), { interval: 5, scheduler: m.scheduler }));
    m.expect(out).toBeObservable('a 4ms W 4ms (bX) 6ms c 9ms d 9ms (M|)', {
      a: rec(1, 10),
      W: wm(9),
      b: rec(2, 30),
      X: wm(29),
      c: rec(3, 20),
      d: rec(4, 30),
      M: maxWm(),
    });
  }));

  it('emits punctuated watermarks from a custom generator right after the record', marbles((m) => {
    const strategy = WatermarkStrategy.forGenerator<{ end: boolean }>(() => ({
      onEvent: (e, ts, out) => {
        if (e.end) out.emitWatermark(ts);
      },
      onPeriodicEmit: () => {},
    }));
    const source = m.cold('a 9ms b 9ms c 9ms |', { a: rec({ end: false }, 1), b: rec({ end: true }, 2), c: rec({ end: false }, 3) });
    m.expect(source.pipe(assignWatermarks(strategy, { interval: 0 }))).toBeObservable('a 9ms (bW) 6ms c 9ms (M|)', {
      a: rec({ end: false }, 1),
      b: rec({ end: true }, 2),
      W: wm(2),
      c: rec({ end: false }, 3),
      M: maxWm(),
    });
  }));

  it('emits no watermark but the final one with noWatermarks()', marbles((m) => {
    const source = m.cold('a---b---|', { a: rec(1, 100), b: rec(2, 200) });
    const out = source.pipe(assignWatermarks(WatermarkStrategy.noWatermarks(), { interval: 1, scheduler: m.scheduler }));
    m.expect(out).toBeObservable('a---b---(M|)', { a: rec(1, 100), b: rec(2, 200), M: maxWm() });
  }));

  it('drops upstream watermarks and statuses but forwards the end-of-input watermark', marbles((m) => {
    const source = m.cold('aWiM|', { a: rec(1, 5), W: wm(100), i: idle(), M: maxWm() });
    const out = source.pipe(assignWatermarks(WatermarkStrategy.noWatermarks(), { interval: 0 }));
    m.expect(out).toBeObservable('a--M|', { a: rec(1, 5), M: maxWm() });
  }));

  it('marks the input idle after the idle timeout and active again on the next record', marbles((m) => {
    const source = m.cold('a 30ms b 5ms |', { a: rec('a', 100), b: rec('b', 200) });
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness(0).withIdleness(10);
    const out = source.pipe(assignWatermarks(strategy, { interval: 5, scheduler: m.scheduler }));
    m.expect(out).toBeObservable('a 4ms W 19ms i 5ms (Ab) X 1ms (M|)', {
      a: rec('a', 100),
      W: wm(99),
      X: wm(199),
      i: idle(),
      A: active(),
      b: rec('b', 200),
      M: maxWm(),
    });
  }));

  it('emits only the final watermark in batch mode', marbles((m) => {
    const job = new Job({ executionMode: 'batch' });
    const source = m.cold('Sa---b---|', { S: start(job, true), a: rec(1, 100), b: rec(2, 200) });
    const out = source.pipe(assignWatermarks(WatermarkStrategy.forMonotonousTimestamps(), { interval: 1, scheduler: m.scheduler }));
    m.expect(out).toBeObservable('Sa---b---(M|)', { S: start(job, true), a: rec(1, 100), b: rec(2, 200), M: maxWm() });
  }));

  describe('bad input', () => {
    const cases: Array<[string, unknown]> = [
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
      ['a string', '1000'],
      ['null', null],
      ['beyond the safe range', 2 ** 60],
    ];
    it.each(cases)('errors with InvalidTimestampError when the assigner returns %s', async (_name, bad) => {
      const strategy = WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner(() => bad as number);
      const err = await lastValueFrom(of(1, 2).pipe(assignWatermarks(strategy, { interval: 0 }), toArray())).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidTimestampError);
      expect((err as Error).message).toMatch(/^assignWatermarks: invalid timestamp /);
      expect((err as InvalidTimestampError).value).toBe(bad);
    });

    it('names the uid in the error', async () => {
      const strategy = WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner(() => NaN);
      const err = await lastValueFrom(of(1).pipe(assignWatermarks(strategy, { interval: 0, uid: 'wm-1' }))).catch((e: unknown) => e);
      expect((err as Error).message).toBe(
        'assignWatermarks (uid "wm-1"): invalid timestamp NaN: the timestamp assigner returned it for 1; it must return a finite number ' +
          'of milliseconds within ±Number.MAX_SAFE_INTEGER (or set invalidTimestampOutput to send such records to a side output)',
      );
    });

    it('errors when a record has no timestamp and there is no assigner', async () => {
      const err = await lastValueFrom(of('x').pipe(assignWatermarks(WatermarkStrategy.forMonotonousTimestamps(), { interval: 0 }))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidTimestampError);
      expect((err as Error).message).toContain('has no timestamp assigner');
    });

    it('wraps an assigner that throws in a UserFunctionError', async () => {
      const strategy = WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner(() => {
        throw new Error('bad row');
      });
      const err = await lastValueFrom(of(1).pipe(assignWatermarks(strategy, { interval: 0 }))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserFunctionError);
      expect((err as Error).message).toBe('assignWatermarks: user function threw: bad row');
    });

    it('errors when a record carries an invalid timestamp and there is no assigner', async () => {
      const err = await lastValueFrom(of(forgedRecord('x', NaN)).pipe(assignWatermarks(WatermarkStrategy.forMonotonousTimestamps(), { interval: 0 }))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidTimestampError);
      expect((err as InvalidTimestampError).value).toBeNaN();
    });

    it.each([-1, NaN, Infinity])('refuses an out-of-orderness of %s', (ms) => {
      expect(() => WatermarkStrategy.forBoundedOutOfOrderness(ms)).toThrow(InvalidArgumentError);
      expect(() => WatermarkStrategy.forBoundedOutOfOrderness(ms)).toThrow(/WatermarkStrategy.forBoundedOutOfOrderness: maxOutOfOrdernessMs must be/);
    });

    it('refuses a negative idle timeout and a negative interval', () => {
      expect(() => WatermarkStrategy.noWatermarks().withIdleness(-5)).toThrow(/withIdleness: idleTimeoutMs must be .* got -5/);
      expect(() => assignWatermarks(WatermarkStrategy.noWatermarks(), { interval: -1 })).toThrow(InvalidArgumentError);
    });
  });
});

describe('assignWatermarks with invalidTimestampOutput', () => {
  type Row = { id: string; t: number };
  const bad = new OutputTag<Row>('bad-timestamps');
  const strategy = WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner((r: Row) => r.t);

  it('sends a record whose timestamp is invalid to the side output, without a timestamp, and goes on', marbles((m) => {
    const source = m.cold('a-b-c-|', { a: { id: 'a', t: 5 }, b: { id: 'b', t: NaN }, c: { id: 'c', t: 7 } });
    const out = source.pipe(assignWatermarks(strategy, { interval: 0, invalidTimestampOutput: bad }));
    m.expect(out).toBeObservable('a-B-c-(WM|)', {
      a: rec({ id: 'a', t: 5 }, 5),
      B: side(bad, { id: 'b', t: NaN }),
      c: rec({ id: 'c', t: 7 }, 7),
      W: wm(6),
      M: maxWm(),
    });
  }));

  it('keeps the key of a routed record, and routes a record without a timestamp when there is no assigner', marbles((m) => {
    const tag = new OutputTag<string>('no-time');
    const source = m.cold('ab|', { a: rec('a', 3, 'k'), b: rec('b', undefined, 'k') });
    const out = source.pipe(assignWatermarks(WatermarkStrategy.forMonotonousTimestamps<string>(), { interval: 0, invalidTimestampOutput: tag }));
    m.expect(out).toBeObservable('aB(WM|)', { a: rec('a', 3, 'k'), B: side(tag, 'b', undefined, 'k'), W: wm(2), M: maxWm() });
  }));

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['a string', '100'],
    ['beyond the safe range', 2 ** 60],
  ])('routes a timestamp that is %s, and it never moves the watermark', async (_name, t) => {
    const rows: Row[] = [{ id: 'a', t: 5 }, { id: 'x', t: t as number }, { id: 'b', t: 6 }];
    const all = await lastValueFrom(of(...rows).pipe(assignWatermarks(strategy, { interval: 0, invalidTimestampOutput: bad }), toArray()));
    const main = await lastValueFrom(of(...all).pipe(values(), toArray()));
    const routed = await lastValueFrom(of(...all).pipe(sideOutput(bad), values(), toArray()));
    expect(main.map((r) => r.id)).toEqual(['a', 'b']);
    expect(routed).toEqual([{ id: 'x', t }]);
    expect(all.filter((e) => e instanceof Watermark).map((e) => e.time)).toEqual([5, maxWm().time]);
  });
});

describe('assignWatermarks and idleness at the end of input', () => {
  it('marks the input active before the end-of-input watermark, so a valve downstream does not ignore it', marbles((m) => {
    const source = m.cold('a 30ms |', { a: rec('a', 100) });
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness(0).withIdleness(10);
    const out = source.pipe(assignWatermarks(strategy, { interval: 5, scheduler: m.scheduler }));
    m.expect(out).toBeObservable('a 4ms W 19ms i 5ms (AM|)', { a: rec('a', 100), W: wm(99), i: idle(), A: active(), M: maxWm() });
  }));
});

