/**
 * TTL cleanup on every record (`cleanupIncrementally(n, true)`) runs for records of either input of a
 * keyed two-input operator: expired state written through the first input is removed while only the
 * second input delivers records (that never touch the state).
 */
import { asyncScheduler, type SchedulerLike, Subject } from 'rxjs';
import { coProcess, connect, keyBy, StateTtlConfig, StreamRecord, type StreamElement, type ValueState, ValueStateDescriptor } from '../../lib/index';
import { heapAfterGc, MiB } from '../helpers/heap';

const KEYS = 20_000;
const TTL = 1_000;
/** Each value is an array of 128 numbers (about 1 KiB): KEYS values are about 20 MiB. */
const SLOTS = 128;

function clock(): SchedulerLike & { time: number } {
  const s = { time: 0, now: () => s.time, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
  return s;
}

describe('coProcess: TTL cleanup on every record', () => {
  it('runs for records of the second input', () => {
    const scheduler = clock();
    const left = new Subject<StreamElement<string>>();
    const right = new Subject<StreamElement<string>>();
    const descriptor = new ValueStateDescriptor<number[]>('payload').enableTimeToLive(
      StateTtlConfig.newBuilder(TTL).cleanupIncrementally(10, true).build(),
    );
    let state!: ValueState<number[]>;
    let rightSeen = 0;
    const subscription = left
      .pipe(
        keyBy((k: string) => k),
        connect(right.pipe(keyBy((k: string) => k))),
        coProcess(
          {
            open(ctx) {
              state = ctx.getState(descriptor);
            },
            processElement1(k: string) {
              state.update(new Array<number>(SLOTS).fill(k.length)); // a fresh array per key
            },
            processElement2() {
              rightSeen++; // never touches the state
            },
          },
          { scheduler },
        ),
      )
      .subscribe();
    const before = heapAfterGc();
    for (let k = 0; k < KEYS; k++) left.next(new StreamRecord(`k${k}`, 0));
    const written = heapAfterGc() - before;
    expect(written).toBeGreaterThan(10 * MiB); // the values are really held
    scheduler.time = 2 * TTL; // every value has expired
    // enough records on the second input for cleanup of 10 entries per record to visit every entry twice
    for (let i = 0; i < (2 * KEYS) / 10; i++) right.next(new StreamRecord(`r${i % 100}`, 0));
    const left_ = heapAfterGc() - before;
    subscription.unsubscribe();
    expect(rightSeen).toBe((2 * KEYS) / 10);
    expect(left_).toBeLessThan(written / 4);
  });
});
