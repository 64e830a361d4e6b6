/**
 * User sessions: reads the bundled clicks CSV, assigns event time (bounded out-of-orderness 5 s), keys by
 * user and groups each user's clicks into sessions that end after 10 s without a click. Each session
 * reports its clicks, its first and last click and the distinct URLs visited (an incremental aggregate,
 * merged when a late click bridges two sessions); clicks too late for any session go to a side output.
 * Prints sessions per user and the longest sessions. In-memory state, no Redis.
 *
 * Run: npx tsx examples/sessions.ts
 */
import { fileURLToPath } from 'node:url';
import { lastValueFrom, share, toArray } from 'rxjs';
import {
  type AggregateFunction,
  assignWatermarks,
  type Collector,
  filter,
  Job,
  keyBy,
  map,
  OutputTag,
  type ProcessWindowContext,
  sessionEventWindow,
  sideOutput,
  type TimeWindow,
  values,
  WatermarkStrategy,
} from '../lib/index';
import { readTextFile } from '../lib/node/index';
import { type Click, CLICKS_CSV, isClickLine, parseClick } from './clicks';

/** One user session. */
export interface UserSession {
  user: string;
  /** The session window: from the first click to the last click + the gap. */
  start: number;
  end: number;
  clicks: number;
  firstClick: number;
  lastClick: number;
  urls: string[];
}

interface Stats {
  clicks: number;
  first: number;
  last: number;
  urls: Set<string>;
}

/** Clicks, first and last click, and distinct URLs of a session; `merge` joins two sessions. */
export const sessionStats: AggregateFunction<Click, Stats, Stats> = {
  createAccumulator: () => ({ clicks: 0, first: Infinity, last: -Infinity, urls: new Set() }),
  add: (c, acc) => {
    acc.clicks++;
    acc.first = Math.min(acc.first, c.timestamp);
    acc.last = Math.max(acc.last, c.timestamp);
    acc.urls.add(c.url);
    return acc;
  },
  getResult: (acc) => acc,
  merge: (a, b) => ({ clicks: a.clicks + b.clicks, first: Math.min(a.first, b.first), last: Math.max(a.last, b.last), urls: new Set([...a.urls, ...b.urls]) }),
};

/** What the job produces. */
export interface Sessions {
  sessions: UserSession[];
  late: Click[];
}

/** Sessions per user (gap `gapMs`), with clicks too late for any session on a side output. */
export async function userSessions(file = CLICKS_CSV, gapMs = 10_000, job = new Job({ name: 'user-sessions' })): Promise<Sessions> {
  const lateClicks = new OutputTag<Click>('late-clicks');
  const sessions$ = readTextFile(file, { job }).pipe(
    filter(isClickLine),
    map(parseClick),
    // bounded out-of-orderness of 5 s, emitted after every click, so the run is deterministic
    assignWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withPerEventEmit().withTimestampAssigner((c) => c.timestamp)),
    keyBy((c) => c.user),
    sessionEventWindow(gapMs, {
      aggregate: sessionStats,
      process: (user: unknown, ctx: ProcessWindowContext<TimeWindow>, [s]: Stats[], out: Collector<UserSession>) =>
        out.collect({
          user: String(user),
          start: ctx.window.start,
          end: ctx.window.end,
          clicks: s!.clicks,
          firstClick: s!.first,
          lastClick: s!.last,
          urls: [...s!.urls].sort(),
        }),
      lateOutput: lateClicks,
    }),
    share(),
  );
  const [sessions, late] = await Promise.all([
    lastValueFrom(sessions$.pipe(values(), toArray())),
    lastValueFrom(sessions$.pipe(sideOutput(lateClicks), values(), toArray())),
  ]);
  return { sessions, late };
}

async function main(): Promise<void> {
  const { sessions, late } = await userSessions();
  const byUser = new Map<string, UserSession[]>();
  for (const s of sessions) byUser.set(s.user, [...(byUser.get(s.user) ?? []), s]);
  console.log('user sessions (event time, gap 10 s, bounded out-of-orderness 5 s)\n');
  console.log(`${'user'.padEnd(8)}${'sessions'.padStart(10)}${'clicks'.padStart(8)}${'avg s'.padStart(8)}`);
  for (const [user, list] of [...byUser].sort((a, b) => a[0].localeCompare(b[0]))) {
    const clicks = list.reduce((n, s) => n + s.clicks, 0);
    const avg = list.reduce((n, s) => n + (s.lastClick - s.firstClick), 0) / list.length / 1000;
    console.log(`${user.padEnd(8)}${String(list.length).padStart(10)}${String(clicks).padStart(8)}${avg.toFixed(1).padStart(8)}`);
  }
  const longest = [...sessions].sort((a, b) => b.lastClick - b.firstClick - (a.lastClick - a.firstClick)).slice(0, 3);
  console.log('\nlongest sessions:');
  for (const s of longest) {
    console.log(`  ${s.user}: ${((s.lastClick - s.firstClick) / 1000).toFixed(1)} s, ${s.clicks} clicks, ${s.urls.join(' ')}`);
  }
  console.log(`\n${sessions.length} sessions; ${late.length} clicks too late for any session`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
