/**
 * Nexmark q3, local item suggestion: who sells in category 10 in Oregon, Idaho or California. An
 * unbounded inner join of auctions and persons on `seller = id`, with keyed state on both sides.
 *
 * Flink SQL:
 * `SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P on A.seller = P.id
 *  WHERE A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`.
 *
 * tidemark: the events are shared into two branches, keyed by seller and by person id, connected, and
 * joined in a `coProcess` that keeps the person (once seen) and the auctions that came before it. As in
 * Flink's regular join, the state is never cleaned up (the person and auction ids are unbounded).
 */
import { share, type OperatorFunction } from 'rxjs';
import {
  coProcess,
  connect,
  filter,
  keyBy,
  ListStateDescriptor,
  ValueStateDescriptor,
  type CoProcessFunction,
  type ListState,
  type StreamElement,
  type ValueState,
} from '../../lib/index';
import type { Auction, NexmarkEvent, Person } from '../../lib/testing/index';

/** A seller in OR, ID or CA with one of their category-10 auctions. */
export interface LocalItem {
  name: string;
  city: string;
  state: string;
  auction: number;
}

const row = (p: Person, a: Auction): LocalItem => ({ name: p.name, city: p.city, state: p.state, auction: a.id });

/** Joins category-10 auctions with their sellers from OR, ID or CA. */
export function q3(): OperatorFunction<StreamElement<NexmarkEvent>, StreamElement<LocalItem>> {
  return (events) => {
    // bids (92 % of the events) leave before the branch point, so each branch filters only the rest
    const shared = events.pipe(filter((e: NexmarkEvent) => e.type !== 'bid'), share());
    const auctions = shared.pipe(
      filter((e: NexmarkEvent) => e.type === 'auction'),
      filter((a) => a.category === 10),
      keyBy((a) => a.seller),
    );
    const persons = shared.pipe(
      filter((e: NexmarkEvent) => e.type === 'person'),
      filter((p) => p.state === 'OR' || p.state === 'ID' || p.state === 'CA'),
      keyBy((p) => p.id),
    );
    let person!: ValueState<Person>;
    let waiting!: ListState<Auction>;
    const join: CoProcessFunction<Auction, Person, LocalItem> = {
      open(ctx) {
        person = ctx.getState(new ValueStateDescriptor<Person>('person'));
        waiting = ctx.getListState(new ListStateDescriptor<Auction>('auctions-before-their-seller'));
      },
      processElement1(a, _ctx, out) {
        const p = person.value();
        if (p !== undefined) out.collect(row(p, a));
        else waiting.add(a);
      },
      processElement2(p, _ctx, out) {
        person.update(p);
        for (const a of waiting.get()) out.collect(row(p, a));
        waiting.clear();
      },
    };
    return auctions.pipe(connect(persons), coProcess(join));
  };
}
