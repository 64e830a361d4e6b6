import { checkTimestamp, InvalidTimestampError, isTimestamp, MAX_WATERMARK, MIN_WATERMARK, OutputTag, StreamRecord, Watermark } from '../../lib/index';
import { rec, side, wm } from '../../lib/testing/index';

const bad: Array<[string, unknown]> = [
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['a numeric string', '100'],
  ['null', null],
  ['a bigint', 100n],
  ['beyond the safe range', MAX_WATERMARK + 2],
  ['below the safe range', MIN_WATERMARK - 2],
];

describe('isTimestamp and checkTimestamp', () => {
  it('accept finite numbers within ±Number.MAX_SAFE_INTEGER, negative and fractional ones too', () => {
    for (const t of [0, -1, 1.5, 1_700_000_000_000, MAX_WATERMARK, MIN_WATERMARK]) {
      expect(isTimestamp(t)).toBe(true);
      expect(() => checkTimestamp({ operator: 'test' }, t)).not.toThrow();
    }
  });

  it.each(bad)('refuse %s with an InvalidTimestampError naming the operator and the value', (_name, t) => {
    expect(isTimestamp(t)).toBe(false);
    let err: unknown;
    try {
      checkTimestamp({ operator: 'mySource', uid: 's1' }, t, 'the ts column must hold milliseconds');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidTimestampError);
    expect((err as InvalidTimestampError).value).toBe(t);
    expect((err as Error).message).toMatch(/^mySource \(uid "s1"\): invalid timestamp .*: the ts column must hold milliseconds$/);
  });

  it('says what is wrong by default', () => {
    expect(() => checkTimestamp({ operator: 'x' }, NaN)).toThrow('x: invalid timestamp NaN: a timestamp must be a finite number of milliseconds');
    expect(() => checkTimestamp({ operator: 'x' }, 2 ** 60)).toThrow('must lie within ±Number.MAX_SAFE_INTEGER');
  });
});

describe('records and watermarks built by users', () => {
  it.each(bad)('new StreamRecord refuses a timestamp that is %s', (_name, t) => {
    expect(() => new StreamRecord('v', t as number)).toThrow(InvalidTimestampError);
    expect(() => rec('v', t as number, 'k')).toThrow(/^StreamRecord: invalid timestamp .*: a record's timestamp must be a finite number/);
    expect(() => side(new OutputTag<string>('s'), 'v', t as number)).toThrow(InvalidTimestampError);
  });

  it('new StreamRecord takes a missing timestamp as a record without one', () => {
    expect(new StreamRecord('v').timestamp).toBeUndefined();
    expect(new StreamRecord('v', undefined, 'k').timestamp).toBeUndefined();
    expect(new StreamRecord('v', -5).timestamp).toBe(-5);
  });

  it.each(bad)('new Watermark refuses a time that is %s', (_name, t) => {
    expect(() => new Watermark(t as number)).toThrow(InvalidTimestampError);
    expect(() => wm(t as number)).toThrow(/^Watermark: invalid timestamp /);
  });
});
