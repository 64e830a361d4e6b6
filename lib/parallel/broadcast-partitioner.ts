import type { StreamPartitioner } from './stream-partitioner';

/**
 * Every record to every downstream subtask (`broadcast()` without descriptors, and any `BroadcastStream`
 * before a parallel stage). @internal
 */
export const broadcastPartitioner: StreamPartitioner = { name: 'broadcast', selector: () => () => -1 };
