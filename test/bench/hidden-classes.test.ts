import { execFileSync } from 'node:child_process';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BENCH_AGENT_CONNECTOR,
  BENCH_AGENT_TOOL,
  BENCH_CONNECTOR,
} from '../../bench/support/bench-config';
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

const LITERALS = {
  'spread first': '{ ...base(i), added: i }',
  'key first': '{ added: i, ...base(i) }',
  // A key no object had before, each time: a new hidden class on every V8.
  'new key each time': '{ ...base(i), ["added" + i]: i }',
} as const;

/** Runs a loop of 500 literals of the given form in a node of its own, under V8's map log. */
async function countLiterals(form: keyof typeof LITERALS) {
  const name = form.replaceAll(' ', '-');
  const log = join(dir, `${name}.log`);
  const script = join(dir, `${name}.mjs`);
  const literal = LITERALS[form];
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
  it('counts the hidden classes made between the marks, and where', async () => {
    const counted = await countLiterals('new key each time');
    expect(counted.created).toBeGreaterThanOrEqual(500);
    expect(counted.sites[0]).toMatchObject({
      code: expect.stringContaining('new-key-each-time.mjs'),
    });
  });

  // V8 11 (Node 20) is the engine this was found on; a later one may share these classes.
  it.runIf(process.versions.v8.startsWith('11.'))(
    "finds V8 11's new class for a literal that starts with a spread, not for its twin",
    async () => {
      const spreadFirst = await countLiterals('spread first');
      expect(spreadFirst.sites[0]).toMatchObject({
        what: 'Transition added',
        code: expect.stringContaining('spread-first.mjs'),
      });
      expect(spreadFirst.sites[0]!.count).toBeGreaterThanOrEqual(450);
      expect((await countLiterals('key first')).created).toBeLessThan(10);
    },
  );

  it('a warm connector run makes none', async () => {
    const runs = 600;
    const { stack, countUntilWindowEnds } = await startCountingStack('connector', runs);
    try {
      const counted = await countUntilWindowEnds(async (sequence) => {
        expect(await stack.runConnector(BENCH_CONNECTOR, 1 + (sequence % 500))).toBe(true);
      });
      // A site that makes one in ten runs or more is the run's own code; a new connection or
      // a timer now and then makes a few, and those are not what this guards.
      const runSites = counted.sites.filter((site) => site.count >= runs / 10);
      expect(runSites).toEqual([]);
      expect(counted.created).toBeLessThan(runs / 2);
    } finally {
      await stack.close();
    }
  }, 120_000);

  it("a warm MCP tool call makes none in the server's own code", async () => {
    const calls = 600;
    const { stack, countUntilWindowEnds } = await startCountingStack('mcp', calls);
    const client = new Client({ name: 'hidden-classes', version: '1.0.0' });
    try {
      const created = await fetch(`${stack.serverUrl}/api/admin/agent-keys`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.adminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'Hidden classes', connectorIds: [BENCH_AGENT_CONNECTOR] }),
      });
      expect(created.status).toBe(201);
      const { key } = (await created.json()) as { key: string };
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${stack.serverUrl}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${key}` } },
        }),
      );
      const counted = await countUntilWindowEnds(async (sequence) => {
        const result = await client.callTool({
          name: BENCH_AGENT_TOOL,
          arguments: { ticket_id: String(1 + (sequence % 500)) },
        });
        expect(result.isError).toBe(false);
      });
      // The SDK builds a server per request, and Node's AbortSignal, web streams and builtins make
      // a few classes on every call (about 26 a call on Node 20). This guards what the server's
      // own code (the bundle's file:// URLs) makes: until 12-07 it described every tool afresh
      // on every request.
      const ownSites = counted.sites.filter(
        (site) =>
          site.count >= calls / 10 &&
          site.code.includes('file://') &&
          !site.code.includes('/node_modules/'),
      );
      expect(ownSites).toEqual([]);
    } finally {
      await client.close();
      await stack.close();
    }
  }, 120_000);
});

/**
 * A benchmark stack whose server logs V8's maps and marks a window from its 300th request to
 * `requests` later. `countUntilWindowEnds` sends requests 20 at a time (at most 3,000) until
 * the server has written the window's end, then counts the hidden classes made inside it.
 */
async function startCountingStack(name: string, requests: number) {
  const countFile = join(dir, `${name}-count.json`);
  const log = join(dir, `${name}-v8.log`);
  const stack = await startBenchStack({
    serverEnv: {
      COUNT_WORK_FILE: countFile,
      COUNT_WORK_WARMUP: '300',
      COUNT_WORK_REQUESTS: String(requests),
    },
    serverNodeFlags: hiddenClassLogFlags(log),
  });
  const countUntilWindowEnds = async (send: (sequence: number) => Promise<void>) => {
    let sequence = 0;
    while (!existsSync(countFile) && sequence < 3_000) {
      await Promise.all(Array.from({ length: 20 }, () => send(sequence++)));
    }
    return countHiddenClasses(log);
  };
  return { stack, countUntilWindowEnds };
}
