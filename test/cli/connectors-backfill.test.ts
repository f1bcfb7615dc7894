import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatProgressLine,
  runBackfillCommand,
  sanitizeForTerminal,
} from '../../server/src/cli/backfill-command';
import type { BackfillCommandDeps } from '../../server/src/cli/backfill-command';
import type { BackfillProgress } from '../../server/src/backfills/backfill-service';
import { BACKFILL_SEARCH, seedTickets } from '../support/backfill-tickets';
import { startTestStack, TEST_ADMIN_TOKEN } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * `connectors backfill` against a running test server, in process (the command is a function
 * of its arguments and a fetch; connectors-cli.ts only hands it the terminal).
 */

let stack: TestStack;
let ids: number[];

beforeAll(async () => {
  stack = await startTestStack({ env: { workflowConcurrency: 8 } });
  ids = seedTickets(stack, 30, [4]);
});
afterAll(async () => stack.close());

function terminal(isTty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: BackfillCommandDeps = {
    serverUrl: stack.url,
    adminToken: TEST_ADMIN_TOKEN,
    confirm: async () => false,
    write: (text) => out.push(text),
    writeError: (text) => err.push(text),
    isTty,
    pollMs: 50,
  };
  return { deps, out: () => out.join(''), err: () => err.join('') };
}

describe('connectors backfill', () => {
  it('counts and shows the first requests on a dry run, and starts nothing', async () => {
    const shell = terminal();
    const code = await runBackfillCommand(
      ['shopify_order_lookup', '--search', BACKFILL_SEARCH, '--dry-run'],
      shell.deps,
    );
    expect(code).toBe(0);
    expect(shell.out()).toContain('30 ticket(s) match');
    expect(shell.out()).toContain(`ticket ${ids[0]}: GET `);
    await expect(stack.server.workflows.queue.countByState()).resolves.toMatchObject({ queued: 0 });
  });

  it('runs, prints progress lines, and ends with the failures and how to re-run them', async () => {
    const shell = terminal();
    const code = await runBackfillCommand(
      ['shopify_order_lookup', '--search', BACKFILL_SEARCH, '--yes'],
      shell.deps,
    );
    expect(shell.err()).toBe('');
    expect(code).toBe(1);
    const output = shell.out();
    expect(output).toMatch(/Started backfill bf_/);
    expect(output).toMatch(/\[#+\] 30\/30 {2}[\d.]+\/s {2}done {2}1 failed/);
    expect(output).toContain(`ticket ${ids[4]}  `);
    const id = /Started backfill (bf_\w+)/.exec(output)?.[1] as string;
    expect(output).toContain(`npm run connectors -- backfill --retry-failed ${id}`);
  });

  it("ends with Zendesk's reason and how to resume when the query stops holding", async () => {
    // The dry run's first page goes through; the backfill's own is refused.
    stack.zendesk.faults.enqueue({ pathPattern: '/search/export', delayMs: 1 });
    stack.zendesk.faults.enqueue({
      pathPattern: '/search/export',
      status: 400,
      body: { error: 'InvalidSearchQuery', description: 'Unknown field: custom_field_360' },
    });
    const shell = terminal();
    const code = await runBackfillCommand(
      ['shopify_order_lookup', '--search', BACKFILL_SEARCH, '--yes'],
      shell.deps,
    );
    expect(code).toBe(1);
    const output = shell.out();
    const id = /Started backfill (bf_\w+)/.exec(output)?.[1] as string;
    expect(output).toMatch(/\] 0\/0 {2}[\d.]+\/s {2}query refused\n/);
    expect(output).toMatch(
      /^Why: The Zendesk helpdesk refused the backfill's query: .*custom_field_360/m,
    );
    expect(output).toContain(`npm run connectors -- backfill --resume ${id}`);
  });

  it('refuses a query of both kinds before asking the server', async () => {
    const shell = terminal();
    const code = await runBackfillCommand(
      ['shopify_order_lookup', '--search', 'x', '--soql', 'SELECT Id FROM Case'],
      shell.deps,
    );
    expect(code).toBe(2);
    expect(shell.err()).toContain('give --search');
  });
});

describe('the progress line', () => {
  const progress: BackfillProgress = {
    id: 'bf_01JA0000000000000000000000',
    connectorId: 'c',
    system: 'zendesk',
    query: { kind: 'search', text: 'x' },
    state: 'running',
    enumerated: false,
    total: 200,
    found: 120,
    counts: { queued: 20, running: 0, completed: 98, dead: 2 },
    processed: 100,
    succeeded: 98,
    failed: 2,
    ratePerSecond: 12.5,
    etaSeconds: 8,
    createdAt: '',
    updatedAt: '',
    finishedAt: null,
    error: null,
  };

  it('shows done/total, the rate and the time left', () => {
    expect(formatProgressLine(progress, 10)).toBe(
      '[#####.....] 100/200  12.5/s  ETA 0:08  2 failed',
    );
  });

  it('says the query was refused rather than a time left', () => {
    expect(formatProgressLine({ ...progress, state: 'failed' }, 10)).toBe(
      '[#####.....] 100/200  12.5/s  query refused  2 failed',
    );
  });

  it('never lets a ticket value drive the terminal', () => {
    expect(sanitizeForTerminal('a\u001b[2Jb\rc')).toBe('a?[2Jb?c');
  });
});
