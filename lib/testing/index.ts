/**
 * `tidemark/testing`: builders for marble value maps, a TestScheduler factory and the Nexmark generator and source.
 * @packageDocumentation
 */
export { active, barrier, idle, maxWm, rec, side, start, wm } from './elements';
export { createTestScheduler } from './test-scheduler';
export { Auction, Bid, Person, type NexmarkEvent } from './nexmark/model';
export {
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  NexmarkGenerator,
  type NexmarkConfig,
  type NexmarkRateShape,
  type ResolvedNexmarkConfig,
} from './nexmark/nexmark-generator';
export { nexmarkSource, type NexmarkSourceOptions } from './nexmark/nexmark-source';
