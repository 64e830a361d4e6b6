/**
 * Window operators restored from the real Redis storage (tidemark/redis): the same cut-and-restore check
 * as the in-memory specs, through RedisCheckpointStorage (keyed parts per key group, an incremental
 * chain), leaving no keys behind.
 */
import fc from 'fast-check';
import { OutputTag, sessionEventWindow, tumblingEventWindow, window, windowSum, CountTrigger, GlobalWindows, CountEvictor } from '../../lib/index';
import { RedisCheckpointStorage } from '../../lib/redis/index';
import { deleteKeys, sharedRedisUrl, uniquePrefix } from '../helpers/redis';
import { checkRestore, events, type Ev, type Scenario } from './window-checkpoint-helpers';

const late = new OutputTag<Ev>('late');

const scenarios: Array<[string, Scenario]> = [
  ['incremental tumbling windows', { windowing: () => tumblingEventWindow(10, { aggregate: windowSum<Ev>('v'), allowedLateness: 5, lateOutput: late, uid: 'tumbling' }) }],
  ['incremental sessions', { windowing: () => sessionEventWindow(4, { aggregate: windowSum<Ev>('v'), allowedLateness: 3, uid: 'sessions' }) }],
  ['the general operator (global windows, count trigger, count evictor)', { windowing: () => window(GlobalWindows.create(), { trigger: CountTrigger.of(2), evictor: CountEvictor.of(3), uid: 'general' }) }],
];

describe('window operators restored from Redis', () => {
  it.each(scenarios)('%s: a random cut, restored from Redis, continues as an uninterrupted run (property)', async (_name, scenario) => {
    const url = await sharedRedisUrl();
    const prefix = uniquePrefix('windows');
    const storage = await RedisCheckpointStorage.connect({ url, prefix });
    try {
      await fc.assert(
        fc.asyncProperty(events(), fc.nat(), fc.nat(), async (evs, a, b) => {
          const c1 = 1 + (a % (evs.length - 1));
          const c2 = c1 + 1 + (b % (evs.length - c1));
          await storage.discardJob('job');
          await checkRestore(scenario, evs, [c1, c2], storage);
        }),
        { numRuns: 10 },
      );
    } finally {
      await storage.discardJob('job');
      await storage.close();
      expect(await deleteKeys(url, prefix)).toBe(0);
    }
  });
});
