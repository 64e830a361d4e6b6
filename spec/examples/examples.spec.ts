import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clicksPerUser } from '../../examples/clicks-per-user';
import { CLICKS_CSV, isClickLine, parseClick, type Click } from '../../examples/clicks';
import { windowedClicks } from '../../examples/main';
import { quickStart } from '../../examples/quick-start';
import { userSessions } from '../../examples/sessions';
import { topN, topNWithWindow } from '../../examples/top-n';

const clicks: Click[] = readFileSync(CLICKS_CSV, 'utf8').split('\n').filter(isClickLine).map(parseClick);

/** Which clicks the punctuated watermark (max timestamp - delay - 1, after each click) makes late for a window of `size`. */
function lateClicks(delay: number, size: number): Set<number> {
  const late = new Set<number>();
  let wmark = -Infinity;
  let max = -Infinity;
  clicks.forEach((c, i) => {
    const end = c.timestamp - (c.timestamp % size) + size;
    if (end - 1 <= wmark) late.add(i);
    max = Math.max(max, c.timestamp);
    wmark = max - delay - 1;
  });
  return late;
}

describe('examples', () => {
  it('the data set has out-of-order and very late clicks', () => {
    expect(clicks.length).toBeGreaterThan(2000);
    expect(clicks.some((c, i) => i > 0 && c.timestamp < clicks[i - 1]!.timestamp)).toBe(true);
    expect(lateClicks(5_000, 60_000).size).toBeGreaterThan(0);
  });

  it('quick start (README) counts clicks per user, out-of-order ones included', async () => {
    expect(await quickStart()).toEqual([
      { user: 'ann', clicks: 1 },
      { user: 'bob', clicks: 1 },
      { user: 'ann', clicks: 2 },
    ]);
  });

  it('clicks per user counts every click of the bundled CSV', async () => {
    const expected = new Map<string, number>();
    for (const c of clicks) expected.set(c.user, (expected.get(c.user) ?? 0) + 1);
    const got = await clicksPerUser();
    expect(new Map([...got].sort())).toEqual(new Map([...expected].sort()));
  });

  it('the main job (npm start) counts on-time clicks per URL and minute, and reports every late one', async () => {
    const late = lateClicks(5_000, 60_000);
    const expected = new Map<string, number>();
    clicks.forEach((c, i) => {
      if (late.has(i)) return;
      const start = c.timestamp - (c.timestamp % 60_000);
      const k = `${c.url}@${start}`;
      expected.set(k, (expected.get(k) ?? 0) + 1);
    });
    const { counts, late: lateOut, lateCounted } = await windowedClicks();
    expect(new Map(counts.map((c) => [`${c.url}@${c.windowStart}`, c.clicks])).size).toBe(counts.length);
    expect(new Map(counts.map((c) => [`${c.url}@${c.windowStart}`, c.clicks]))).toEqual(expected);
    expect(lateOut).toEqual(clicks.filter((_, i) => late.has(i)));
    expect(lateCounted).toBe(late.size);
    expect(counts.reduce((s, c) => s + c.clicks, 0) + lateOut.length).toBe(clicks.length);
  });

  it('top N: every 5 s, the 2 URLs with most clicks in the last 10 s', async () => {
    const rows = await topN();
    expect(rows.length).toBeGreaterThan(100);
    // brute force over on-time clicks (watermark delay 2 s; a click is dropped from a window that had closed)
    const delay = 2_000;
    let wmark = -Infinity;
    let max = -Infinity;
    const counts = new Map<number, Map<string, number>>();
    for (const c of clicks) {
      for (let start = c.timestamp - (c.timestamp % 5_000); start > c.timestamp - 10_000; start -= 5_000) {
        const end = start + 10_000;
        if (end - 1 <= wmark) continue;
        const m = counts.get(end) ?? new Map<string, number>();
        m.set(c.url, (m.get(c.url) ?? 0) + 1);
        counts.set(end, m);
      }
      max = Math.max(max, c.timestamp);
      wmark = max - delay - 1;
    }
    const expected = [...counts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([windowEnd, m]) => ({
        windowEnd,
        top: [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 2).map(([url, count]) => ({ url, count })),
      }));
    expect(rows).toEqual(expected);
    expect(await topNWithWindow()).toEqual(expected);
  });

  it('sessions: each user session spans its first click to its last + the gap; every click is in one session or late', async () => {
    const gap = 10_000;
    const { sessions, late } = await userSessions(CLICKS_CSV, gap);
    expect(sessions.reduce((n, s) => n + s.clicks, 0) + late.length).toBe(clicks.length);
    expect(late.length).toBeGreaterThan(0);
    const byUser = new Map<string, typeof sessions>();
    for (const s of sessions) {
      expect([s.start, s.end]).toEqual([s.firstClick, s.lastClick + gap]);
      byUser.set(s.user, [...(byUser.get(s.user) ?? []), s]);
    }
    for (const list of byUser.values()) {
      const sorted = [...list].sort((a, b) => a.start - b.start);
      // sessions of one user never meet: there is more than the gap between them
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThan(sorted[i - 1]!.end);
    }
  });

  it('sessions: late clicks go to the side output, and a click that bridges two sessions merges them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-sessions-'));
    try {
      const file = join(dir, 'clicks.csv');
      // watermark = largest timestamp - 5 s - 1 after each click
      const lines = [
        'a,/home,1000',
        'b,/home,2000',
        'a,/cart,5000',
        'a,/home,30000', // watermark 24999: a's [1000, 15000) and b's [2000, 12000) fire, b's first (it ends first)
        'a,/help,3000', // too late: its session would be [3000, 13000), already past
        'a,/search,41000', // a new session [41000, 51000): 30000 + 10 s < 41000
        'a,/cart,36000', // [36000, 46000) meets both a's open sessions: one session [30000, 51000)
      ];
      writeFileSync(file, `user,url,timestamp\n${lines.join('\n')}\n`);
      const { sessions, late } = await userSessions(file, 10_000);
      expect(sessions).toEqual([
        { user: 'b', start: 2000, end: 12000, clicks: 1, firstClick: 2000, lastClick: 2000, urls: ['/home'] },
        { user: 'a', start: 1000, end: 15000, clicks: 2, firstClick: 1000, lastClick: 5000, urls: ['/cart', '/home'] },
        { user: 'a', start: 30000, end: 51000, clicks: 3, firstClick: 30000, lastClick: 41000, urls: ['/cart', '/home', '/search'] },
      ]);
      expect(late).toEqual([{ user: 'a', url: '/help', timestamp: 3000 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
