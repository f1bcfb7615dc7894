import { describe, expect, it } from 'vitest';
import { composeAlertEmail, composeSlackMessage } from './alert-notice';
import type { AlertNotice } from './alert-notice';

const FAILING: AlertNotice = {
  kind: 'failing',
  connectorId: 'order_lookup',
  connectorName: 'Order lookup',
  reason: '3 failures in a row',
  at: '2026-01-07T09:30:00.000Z',
  lastFailure: {
    runId: 'run_01KE0000000000000000000000',
    errorCode: 'UPSTREAM_RETRIES_EXHAUSTED',
    message: 'The other system is busy or having trouble. Try again in a minute.',
    at: '2026-01-07T09:29:58.000Z',
  },
  paused: false,
  logsUrl: 'https://connectors.acme.test/admin#/logs?connectorId=order_lookup',
};

describe('the alert email', () => {
  it('says which connector fails, by which rule, with the last error, the time and the logs link', () => {
    const email = composeAlertEmail(FAILING);
    expect(email.subject).toBe('[Data Connectors] "Order lookup" is failing: 3 failures in a row');
    expect(email.text).toContain('Connector "Order lookup" (order_lookup) is failing.');
    expect(email.text).toContain('Rule: 3 failures in a row');
    expect(email.text).toContain('Since: 2026-01-07 09:30:00 UTC');
    expect(email.text).toContain(
      'Last error: UPSTREAM_RETRIES_EXHAUSTED: The other system is busy or having trouble. Try again in a minute. (run run_01KE0000000000000000000000, 2026-01-07 09:29:58 UTC)',
    );
    expect(email.text).toContain(
      'Its runs: https://connectors.acme.test/admin#/logs?connectorId=order_lookup',
    );
    expect(email.text).not.toContain('paused');
  });

  it('tells how to resume a connector it paused', () => {
    const email = composeAlertEmail({ ...FAILING, paused: true });
    expect(email.text).toContain('The connector is paused');
    expect(email.text).toContain('POST /api/admin/connectors/order_lookup/resume');
  });

  it('says when it recovered and since when it had been failing', () => {
    const email = composeAlertEmail({
      ...FAILING,
      kind: 'recovered',
      at: '2026-01-07T10:00:00.000Z',
      since: '2026-01-07T09:30:00.000Z',
    });
    expect(email.subject).toBe('[Data Connectors] "Order lookup" has recovered');
    expect(email.text).toContain('a run succeeded at 2026-01-07 10:00:00 UTC');
    expect(email.text).toContain(
      'It had been failing since 2026-01-07 09:30:00 UTC (3 failures in a row).',
    );
  });

  it('keeps a connector name with a line break on one subject line', () => {
    const email = composeAlertEmail({ ...FAILING, connectorName: 'Order\r\nBcc: x@evil.test' });
    expect(email.subject).toBe(
      '[Data Connectors] "Order Bcc: x@evil.test" is failing: 3 failures in a row',
    );
  });
});

describe('the Slack message', () => {
  it('has a text fallback and blocks: a header, the facts, and the logs link', () => {
    const message = composeSlackMessage(FAILING);
    expect(message.text).toBe('[Data Connectors] "Order lookup" is failing: 3 failures in a row');
    expect(message.blocks).toEqual([
      {
        type: 'header',
        text: {
          type: 'plain_text',
          text: ':red_circle: "Order lookup" is failing: 3 failures in a row',
          emoji: true,
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            '*Connector:* Order lookup (`order_lookup`)',
            '*Rule:* 3 failures in a row',
            '*Since:* 2026-01-07 09:30:00 UTC',
            '*Last error:* UPSTREAM_RETRIES_EXHAUSTED: The other system is busy or having trouble. Try again in a minute. (run run_01KE0000000000000000000000, 2026-01-07 09:29:58 UTC)',
          ].join('\n'),
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: '<https://connectors.acme.test/admin#/logs?connectorId=order_lookup|Runs of this connector>',
          },
        ],
      },
    ]);
  });

  it('escapes what Slack would read as markup, so a name cannot ping a channel', () => {
    const message = composeSlackMessage({ ...FAILING, connectorName: 'Orders <!channel> & co' });
    // Slack reads markup in `text` and in mrkdwn; the header is plain_text, shown as written.
    const marked = [
      message.text,
      ...message.blocks
        .filter((block) => block.type !== 'header')
        .map((block) => JSON.stringify(block)),
    ];
    for (const text of marked) expect(text).not.toContain('<!channel>');
    expect(message.text).toContain('Orders &lt;!channel&gt; &amp; co');
  });

  it('keeps the header within the 150 characters Slack accepts', () => {
    const message = composeSlackMessage({ ...FAILING, connectorName: 'x'.repeat(200) });
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
  });
});

