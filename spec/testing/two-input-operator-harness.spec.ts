/**
 * TwoInputOperatorHarness: records and watermarks into each input; the output watermark is the minimum;
 * a keyed coProcess snapshots and restores mid-stream.
 */
import type { Observable } from 'rxjs';
import { coProcess, connect, InvalidArgumentError, union, ValueStateDescriptor, type CoProcessFunction, type StreamElement, type ValueState } from '../../lib/index';
import { rec, TwoInputOperatorHarness } from '../../lib/testing/index';

interface Order {
  id: string;
  amount: number;
}
interface Payment {
  orderId: string;
  paid: number;
}

/** Keeps what is still owed per order; reports it on each order or payment. */
function ledger(): CoProcessFunction<Order, Payment, string> {
  let owed!: ValueState<number>;
  return {
    open(ctx) {
      owed = ctx.getState(new ValueStateDescriptor<number>('owed', 0));
    },
    processElement1(o, ctx, out) {
      owed.update(owed.value()! + o.amount);
      out.collect(`${ctx.getCurrentKey()} owes ${owed.value()}`);
    },
    processElement2(p, ctx, out) {
      owed.update(owed.value()! - p.paid);
      out.collect(`${ctx.getCurrentKey()} owes ${owed.value()}`);
    },
  };
}

const ledgerHarness = () =>
  TwoInputOperatorHarness.forKeyed(
    (orders: Observable<StreamElement<Order>>, payments: Observable<StreamElement<Payment>>) => orders.pipe(connect(payments), coProcess(ledger(), { uid: 'ledger' })),
    (o) => o.id,
    (p) => p.orderId,
  );

describe('TwoInputOperatorHarness', () => {
  it('pushes into each input and emits the minimum watermark of both', () => {
    const h = TwoInputOperatorHarness.forOperator((a: Observable<StreamElement<string>>, b: Observable<StreamElement<string>>) => a.pipe(union(b)));
    h.processElement1('x', 5).processElement2('y', 7).processWatermark1(10);
    expect(h.watermarks()).toEqual([]);
    h.processWatermark2(8);
    expect(h.watermarks()).toEqual([8]);
    h.processBothWatermarks(20);
    expect(h.watermarks()).toEqual([8, 20]);
    expect(h.output()).toEqual([rec('x', 5), rec('y', 7)]);
    h.endInput1().endInput2();
    expect(h.isCompleted()).toBe(true);
  });

  it('snapshots a keyed two-input operator mid-stream and restores it into a fresh one', () => {
    const first = ledgerHarness();
    first.processElement1({ id: 'o1', amount: 100 }, 1).processElement2({ orderId: 'o1', paid: 30 }, 2).processElement1({ id: 'o2', amount: 5 }, 3);
    expect(first.outputValues()).toEqual(['o1 owes 100', 'o1 owes 70', 'o2 owes 5']);
    const snapshot = first.snapshot();
    first.processElement2({ orderId: 'o1', paid: 70 }, 4); // after the snapshot

    const second = ledgerHarness().restore(snapshot);
    second.processElement2({ orderId: 'o1', paid: 20 }, 5).processElement1({ id: 'o2', amount: 1 }, 6);
    expect(second.outputValues()).toEqual(['o1 owes 50', 'o2 owes 6']);
    expect(second.output().map((r) => r.key)).toEqual(['o1', 'o2']);
  });

  it('refuses a missing operator or key selector, naming it', () => {
    expect(() => TwoInputOperatorHarness.forOperator(null as never)).toThrow(InvalidArgumentError);
    expect(() => TwoInputOperatorHarness.forKeyed((a, _b) => a, (x: string) => x, 'nope' as never)).toThrow(/key2 must be a function/);
  });
});
