import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTestCommand } from '../../server/src/cli/test-command';
import { startTestStack, TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { nodeArgsFor } from '../support/entry-bundle';

/**
 * `npm run connectors -- test`: the console's test from the shell, against the running server.
 * The real CLI runs in a child process (asynchronously: the server under test is in this one).
 */

const run = promisify(execFile);
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.close();
});

async function cli(...args: string[]) {
  return cliCommand('test', ...args);
}

/** Any command of the real CLI, in a child process, asking the test server. */
async function cliCommand(command: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: stack.dataDir,
    SERVER_URL: stack.url,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
  };
  for (const name of Object.keys(env)) {
    if (/^(ZENDESK|SALESFORCE|CONNECTORS_CONFIG)/.test(name)) delete env[name];
  }
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [...nodeArgsFor('server/src/cli/connectors-cli.ts'), command, ...args],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

describe('connectors test', () => {
  it('prints the inputs and the request it would send, secrets masked, and sends nothing', async () => {
    const before = stack.upstream.journal.length;
    const result = await cli('shopify_order_lookup', '--ticket', '1');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      'Order number (order_number) = #1001   from ticket.custom_fields.360001000001',
    );
    expect(result.out).toMatch(
      /Request \(not sent\)\n {2}GET http:\/\/[^\n]*orders\.json\?name=%231001/,
    );
    expect(result.out).toContain('[secret]');
    expect(result.out).not.toContain('sandbox-shopify-token');
    expect(stack.upstream.journal.length).toBe(before);
  });

  it('reads a saved answer with --response and shows the write-back with Zendesk field names', async () => {
    const file = join(stack.dataDir, 'answer.json');
    writeFileSync(
      file,
      JSON.stringify({
        orders: [{ financial_status: 'refunded', fulfillments: [], customer: { email: 'a@b.c' } }],
      }),
    );
    const result = await cli('shopify_order_lookup', '--ticket', '1', '--response', file);
    expect(result.code).toBe(0);
    expect(result.out).toContain('outputs.payment_status (financial_status) → refunded');
    expect(result.out).toContain('Other outputs this answer offers (add to "response.outputs"):');
    expect(result.out).toContain(
      '  {"name":"customer_email","label":"Customer email","path":"customer.email"}   e.g. a@b.c\n',
    );
    // The paths it already reads are not offered again.
    expect(result.out).not.toContain('"path":"financial_status"');
    expect(result.out).toContain('Payment status (custom_fields.360001000002) = refunded');
    expect(result.out).toContain('(not written: this is a test)');
  });

  it('asks before sending a connector that changes data, and sends nothing on no', async () => {
    const before = stack.upstream.journal.length;
    const questions: string[] = [];
    const output = await runTestCommand(['jira_create_issue', '--ticket', '2', '--send'], {
      serverUrl: stack.url,
      adminToken: TEST_ADMIN_TOKEN,
      confirm: async (question) => {
        questions.push(question);
        return false;
      },
    });
    expect(output.code).toBe(1);
    expect(output.stderr).toBe('Not sent.\n');
    expect(questions[0]).toMatch(/may change data in another system[\s\S]*Send it\? \[y\/N\]/);
    expect(stack.upstream.journal.length).toBe(before);
  });

  it('sends with --send --yes, and says which dry run recorded it', async () => {
    const result = await cli('shopify_order_lookup', '--ticket', '1', '--send', '--yes');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Request (sent)');
    expect(result.out).toMatch(/Recorded as run_[0-9a-zA-Z_-]+ \(a dry run\)\./);
  });

  it('answers usage errors with exit code 2, and a refusal with 1', async () => {
    expect((await cli('shopify_order_lookup')).code).toBe(2);
    expect((await cli('shopify_order_lookup', '--ticket', '1', '--record', 'x')).code).toBe(2);
    const missing = await cli('no_such_connector', '--ticket', '1');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('CONNECTOR_NOT_FOUND');
  });
});

describe('connectors backfill, from the shell', () => {
  it('answers a dry run through the running server and starts nothing', async () => {
    const result = await cliCommand(
      'backfill',
      'shopify_order_lookup',
      '--search',
      'tags:order',
      '--dry-run',
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/\d+ ticket\(s\) match/);
    const listed = await fetch(`${stack.url}/api/admin/backfills`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(((await listed.json()) as { backfills: unknown[] }).backfills).toEqual([]);
  });

  it('refuses a backfill without a query, with the usage', async () => {
    const result = await cliCommand('backfill', 'shopify_order_lookup');
    expect(result.code).not.toBe(0);
    expect(result.err).toMatch(/--search|--soql/);
  });
});
