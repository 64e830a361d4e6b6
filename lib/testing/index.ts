/**
 * `tidemark/testing`: builders for marble value maps, a TestScheduler factory, operator harnesses that
 * drive an operator element by element on a virtual clock (snapshot and restore included), a trigger
 * harness, and the Nexmark generator and source.
 * @packageDocumentation
 */
export { active, barrier, idle, maxWm, rec, side, start, wm } from './elements';
export { HarnessSnapshot, OperatorHarnessBase, type OperatorHarnessOptions } from './harness-internals';
export { OperatorHarness } from './operator-harness';
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
export { TriggerHarness, type TriggerFiring } from './trigger-harness';
export { TwoInputOperatorHarness, type TwoInputOperator } from './two-input-operator-harness';
