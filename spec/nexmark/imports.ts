/** What the Nexmark specs import from tidemark, in one place. */
export { InvalidArgumentError, Job, StartElement, StreamRecord, Watermark, MAX_WATERMARK } from '../../lib/index';
export { Auction, Bid, NexmarkGenerator, nexmarkSource, Person, type NexmarkEvent } from '../../lib/testing/index';
