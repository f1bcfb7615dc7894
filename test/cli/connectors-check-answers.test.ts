import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestRun } from '../../server/src/run-log/build-test-run';
import { runConnectorsCli, writeRunLog } from './cli-support';

/**
 * `npm run connectors -- check --ticket | --run | --response`: an admin whose runs all come back
 * "nothing found" reads the real answers with the connector's paths and sees which one is wrong.
 * The real CLI in a child process, with a run log and a config of its own.
 */

const dir = mkdtempSync(join(tmpdir(), 'dc-check-'));
const dataDir = join(dir, 'data');
const now = Date.now();
const at = (ms: number) => new Date(ms).toISOString();

const ORDER = {
  id: 450789469,
  name: '#1001',
  financial_status: 'paid',
  fulfillment_status: null,
  fulfillments: [{ tracking_number: '1Z999AA10123456784' }],
  total_price: '12.50',
  currency: 'EUR',
};
const answer = (body: unknown, status = 200) => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
  truncated: false,
});

const runs = {
  // The newest order lookup on ticket 1 found the order; an older one did not.
  found: buildTestRun({
    connectorId: 'shopify_order_lookup',
    startedAt: at(now - 60_000),
    target: { system: 'zendesk', type: 'ticket', id: '1' },
    response: answer({ orders: [ORDER] }),
  }),
  older: buildTestRun({
    connectorId: 'shopify_order_lookup',
    startedAt: at(now - 3_600_000),
    target: { system: 'zendesk', type: 'ticket', id: '1' },
    outcome: 'empty',
    response: answer({ orders: [] }),
  }),
  // Jira timed out on ticket 1: no answer to read.
  timedOut: buildTestRun({
    connectorId: 'jira_create_issue',
    startedAt: at(now - 30_000),
    target: { system: 'zendesk', type: 'ticket', id: '1' },
    outcome: 'failed',
    errorCode: 'UPSTREAM_TIMEOUT',
    response: { truncated: false },
  }),
  cut: buildTestRun({
    connectorId: 'shopify_order_lookup',
    startedAt: at(now - 10_000),
    target: { system: 'zendesk', type: 'ticket', id: '2' },
    response: { status: 200, body: '{"orders":[{"id":1,"name":"#10', truncated: true },
  }),
};

// The shipped config with the typo that makes every lookup "nothing found".
const typoConfig = join(dir, 'connectors.json');
writeFileSync(
  typoConfig,
  readFileSync('config/connectors.json', 'utf8')
    .replace('"path": "financial_status"', '"path": "financial_state"')
    .replace('"path": "join(\' \', [total_price, currency])"', '"path": "totl_price"')
    .replace('"path": "fulfillment_status || \'unfulfilled\'"', '"path": "fulfilment_status"')
    .replace(
      '"path": "fulfillments[0].tracking_number"',
      '"path": "fulfillments[0].tracking_numbr"',
    ),
);

beforeAll(async () => {
  mkdirSync(dataDir);
  await writeRunLog(dataDir, Object.values(runs));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const connectors = (...args: string[]) => runConnectorsCli(dataDir, ...args);

describe('connectors check --ticket', () => {
  it("reads each connector's latest answer on the ticket and shows what every path found", () => {
    const result = connectors('check', '--ticket', '1');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`shopify_order_lookup, against run ${runs.found.id}`);
    expect(result.out).not.toContain(runs.older.id);
    expect(result.out).toMatch(/outputs\.payment_status {2}financial_status\n {6}= "paid"\n/);
    expect(result.out).toMatch(/outputs\.tracking_number .*\n {6}= "1Z999AA10123456784"/);
    expect(result.out).toContain('outcome: success');
    // Jira had no answer, and the others never ran here.
    expect(result.out).toContain('no answer was recorded (UPSTREAM_TIMEOUT)');
    expect(result.out).toMatch(
      /No answer from these on ticket 1 in the last 7 days: .*zendesk_create_followup/,
    );
  });

  it('shows which path of a mistyped config found nothing, and why the run was empty', () => {
    const result = connectors(
      'check',
      typoConfig,
      '--ticket',
      '1',
      '--connector',
      'shopify_order_lookup',
    );
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/outputs\.payment_status {2}financial_state\n {6}= nothing\n/);
    expect(result.out).toContain(
      'outcome: empty (nothing found): no output path found a value in the answer: payment_status (financial_state)',
    );
  });

  it('says so when the log kept only the start of an answer, or there is none to read', () => {
    const cut = connectors('check', '--ticket', '2');
    expect(cut.out).toContain('the run log kept only the start of this answer');
    const none = connectors('check', '--ticket', '99');
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^No answer to read on ticket or record 99/);
  });
});

describe('connectors check --run and --response', () => {
  it("reads one run's answer", () => {
    const result = connectors('check', '--run', runs.older.id);
    expect(result.code).toBe(0);
    expect(result.out).toContain('= true, so the run is "nothing found" and nothing below is read');
    expect(result.out).toContain(
      'outcome: empty (nothing found): response.emptyWhen (length(orders) == `0`) was true for the answer',
    );
  });

  it('reads a saved answer with any status', () => {
    const file = join(dir, 'answer.json');
    writeFileSync(file, JSON.stringify({ errors: 'Not Found' }));
    const result = connectors(
      'check',
      '--response',
      file,
      '--connector',
      'shopify_order_lookup',
      '--status',
      '404',
    );
    expect(result.code).toBe(0);
    expect(result.out).toContain('HTTP 404: in response.emptyStatus');
    const failed = connectors(
      'check',
      '--response',
      file,
      '--connector',
      'shopify_order_lookup',
      '--status',
      '500',
    );
    expect(failed.out).toMatch(
      /outcome: failed, UPSTREAM_HTTP_ERROR: the API answered 500: Not Found/,
    );
  });

  it('answers mistakes in one line, never a stack trace', () => {
    const unknown = connectors('check', '--ticket', '1', '--connector', 'shopify_order_lokup');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^There is no connector "shopify_order_lokup" in the config/);
    const both = connectors('check', '--ticket', '1', '--run', runs.found.id);
    expect(both.code).toBe(2);
    expect(both.err.split('\n')[0]).toBe(
      'connectors check: give one of --ticket (or --record), --run and --response',
    );
    const missing = connectors(
      'check',
      '--response',
      join(dir, 'nope.json'),
      '--connector',
      'shopify_order_lookup',
    );
    expect(missing.err).toMatch(/^Cannot read .*nope\.json: ENOENT/);
    for (const result of [unknown, both, missing]) expect(result.err).not.toMatch(/\n\s+at /);
  });
});
