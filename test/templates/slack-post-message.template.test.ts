import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import {
  SLACK_BOT_TOKEN,
  SLACK_CHANNEL,
  SLACK_TS,
  startSlackFixture,
} from './fixtures/slack-fixture';
import type { FixtureServer } from './support/start-fixture-server';
import { startTemplateStack } from './support/start-template-stack';
import type { TemplateStack } from './support/start-template-stack';

/** Posting a ticket to Slack with chat.postMessage, against Slack's documented answers. */

const TS_FIELD = String(SANDBOX_FIELD_IDS.trackingNumber);

let fixture: FixtureServer;
let added: TemplateStack;
let wrongChannel: TemplateStack;

const startStack = (channel: string) =>
  startTemplateStack({
    templateId: 'slack_post_message',
    fixtureBaseUrl: fixture.baseUrl,
    choices: { values: { channel_id: channel, ts_field: TS_FIELD } },
    secrets: { SLACK_BOT_TOKEN },
  });

beforeAll(async () => {
  fixture = await startSlackFixture();
  added = await startStack(SLACK_CHANNEL);
  wrongChannel = await startStack('C9999999999');
});
afterAll(async () => {
  await added?.close();
  await wrongChannel?.close();
  await fixture?.close();
});
afterEach(() => {
  fixture.setMode('normal');
  added.stack.zendesk.store.reset();
});

describe('template slack_post_message', () => {
  it('posts the documented body, records the message ts, and is not offered twice', async () => {
    const res = await added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: `Posted to Slack (message ${SLACK_TS}).`,
      writes: { status: 'written' },
    });
    const ticket = added.stack.ticket(1);
    expect(ticket.tags).toContain('slack_posted');
    expect(ticket.customFields[TS_FIELD]).toBe(SLACK_TS);

    const sent = fixture.journal.at(-1);
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/api/chat.postMessage',
      headers: {
        authorization: `Bearer ${SLACK_BOT_TOKEN}`,
        'content-type': 'application/json; charset=utf-8',
      },
    });
    expect(sent?.body).toEqual({
      channel: SLACK_CHANNEL,
      text: 'Ticket #1: Where is my order #1001?',
    });

    const before = fixture.journal.length;
    const again = await added.runOnTicket(1);
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ error: { code: 'CONNECTOR_NOT_APPLICABLE' } });
    expect(fixture.journal.length).toBe(before);
  });

  it('follows the fail path with a clear message when Slack answers channel_not_found', async () => {
    const res = await wrongChannel.runOnTicket(2);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_REPORTED_ERROR',
        message: 'the API answered 200 but reported an error: channel_not_found',
      },
      message:
        'Slack did not post the message (the API answered 200 but reported an error: channel_not_found). Ask an admin to check the channel ID and that the app was invited to the channel.',
    });
    expect(wrongChannel.stack.ticket(2).tags).not.toContain('slack_posted');
    const logged = await request(wrongChannel.stack.url)
      .get(`/api/runs/${String(res.body.runId)}`)
      .set(wrongChannel.stack.adminAuth);
    expect(logged.body.run).toMatchObject({
      errorCode: 'UPSTREAM_REPORTED_ERROR',
      upstreamError: 'channel_not_found',
    });
  });

  it('follows the fail path when Slack answers invalid_auth with HTTP 200', async () => {
    fixture.setMode('unauthorized');
    const res = await added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_REPORTED_ERROR' },
      message:
        "Slack refused the server's bot token. Ask an admin to check the SLACK_BOT_TOKEN secret and the chat:write scope.",
    });
    expect(added.stack.ticket(1).tags).not.toContain('slack_posted');
  });

  it('follows the fail path on a 429 without posting again', async () => {
    fixture.setMode('rateLimited');
    const before = fixture.journal.length;
    const res = await added.runOnTicket(1);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR' },
      message: 'Slack is rate limiting the server. Try again in a minute.',
    });
    // A POST is not retried: a second message must never be the price of a retry.
    expect(fixture.journal.length - before).toBe(1);
  });
});
