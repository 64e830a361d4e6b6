/**
 * The Nexmark data model: people register, open auctions and bid on them. Field names follow Flink's
 * Nexmark (`nexmark/nexmark`), prices are in cents, times in ms of event time.
 * @module
 */

/**
 * A person who registered: the Nexmark `Person` (about 200 bytes with its padding).
 *
 * It's like Flink Nexmark's `Person` POJO, with a `type` tag since the three kinds share one stream.
 * @example `if (e.type === 'person') console.log(e.name, e.state)`
 */
export class Person {
  /** Always `'person'`: tells the three event kinds apart (Flink's `event_type` 0). */
  readonly type = 'person' as const;
  constructor(
    /** Person id, from 1000 up, one per block of 50 events. */
    readonly id: number,
    readonly name: string,
    readonly emailAddress: string,
    readonly creditCard: string,
    readonly city: string,
    /** One of AZ, CA, ID, OR, WA, WY. */
    readonly state: string,
    /** Event time (ms). */
    readonly dateTime: number,
    /** Padding up to the average size. */
    readonly extra: string,
  ) {}
}

/**
 * An auction a person opened: the Nexmark `Auction` (about 500 bytes with its padding).
 *
 * It's like Flink Nexmark's `Auction` POJO, with a `type` tag.
 * @example `if (e.type === 'auction' && e.category === 10) sellers.add(e.seller)`
 */
export class Auction {
  /** Always `'auction'` (Flink's `event_type` 1). */
  readonly type = 'auction' as const;
  constructor(
    /** Auction id, from 1000 up, three per block of 50 events. */
    readonly id: number,
    readonly itemName: string,
    readonly description: string,
    /** Cents. */
    readonly initialBid: number,
    /** Cents, above `initialBid`. */
    readonly reserve: number,
    /** Event time (ms) the auction opened. */
    readonly dateTime: number,
    /** Event time (ms) the auction closes; always after `dateTime`. */
    readonly expires: number,
    /** The person who sells (a `Person.id`, possibly one not seen yet). */
    readonly seller: number,
    /** 10 to 14. */
    readonly category: number,
    readonly extra: string,
  ) {}
}

/**
 * A bid on an auction: the Nexmark `Bid` (about 100 bytes with its padding). Flink's port adds `channel`
 * and `url`; Beam's and this one do not.
 *
 * It's like Flink Nexmark's `Bid` POJO, with a `type` tag.
 * @example `events$.pipe(filter((e: NexmarkEvent) => e.type === 'bid'))  // a stream of Bid`
 */
export class Bid {
  /** Always `'bid'` (Flink's `event_type` 2). */
  readonly type = 'bid' as const;
  constructor(
    /** The auction bid on (an `Auction.id`, possibly one not seen yet or already closed). */
    readonly auction: number,
    /** The person bidding (a `Person.id`). */
    readonly bidder: number,
    /** Cents, log-uniform in [100, 10^8]. */
    readonly price: number,
    /** Event time (ms). */
    readonly dateTime: number,
    readonly extra: string,
  ) {}
}

/** One Nexmark event: a new person, a new auction or a bid; `type` tells which. */
export type NexmarkEvent = Person | Auction | Bid;
