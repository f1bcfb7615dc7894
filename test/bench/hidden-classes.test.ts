import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_CONNECTOR } from '../../bench/support/bench-config';
import { startBenchStack } from '../../bench/support/bench-stack';
import {
  HIDDEN_CLASS_WINDOW_MARKERS,
  countHiddenClasses,
  hiddenClassLogFlags,
} from '../../bench/support/hidden-classes';

/**
 * On Node 20 an object literal that starts with a spread and then adds a property makes a new
 * hidden class each time it runs (docs/performance.md, "Object literals on the run path"). Until
 * that was found, a connector run made sixteen of them, in old space, and the collector and
 * every reader of those objects paid for it. These tests keep the run's path free of them.
 */
const dir = mkdtempSync(join(tmpdir(), 'dc-hidden-classes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a loop of 500 literals of the given form in a node of its own, under V8's map log. */
async function countLiterals(form: 'spread first' | 'property first') {
  const log = join(dir, `${form.replace(' ', '-')}.log`);
  const script = join(dir, `${form.replace(' ', '-')}.mjs`);
  const literal = form === 'spread first' ? '{ ...base(i), added: i }' : '{ added: i, ...base(i) }';
  writeFileSync(
    script,
    `const mark = (name) => { const marker = {}; marker[name] = 1; };
const base = (i) => ({ id: 'run-' + i, kind: 'connector', attempts: i });
const kept = [];
mark(${JSON.stringify(HIDDEN_CLASS_WINDOW_MARKERS.start)});
for (let i = 0; i < 500; i += 1) kept.push(${literal});
mark(${JSON.stringify(HIDDEN_CLASS_WINDOW_MARKERS.end)});
`,
  );
  execFileSync(process.execPath, [...hiddenClassLogFlags(log), script]);
  return countHiddenClasses(log);
}

describe('hidden classes per run (bench/support/hidden-classes.ts)', () => {
  it('finds the literal that makes one each time, and not its reordered twin', async () => {
    const spreadFirst = await countLiterals('spread first');
    expect(spreadFirst.created).toBeGreaterThanOrEqual(450);
    expect(spreadFirst.sites[0]).toMatchObject({
      what: 'Transition added',
      code: expect.stringContaining('spread-first.mjs'),
    });
    expect(spreadFirst.sites[0]!.count).toBeGreaterThanOrEqual(450);

    const propertyFirst = await countLiterals('property first');
    expect(propertyFirst.created).toBeLessThan(10);
  });

  it('a warm connector run makes none', async () => {
    const countFile = join(dir, 'server-count.json');
    const log = join(dir, 'server-v8.log');
    const runs = 600;
    const stack = await startBenchStack({
      serverEnv: {
        COUNT_WORK_FILE: countFile,
        COUNT_WORK_WARMUP: '300',
        COUNT_WORK_REQUESTS: String(runs),
      },
      serverNodeFlags: hiddenClassLogFlags(log),
    });
    try {
      let sequence = 0;
      while (!existsSync(countFile) && sequence < 3_000) {
        const batch = Array.from({ length: 20 }, () =>
          stack.runConnector(BENCH_CONNECTOR, 1 + (sequence++ % 500)),
        );
        expect(await Promise.all(batch)).not.toContain(false);
      }
      const counted = await countHiddenClasses(log);
      // A site that makes one in ten runs or more is the run's own code; a new connection or
      // a timer now and then makes a few, and those are not what this guards.
      const runSites = counted.sites.filter((site) => site.count >= runs / 10);
      expect(runSites).toEqual([]);
      expect(counted.created).toBeLessThan(runs / 2);
    } finally {
      await stack.close();
    }
  }, 120_000);
});
