/**
 * Barriers through multi-input operators (union, connect + coMap, intervalJoin), all through the input
 * valve: aligned (the input that delivered the barrier is buffered until the others have), the bound of
 * the alignment buffers (past it the checkpoint is declined and the barrier passes on), at-least-once
 * (nothing buffered, the barrier leaves with the last input's copy) and unaligned (the barrier overtakes
 * where the operator persists overtaken records, intervalJoin; union and connect align).
 */
import { filter, map as rxMap, type Observable } from 'rxjs';
import { marbles } from 'rxjs-marbles/jest';
import { CheckpointBarrier, CheckpointError, coMap, connect, intervalJoin, Job, StreamRecord, union, type CheckpointConfig, type StreamElement } from '../../lib/index';
import { rec, start } from '../../lib/testing/index';

type Op = (a: Observable<StreamElement<string>>, b: Observable<StreamElement<string>>) => Observable<StreamElement<unknown>>;

/** Each multi-input operator, with what it emits for a left record `x` and a right record `y` (none: buffered). */
const operators: Array<[string, Op, { x: string; y: string | undefined }]> = [
  ['union', (a, b) => a.pipe(union(b)), { x: 'x', y: 'y' }],
  ['connect + coMap', (a, b) => a.pipe(connect(b), coMap((l: string) => `L${l}`, (r: string) => `R${r}`, { uid: 'coMap' })), { x: 'Lx', y: 'Ry' }],
  // y arrives first and is buffered; x joins it
  ['intervalJoin', (a, b) => a.pipe(intervalJoin(b, { between: [-100, 100], uid: 'join', process: (l: string, r: string) => `${l}-${r}` })), { x: 'x-y', y: undefined }],
];

/** Records as their value, barriers as `B<id>`; start elements and watermarks left out. */
function view(o: Observable<StreamElement<unknown>>): Observable<string> {
  return o.pipe(
    filter((x) => x instanceof StreamRecord || x instanceof CheckpointBarrier),
    rxMap((x) => (x instanceof CheckpointBarrier ? `B${x.checkpointId}` : String((x as StreamRecord<unknown>).value))),
  );
}

function jobWith(checkpoints: Partial<CheckpointConfig>): Job {
  return new Job({ name: 'align', checkpoints: { interval: 1e9, ...checkpoints } });
}

function elements(job: Job, B: CheckpointBarrier = new CheckpointBarrier(1, 0)) {
  return { S: start(job), B, x: rec('x', 5, 'k'), y: rec('y', 6, 'k'), z: rec('z', 7, 'k') };
}

describe.each(operators)('%s', (_name, op, out) => {
  it('aligned: buffers the input that delivered the barrier until the other delivers it, then emits the barrier and replays', marbles((m) => {
    const v = elements(jobWith({}));
    const a = m.cold('SBx-------|', v);
    const b = m.cold('S-y-B-----|', v);
    const expected = out.y === undefined ? '----(Bx)--|' : '--y-(Bx)--|';
    m.expect(view(op(a, b))).toBeObservable(expected, { y: out.y ?? '', B: 'B1', x: out.x });
  }));

  it('at-least-once: buffers nothing and emits the barrier when the last input delivers it', marbles((m) => {
    const v = elements(jobWith({ mode: 'at-least-once' }));
    const a = m.cold('SB--x-----|', v);
    const b = m.cold('S-y-B-----|', v);
    const expected = out.y === undefined ? '----(xB)--|' : '--y-(xB)--|';
    m.expect(view(op(a, b))).toBeObservable(expected, { y: out.y ?? '', B: 'B1', x: out.x });
  }));

  it('two checkpoints in a row: each barrier leaves once, in order', marbles((m) => {
    const job = jobWith({});
    const v = { ...elements(job), C: new CheckpointBarrier(2, 0) };
    const a = m.cold('SB-C------|', v);
    const b = m.cold('S-B-C-----|', v);
    m.expect(view(op(a, b))).toBeObservable('--B-C-----|', { B: 'B1', C: 'B2' });
  }));
});

describe('the alignment bound', () => {
  it('past alignmentBufferLimit, union declines the checkpoint naming itself, the input and the checkpoint, passes the barrier on and replays', marbles((m) => {
    const declined: Array<[string, Error]> = [];
    const acknowledger = { acknowledge: () => {}, decline: (uid: string, e: Error) => declined.push([uid, e]) };
    const v = elements(jobWith({ alignmentBufferLimit: 1 }), new CheckpointBarrier(1, 0, 'checkpoint', acknowledger));
    const a = m.cold('SBxz----y--|', v);
    const b = m.cold('S--------B-|', v);
    // a's barrier blocks a; x is buffered (1, the bound), z passes it: checkpoint 1 is declined at z
    m.expect(view(a.pipe(union(b)))).toBeObservable('---(Bxz)y--|', { B: 'B1', x: 'x', z: 'z', y: 'y' });
    m.flush();
    expect(declined).toHaveLength(1);
    expect(declined[0]![0]).toBe('union');
    expect(declined[0]![1]).toBeInstanceOf(CheckpointError);
    expect(declined[0]![1].message).toMatch(/^union: input 0 buffered more than alignmentBufferLimit \(1\) elements while aligning checkpoint 1 \(waiting for the barrier on input 1\): checkpoint 1 is aborted/);
  }));

  it('a bound that is not a positive integer is refused when the job is built', () => {
    expect(() => jobWith({ alignmentBufferLimit: 0 })).toThrow(/checkpoints\.alignmentBufferLimit.*must be an integer ≥ 1/);
  });
});

describe('unaligned barriers', () => {
  it('overtake at intervalJoin (which persists what they overtake), and align at union and connect', marbles((m) => {
    const U = new CheckpointBarrier(1, 0, 'checkpoint', undefined, true);
    const v = { ...elements(jobWith({ unaligned: true })), U };
    const a = m.cold('SU-x------|', v);
    const b = m.cold('S-y-U-----|', v);
    // intervalJoin: the barrier leaves with its first copy; x (after it on a) is processed at once
    m.expect(view(a.pipe(intervalJoin(b, { between: [-100, 100], uid: 'join', process: (l: string, r: string) => `${l}-${r}` })))).toBeObservable('-B-x------|', {
      B: 'B1',
      x: 'x-y',
    });
    m.expect(view(a.pipe(union(b)))).toBeObservable('--y-(Bx)--|', { B: 'B1', x: 'x', y: 'y' });
  }));
});
