import { readFileSync } from 'node:fs';
import { clicksPerUser, CLICKS_CSV, parseClick } from '../../examples/main';
import { quickStart } from '../../examples/quick-start';

describe('examples', () => {
  it('quick start (README) counts clicks per user, out-of-order ones included', async () => {
    expect(await quickStart()).toEqual([
      { user: 'ann', clicks: 1 },
      { user: 'bob', clicks: 1 },
      { user: 'ann', clicks: 2 },
    ]);
  });

  it('the main job counts every click of the bundled CSV per user', async () => {
    const rows = readFileSync(CLICKS_CSV, 'utf8').trim().split('\n').slice(1).map(parseClick);
    const expected = new Map<string, number>();
    for (const c of rows) expected.set(c.user, (expected.get(c.user) ?? 0) + 1);
    const got = await clicksPerUser();
    expect(new Map([...got].sort())).toEqual(new Map([...expected].sort()));
    expect(rows.length).toBeGreaterThan(2000);
    expect(rows.some((c, i) => i > 0 && c.timestamp < rows[i - 1]!.timestamp)).toBe(true);
  });
});
