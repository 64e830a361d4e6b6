/**
 * Property: a record with a bad timestamp (NaN, ±Infinity, a string, a number beyond the safe range)
 * changes nothing for the other records. Random keyed streams with bad timestamps sprinkled in go
 * through assignWatermarks (punctuated watermarks, so windows fire and data is late mid-stream) with
 * `invalidTimestampOutput`, then through each event-time operator family; the timestamps come from a
 * timestamp assigner, or from the records themselves (no assigner: the bad ones are built around the
 * `StreamRecord` constructor, as a record from another copy of the library would be, since the
 * constructor refuses them), which is how they used to reach the windows. The main output (records and
 * watermarks, in order) must equal that of the same pipeline run without the bad records, and the side
 * output must hold exactly the bad records. Without the option, the run must fail with an
 * `InvalidTimestampError` for the first bad record, having emitted only what the good records before it
 * produce.
 */
import fc from 'fast-check';
import { type OperatorFunction, Subject } from 'rxjs';
import { forgedRecord } from '../helpers/forged-record';
import {
  assignWatermarks,
  EventTimeSessionWindows,
  InvalidTimestampError,
  keyBy,
  keyedProcess,
  OutputTag,
  SideOutput,
  sessionEventWindow,
  slidingEventWindow,
  type StreamElement,
  StreamRecord,
  TumblingEventTimeWindows,
  tumblingEventWindow,
  Watermark,
  window,
  WatermarkStrategy,
  type AggregateFunction,
  type KeyedProcessFunction,
} from '../../lib/index';

interface Row {
  readonly id: number;
  readonly k: string;
  readonly t: number;
}

const BAD: readonly unknown[] = [NaN, Infinity, -Infinity, '42', 2 ** 60, -(2 ** 60)];
const isBad = (r: Row): boolean => !(typeof r.t === 'number' && Number.isFinite(r.t) && Math.abs(r.t) <= Number.MAX_SAFE_INTEGER);

/** Concatenates the ids of a window in arrival order. */
const ids: AggregateFunction<Row, string, string> = {
  createAccumulator: () => '',
  add: (r, acc) => `${acc}${r.id},`,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** Emits `id@timer` at each timer, registered 5 ms after each record. */
const timers: KeyedProcessFunction<string, Row, string> = {
  processElement: (r, ctx) => ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 5),
  onTimer: (t, ctx, out) => out.collect(`${String(ctx.getCurrentKey())}@${t}`),
};

type Op = OperatorFunction<StreamElement<Row>, unknown>;
const families: Array<[string, () => Op]> = [
  ['tumbling, incremental', () => tumblingEventWindow(10, { aggregate: ids }) as Op],
  ['tumbling, general', () => window(TumblingEventTimeWindows.of(10), { process: (_k: unknown, _w: unknown, xs: Row[], out: { collect(s: string): void }) => out.collect(xs.map((r) => r.id).join(',')) }) as Op],
  ['sliding, incremental', () => slidingEventWindow(20, 10, { aggregate: ids }) as Op],
  ['session, incremental', () => sessionEventWindow(15, { aggregate: ids }) as Op],
  ['session, general', () => window(EventTimeSessionWindows.withGap(15), { process: (_k: unknown, _w: unknown, xs: Row[], out: { collect(s: string): void }) => out.collect(xs.map((r) => r.id).join(',')) }) as Op],
  ['keyedProcess timers', () => keyedProcess(timers) as Op],
];

/** Punctuated bounded out-of-orderness: a watermark of max timestamp - 20 after each record. */
const punctuated = WatermarkStrategy.forGenerator<Row>(() => {
  let max = -Infinity;
  return {
    onEvent: (_r, ts, out) => {
      if (ts > max) max = ts;
      out.emitWatermark(max - 20);
    },
    onPeriodicEmit: () => {},
  };
});

/** Where the timestamps come from: a timestamp assigner over plain values, or the records themselves. */
type Mode = 'assigner' | 'records';
const sources: Record<Mode, { strategy: WatermarkStrategy<Row>; element: (r: Row) => StreamElement<Row> }> = {
  assigner: { strategy: punctuated.withTimestampAssigner((r: Row) => r.t), element: (r) => r },
  records: { strategy: punctuated, element: (r) => (isBad(r) ? forgedRecord(r, r.t) : new StreamRecord(r, r.t)) },
};

const invalid = new OutputTag<Row>('invalid-timestamps');

interface Run {
  main: unknown[];
  invalid: Row[];
  error: unknown;
}

/** Runs rows through the pipeline synchronously and records what comes out. */
function run(mode: Mode, rows: readonly Row[], op: Op, route: boolean): Run {
  const { strategy, element } = sources[mode];
  const src = new Subject<StreamElement<Row>>();
  const result: Run = { main: [], invalid: [], error: undefined };
  src
    .pipe(assignWatermarks(strategy, route ? { interval: 0, invalidTimestampOutput: invalid } : { interval: 0 }), keyBy((r: Row) => r.k), op)
    .subscribe({
      next: (e) => {
        if (e instanceof SideOutput) result.invalid.push((e as SideOutput<Row>).record.value);
        else if (e instanceof StreamRecord) result.main.push({ value: e.value, timestamp: e.timestamp, key: e.key });
        else if (e instanceof Watermark) result.main.push({ watermark: e.time });
        else result.main.push(e);
      },
      error: (err: unknown) => (result.error = err),
    });
  for (const r of rows) src.next(element(r));
  src.complete();
  return result;
}

const rowsArb = fc
  .array(
    fc.record({
      k: fc.constantFrom('a', 'b', 'c'),
      t: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -30, max: 120 }) }, { weight: 1, arbitrary: fc.constantFrom(...BAD) }),
    }),
    { maxLength: 40 },
  )
  .map((xs) => xs.map((x, id) => ({ id, k: x.k, t: x.t as number })));

const cases = families.flatMap(([name, make]) => (['assigner', 'records'] as const).map((mode) => [`${name}, timestamps from the ${mode}`, mode, make] as const));

describe('bad timestamps change nothing for the other records (property)', () => {
  it.each(cases)('%s: with invalidTimestampOutput, the main output equals a run without the bad records', (_name, mode, make) => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const good = rows.filter((r) => !isBad(r));
        const withBad = run(mode, rows, make(), true);
        const without = run(mode, good, make(), true);
        expect(withBad.error).toBeUndefined();
        expect(without.error).toBeUndefined();
        expect(withBad.main).toEqual(without.main);
        expect(withBad.invalid).toEqual(rows.filter(isBad));
      }),
      { numRuns: 30 },
    );
  });

  it.each(cases)('%s: without it, the run fails at the first bad record with an InvalidTimestampError', (_name, mode, make) => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const first = rows.findIndex(isBad);
        const withBad = run(mode, rows, make(), false);
        if (first < 0) {
          expect(withBad.error).toBeUndefined();
          return;
        }
        expect(withBad.error).toBeInstanceOf(InvalidTimestampError);
        expect(Object.is((withBad.error as InvalidTimestampError).value, rows[first]!.t)).toBe(true);
        // what came out before the error is what the good records before it produce (without the final flush)
        const prefix = run(mode, rows.slice(0, first), make(), false);
        expect(prefix.main.slice(0, withBad.main.length)).toEqual(withBad.main);
      }),
      { numRuns: 20 },
    );
  });
});
