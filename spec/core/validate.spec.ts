/**
 * Plain-JavaScript misuse of every operator family is refused at call time with an InvalidArgumentError
 * naming the operator and the parameter (not a TypeError from inside the first record, and not accepted).
 */
import { of } from 'rxjs';
import {
  assignWatermarks,
  coFlatMap,
  coGroup,
  coMap,
  connect,
  coProcess,
  countWindow,
  filter,
  flatMap,
  globalWindow,
  intervalJoin,
  InvalidArgumentError,
  keyBy,
  keyedBroadcastProcess,
  keyedProcess,
  map,
  max,
  maxBy,
  min,
  minBy,
  OutputTag,
  process,
  PurgingTrigger,
  reduce,
  sessionEventWindow,
  sideOutput,
  slidingProcessingWindow,
  sum,
  tumblingEventWindow,
  tumblingProcessingWindow,
  TumblingEventTimeWindows,
  union,
  window,
  windowAll,
  windowJoin,
  windowMaxBy,
  windowSum,
  WatermarkStrategy,
} from '../../lib/index';

// Misuse as plain JavaScript (or `any`-typed code) writes it: every argument goes through `any`.
const bad: any = undefined;
const tumbling = TumblingEventTimeWindows.of(10);
const key = (x: { k: string }) => x.k;

// call, the operator the error must name, the parameter it must name
const misuse: Array<[string, () => unknown, string, string]> = [
  // stateless transformations
  ['map(undefined)', () => map(bad), 'map', 'fn'],
  ['map({})', () => map({} as any), 'map', 'fn'],
  ['filter(42)', () => filter(42 as any), 'filter', 'fn'],
  ['flatMap({ map })', () => flatMap({ map: () => [] } as any), 'flatMap', 'fn'],
  ["map(fn, 'options')", () => map((x: number) => x, 'options' as any), 'map', 'options'],
  ['map(fn, { uid: 5 })', () => map((x: number) => x, { uid: 5 } as any), 'map', 'uid'],
  ['filter(fn, { scheduler: {} })', () => filter(() => true, { scheduler: {} } as any), 'filter', 'scheduler'],
  ['sideOutput(undefined)', () => sideOutput(bad), 'sideOutput', 'tag'],
  ["sideOutput('late')", () => sideOutput('late' as any), 'sideOutput', 'tag'],
  ["new OutputTag('')", () => new OutputTag(''), 'OutputTag', 'id'],
  ['new OutputTag(undefined)', () => new OutputTag(bad), 'OutputTag', 'id'],
  // keyed streams and rolling aggregations
  ['keyBy(undefined)', () => keyBy(bad), 'keyBy', 'selector'],
  ["keyBy('k')", () => keyBy('k' as any), 'keyBy', 'selector'],
  ['keyBy(fn, { keySerializer: 1 })', () => keyBy(key, { keySerializer: 1 } as any), 'keyBy', 'keySerializer'],
  ['reduce(undefined)', () => reduce(bad), 'reduce', 'fn'],
  ['sum(true)', () => sum(true as any), 'sum', 'field'],
  ['min(null)', () => min(null as any), 'min', 'field'],
  ['max(-1)', () => max(-1 as any), 'max', 'field'],
  ['minBy({})', () => minBy({} as any), 'minBy', 'field'],
  ["maxBy('v', 'yes')", () => maxBy<{ v: number }>('v', 'yes' as any), 'maxBy', 'first'],
  ['sum(field, { name: 7 })', () => sum(undefined, { name: 7 } as any), 'sum', 'name'],
  // process functions
  ['process(undefined)', () => process(bad), 'process', 'fn'],
  ['process(fn)', () => process(((x: number) => x) as any), 'process', 'fn'],
  ['keyedProcess({})', () => keyedProcess({} as any), 'keyedProcess', 'fn'],
  ['keyedProcess({ processElement, onTimer: 1 })', () => keyedProcess({ processElement: () => {}, onTimer: 1 } as any), 'keyedProcess', 'fn.onTimer'],
  // time and watermarks
  ['assignWatermarks(undefined)', () => assignWatermarks(bad), 'assignWatermarks', 'strategy'],
  ['assignWatermarks({})', () => assignWatermarks({} as any), 'assignWatermarks', 'strategy'],
  ['withTimestampAssigner(undefined)', () => WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner(bad), 'WatermarkStrategy.withTimestampAssigner', 'assigner'],
  // windows
  ['window(undefined)', () => window(bad), 'window', 'assigner'],
  ['windowAll({})', () => windowAll({} as any), 'windowAll', 'assigner'],
  ["tumblingEventWindow(10, 'x')", () => tumblingEventWindow(10, 'x' as any), 'tumblingEventWindow', 'options'],
  ['tumblingEventWindow(10, { reduce: 5 })', () => tumblingEventWindow(10, { reduce: 5 } as any), 'tumblingEventWindow', 'reduce'],
  ['tumblingEventWindow(10, { aggregate: {} })', () => tumblingEventWindow(10, { aggregate: {} } as any), 'tumblingEventWindow', 'aggregate'],
  ['tumblingProcessingWindow(10, { process: {} })', () => tumblingProcessingWindow(10, { process: {} } as any), 'tumblingProcessingWindow', 'process'],
  ['slidingProcessingWindow(10, 5, { evictor: {} })', () => slidingProcessingWindow(10, 5, { evictor: {} } as any), 'slidingProcessingWindow', 'evictor'],
  ["sessionEventWindow(10, { lateOutput: 'late' })", () => sessionEventWindow(10, { lateOutput: 'late' } as any), 'sessionEventWindow', 'lateOutput'],
  ['globalWindow({ trigger: 5 })', () => globalWindow({ trigger: 5 } as any), 'globalWindow', 'trigger'],
  ['countWindow(2, 1, 3)', () => countWindow(2, 1, 3 as any), 'countWindow', 'options'],
  ['windowSum({})', () => windowSum({} as any), 'windowSum', 'field'],
  ["windowMaxBy('v', 1)", () => windowMaxBy('v', 1 as any), 'windowMaxBy', 'first'],
  ['PurgingTrigger.of(undefined)', () => PurgingTrigger.of(bad), 'PurgingTrigger.of', 'nested'],
  // multiple streams and joins
  ['union(undefined)', () => union(bad), 'union', 'others[0]'],
  ['union(a$, 5)', () => union(of(1), 5 as any), 'union', 'others[1]'],
  ['connect(undefined)', () => connect(bad), 'connect', 'other'],
  ['coMap(undefined)', () => coMap(bad), 'coMap', 'map1 and map2'],
  ['coFlatMap({ flatMap1 })', () => coFlatMap({ flatMap1: () => [] } as any), 'coFlatMap', 'fn'],
  ['coProcess({})', () => coProcess({} as any), 'coProcess', 'fn'],
  ['keyedBroadcastProcess(undefined)', () => keyedBroadcastProcess(bad), 'keyedBroadcastProcess', 'fn'],
  ['coGroup(b$, undefined)', () => coGroup(of(1), bad), 'coGroup', 'options'],
  ['windowJoin(undefined, options)', () => windowJoin(bad, { where: key, equalTo: key, window: tumbling, apply: () => 1 }), 'windowJoin', 'other'],
  ['intervalJoin(b$, undefined)', () => intervalJoin(of(1), bad), 'intervalJoin', 'options'],
  ["intervalJoin(b$, { leftLateOutput: 'x' })", () => intervalJoin(of(1), { between: [0, 1], process: () => {}, leftLateOutput: 'x' } as any), 'intervalJoin', 'leftLateOutput'],
];

