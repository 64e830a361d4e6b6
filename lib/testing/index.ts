/**
 * `tidemark/testing`: builders for marble value maps and a TestScheduler factory.
 * @packageDocumentation
 */
export { active, barrier, idle, maxWm, rec, side, start, wm } from './elements';
export { createTestScheduler } from './test-scheduler';
