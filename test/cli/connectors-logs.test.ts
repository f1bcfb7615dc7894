import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestRun } from '../../server/src/run-log/build-test-run';
import { runConnectorsCli, writeRunLog } from './cli-support';

/**
 * `npm run connectors -- logs | show` as an admin runs it the morning after: the real CLI in a
 * child process, reading a run log in a data folder of its own.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dc-cli-'));
const HOUR = 60 * 60 * 1000;
const startOfToday = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR;
const at = (ms: number) => new Date(ms).toISOString();

// Yesterday's failed Jira run on ticket 4, today's order lookups, and one from three days ago.
const runs = [
  buildTestRun({
    connectorId: 'jira_create_issue',
    startedAt: at(startOfToday - 14 * HOUR),
    target: { system: 'zendesk', type: 'ticket', id: '4' },
    outcome: 'failed',
    errorCode: 'UPSTREAM_TIMEOUT',
    message: 'Jira did not answer within 10000 ms',
  }),
  buildTestRun({
    connectorId: 'shopify_order_lookup',
    startedAt: at(startOfToday + 1 * HOUR),
    target: { system: 'zendesk', type: 'ticket', id: '1' },
  }),
  buildTestRun({
    connectorId: 'shopify_order_lookup',
    startedAt: at(startOfToday - 3 * 24 * HOUR),
    target: { system: 'zendesk', type: 'ticket', id: '2' },
    outcome: 'empty',
  }),
];

beforeAll(async () => {
  await writeRunLog(dataDir, runs);
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const connectors = (...args: string[]) => runConnectorsCli(dataDir, ...args);

const idsIn = (out: string) => runs.filter((run) => out.includes(run.id)).map((run) => run.id);

describe('connectors logs', () => {
  it("finds yesterday's failure by time and outcome, across connectors", () => {
    const result = connectors('logs', '--since', 'yesterday', '--until', 'today', '--failed');
    expect(result.code).toBe(0);
    expect(idsIn(result.out)).toEqual([runs[0]?.id]);
    expect(result.out).toContain('UPSTREAM_TIMEOUT');
  });

  it('exports the matching runs as CSV and as NDJSON', () => {
    const csv = connectors('logs', 'shopify_order_lookup', '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.out.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,startedAt,kind,what,/);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([runs[1]?.id, runs[2]?.id]);
    const ndjson = connectors('logs', '--failed', '--format', 'ndjson');
    expect(
      ndjson.out
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).toEqual([runs[0]?.id]);
  });

  it('finds runs by error code', () => {
    const result = connectors('logs', '--error-code', 'UPSTREAM_TIMEOUT', '--since', '2026-01-01');
    expect(result.code).toBe(0);
    expect(idsIn(result.out)).toEqual([runs[0]?.id]);
    expect(connectors('logs', '--error-code', 'UPSTREAM_HTTP_ERROR').out).toMatch(/No runs match/);
  });

  it("filters one connector's runs by ticket and by date", () => {
    expect(idsIn(connectors('logs', 'shopify_order_lookup').out)).toEqual([
      runs[1]?.id,
      runs[2]?.id,
    ]);
    expect(idsIn(connectors('logs', 'shopify_order_lookup', '--ticket', '2').out)).toEqual([
      runs[2]?.id,
    ]);
    expect(idsIn(connectors('logs', 'shopify_order_lookup', '--since', 'today').out)).toEqual([
      runs[1]?.id,
    ]);
  });

  it('says when a connector id is not in the config, and when nothing matches', () => {
    const unknown = connectors('logs', 'shopify_order_lokup');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(
      /There is no connector "shopify_order_lokup" in .*connectors\.json/,
    );
    const none = connectors('logs', 'jira_create_issue', '--outcome', 'success');
    expect(none.code).toBe(0);
    expect(none.out).toMatch(/No runs of jira_create_issue match/);
  });

  it('answers an unknown option with one line and the usage, never a stack trace', () => {
    const result = connectors('logs', '--sinse', 'yesterday');
    expect(result.code).toBe(2);
    expect(result.err.split('\n')[0]).toMatch(/^connectors logs: Unknown option '--sinse'/);
    expect(result.err).toContain('usage:');
    expect(result.err).not.toMatch(/\n\s+at /);
  });
});

describe('connectors show', () => {
  it('prints one run in full, as the run log holds it', () => {
    const result = connectors('show', runs[0]?.id ?? '');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual(runs[0]);
  });

  it('says when there is no such run', () => {
    const missing = connectors('show', 'run_01M8XP6PCH64BEC6Q8GSQ420PT');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/There is no run run_01M8XP6PCH64BEC6Q8GSQ420PT/);
    expect(connectors('show', 'nope').code).toBe(2);
  });
});