const BACKFILL: AlertNotice = {
  ...FAILING,
  subject: 'backfill',
  backfillId: 'bf_01KE0000000000000000000001',
  // The helpdesk's answer, which may hold what an admin typed, markup and line breaks.
  reason:
    "The Salesforce helpdesk refused the backfill's query: \nNo such column 'Tier__c' <!channel>",
  lastFailure: undefined,
  logsUrl: 'https://connectors.acme.test/admin#/backfills/bf_01KE0000000000000000000001',
};

describe('the notice of a failed backfill', () => {
  it('says which backfill failed, why, when, how to resume it, and where it is', () => {
    const email = composeAlertEmail(BACKFILL);
    expect(email.subject).toBe('[Data Connectors] A backfill of "Order lookup" failed');
    expect(email.text).toContain(
      'Backfill bf_01KE0000000000000000000001 of connector "Order lookup" (order_lookup) failed: the helpdesk refused its query.',
    );
    expect(email.text).toContain(
      "Why: The Salesforce helpdesk refused the backfill's query: No such column 'Tier__c' <!channel>",
    );
    expect(email.text).toContain('At: 2026-01-07 09:30:00 UTC');
    expect(email.text).toContain(
      'npm run connectors -- backfill --resume bf_01KE0000000000000000000001',
    );
    expect(email.text).toContain(`The backfill: ${BACKFILL.logsUrl}`);
  });

  it('goes to Slack with the backfill, the reason escaped, and the link to it', () => {
    const message = composeSlackMessage(BACKFILL);
    expect(message.text).toBe('[Data Connectors] A backfill of "Order lookup" failed');
    const body = JSON.stringify(message.blocks);
    expect(body).toContain('*Backfill:* `bf_01KE0000000000000000000001`');
    expect(body).toContain("No such column 'Tier__c' &lt;!channel&gt;");
    expect(body).not.toContain('<!channel>');
    expect(body).toContain('--resume bf_01KE0000000000000000000001');
    expect(body).toContain(`<${BACKFILL.logsUrl}|The backfill in the console>`);
  });
});

describe('the notice of a finished backfill', () => {
  const FINISHED: AlertNotice = {
    ...BACKFILL,
    kind: 'finished',
    reason: '250 matches ran: 247 completed, 3 failed',
  };

  it('says which backfill finished, what its runs came to, when, and where it is', () => {
    const email = composeAlertEmail(FINISHED);
    expect(email.subject).toBe('[Data Connectors] A backfill of "Order lookup" finished');
    expect(email.text).toContain(
      'Backfill bf_01KE0000000000000000000001 of connector "Order lookup" (order_lookup) finished: 250 matches ran: 247 completed, 3 failed.',
    );
    expect(email.text).toContain('At: 2026-01-07 09:30:00 UTC');
    expect(email.text).toContain(`The backfill and the runs that failed: ${FINISHED.logsUrl}`);
    // Nothing to resume: it did not fail.
    expect(email.text).not.toContain('--resume');
  });

  it('goes to Slack as finished, with its runs and no advice to resume', () => {
    const message = composeSlackMessage(FINISHED);
    expect(message.text).toBe('[Data Connectors] A backfill of "Order lookup" finished');
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text).toBe(':white_check_mark: A backfill of "Order lookup" finished');
    const body = JSON.stringify(message.blocks);
    expect(body).toContain('*Runs:* 250 matches ran: 247 completed, 3 failed');
    expect(body).toContain('*At:* 2026-01-07 09:30:00 UTC');
    expect(body).not.toContain('--resume');
    expect(body).toContain(`<${FINISHED.logsUrl}|The backfill in the console>`);
  });
});
