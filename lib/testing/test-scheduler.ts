import { TestScheduler } from 'rxjs/testing';

/**
 * A `TestScheduler` whose frames are compared with your test framework's deep equality.
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * const scheduler = createTestScheduler((a, b) => expect(a).toEqual(b));
 * scheduler.run(({ cold, expectObservable }) => {
 *   expectObservable(cold('a|', { a: rec(1, 5) }).pipe(map((x) => x + 1))).toBe('a|', { a: rec(2, 5) });
 * });
 * ```
 */
export function createTestScheduler(assertDeepEqual: (actual: unknown, expected: unknown) => void): TestScheduler {
  return new TestScheduler(assertDeepEqual);
}
