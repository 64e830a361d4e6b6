import { marbles } from 'rxjs-marbles/jest';
import { values } from '../../lib/index';
import { rec } from '../../lib/testing/index';
import type { Click } from '../../examples/clicks';
import { dedupClicks } from '../../examples/dedup';

const click = (user: string, url: string): Click => ({ user, url, timestamp: 0 });

describe('deduplication with TTL state (examples/dedup.ts)', () => {
  it('drops repeats within the TTL and lets them through once the state expired', marbles((m) => {
    const a = click('ann', '/home');
    const b = click('bob', '/home');
    // TTL 10 ms of (virtual) processing time
    const source = m.cold('a-a-b--a--------a-|', { a: rec(a, 0), b: rec(b, 0) });
    m.expect(dedupClicks(source, 10, m.scheduler).pipe(values())).toBeObservable('a---b-----------a-|', { a, b });
  }));
});
