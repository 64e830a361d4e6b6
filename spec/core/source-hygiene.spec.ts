import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const lib = join(root, 'lib');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const core = files(lib).filter((f) => {
  const rel = relative(lib, f);
  return !rel.startsWith('node/') && !rel.startsWith('redis/');
});

describe('the browser-safe core', () => {
  it('has source files to check', () => {
    expect(core.length).toBeGreaterThan(10);
  });

  it.each([
    ['Date.now', /\bDate\.now\s*\(/],
    ['new Date() for the current time', /new Date\(\s*\)/],
    ['setTimeout', /\bsetTimeout\s*\(/],
    ['setInterval', /\bsetInterval\s*\(/],
    ['performance.now', /\bperformance\.now\s*\(/],
  ])('takes no time from %s (processing time comes from a SchedulerLike)', (_what, pattern) => {
    const offenders = core.filter((f) => pattern.test(readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('imports nothing from node:*, ioredis, lib/node or lib/redis', () => {
    const bad = /from\s+['"](node:[^'"]+|ioredis|fs|net|path|os|child_process|[./]+\/(node|redis)\/[^'"]*)['"]/;
    const offenders = core.filter((f) => bad.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('never imports from spec/', () => {
    const offenders = files(lib).filter((f) => /from\s+['"][./]+\/spec\//.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