describe('argument checks at call time', () => {
  it.each(misuse)('%s throws an InvalidArgumentError naming the operator and the parameter', (_call, thunk, operator, option) => {
    let thrown: unknown;
    try {
      thunk();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    const err = thrown as InvalidArgumentError;
    expect(err.operator).toBe(operator);
    expect(err.option).toBe(option);
    expect(err.message.startsWith(`${operator}: ${option} `)).toBe(true);
  });

  it('accepts the documented forms', () => {
    const valid: Array<() => unknown> = [
      () => map((x: number) => x + 1),
      () => map({ map: (x: number) => x }, { uid: 'm', name: 'double' }),
      () => filter({ filter: () => true }),
      () => flatMap((x: number) => [x]),
      () => keyBy(key, { keySerializer: (k) => String(k) }),
      () => reduce((a: number, b: number) => a + b),
      () => sum(),
      () => sum<{ v: number }>('v'),
      () => sum<[string, number]>(1),
      () => maxBy<{ v: number }>('v', false),
      () => process({ processElement: () => {} }),
      () => keyedProcess({ processElement: () => {}, onTimer: () => {} }),
      () => sideOutput(new OutputTag<number>('late')),
      () => tumblingEventWindow(10),
      () => tumblingEventWindow<number, any>(10, { reduce: (a: number, b: number) => a + b, lateOutput: new OutputTag<number>('late') }),
      () => window(tumbling, { process: { process: () => {} }, trigger: tumbling.getDefaultTrigger() }),
      () => globalWindow({ trigger: PurgingTrigger.of(tumbling.getDefaultTrigger()) }),
      () => union(of(1), of(2)),
      () => intervalJoin(of(1), { between: [0, 1], process: () => {} }),
    ];
    for (const make of valid) expect(make).not.toThrow();
  });
});
