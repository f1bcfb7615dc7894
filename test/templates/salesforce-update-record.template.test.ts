import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectOAuth } from '../support/connect-oauth';
import { signInToConsole } from '../support/console-session';
import { FAKE_CLIENT, startFakeAuthorizationServer } from '../support/fake-authorization-server';
import type { FakeAuthorizationServer } from '../support/fake-authorization-server';
import {
  SALESFORCE_FIXTURE_CASE,
  startSalesforceApiFixture,
} from './fixtures/salesforce-api-fixture';
import type { SalesforceApiFixture } from './fixtures/salesforce-api-fixture';
import { startTemplateStack } from './support/start-template-stack';
import type { TemplateStack } from './support/start-template-stack';

/**
 * Salesforce as an upstream: a Zendesk ticket's status written to the Case it names, over an
 * OAuth authorization code connection connected from the console (the fake authorization server
 * stands in for login.salesforce.com).
 */

let auth: FakeAuthorizationServer;
let salesforce: SalesforceApiFixture;
let added: TemplateStack;

beforeAll(async () => {
  auth = await startFakeAuthorizationServer();
  salesforce = await startSalesforceApiFixture(auth);
  added = await startTemplateStack({
    templateId: 'salesforce_update_record',
    fixtureBaseUrl: salesforce.baseUrl,
    choices: {
      values: {
        instance_url: 'https://acme.my.salesforce.com',
        record_id_field: '360001000001',
        status_field: 'Zendesk_Status__c',
        ticket_id_field: 'Zendesk_Ticket_Id__c',
      },
    },
    secrets: { SALESFORCE_CLIENT_ID: FAKE_CLIENT.id, SALESFORCE_CLIENT_SECRET: FAKE_CLIENT.secret },
    stackOptions: {
      env: { tokenEncryption: { key: randomBytes(32), previous: [], sandboxDefault: false } },
    },
    editConnection: (connection) => {
      const oauth = connection.auth as Record<string, unknown>;
      expect(oauth.authorizeUrl).toBe('https://login.salesforce.com/services/oauth2/authorize');
      oauth.authorizeUrl = `${auth.url}/authorize`;
      oauth.tokenUrl = `${auth.url}/token`;
    },
  });
  const admin = await signInToConsole(added.stack);
  await connectOAuth(added.stack, auth, 'salesforce_api', admin);
});
afterAll(async () => {
  await added?.close();
  await salesforce?.close();
  await auth?.close();
});
afterEach(() => {
  salesforce.setMode('normal');
  added.stack.zendesk.store.reset();
});

describe('template salesforce_update_record', () => {
  it('writes the ticket status and id to the Case with one PATCH, and tags the ticket', async () => {
    const res = await added.runOnTicket(1, { record_id: SALESFORCE_FIXTURE_CASE });
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: `Salesforce Case ${SALESFORCE_FIXTURE_CASE} now shows the ticket as open.`,
    });
    expect(salesforce.journal.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/services/data/v62.0/sobjects/Case/${SALESFORCE_FIXTURE_CASE}`,
      body: { Zendesk_Status__c: 'open', Zendesk_Ticket_Id__c: '1' },
    });
    expect(salesforce.records.get(SALESFORCE_FIXTURE_CASE)).toMatchObject({
      Zendesk_Status__c: 'open',
      Zendesk_Ticket_Id__c: '1',
    });
    expect(added.stack.ticket(1).tags).toContain('salesforce_synced');
  });

  it('is "empty" for a record id Salesforce does not have, and tags the ticket so', async () => {
    const res = await added.runOnTicket(2, { record_id: '500SB0000000099AAA' });
    expect(res.body).toMatchObject({
      outcome: 'empty',
      message: 'Salesforce has no Case 500SB0000000099AAA.',
    });
    expect(added.stack.ticket(2).tags).toContain('salesforce_record_missing');
  });

  it('follows the fail path on an expired session (after one refresh) and on the daily API limit', async () => {
    salesforce.setMode('unauthorized');
    const refreshes = () =>
      auth.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;
    const before = refreshes();
    const expired = await added.runOnTicket(1, { record_id: SALESFORCE_FIXTURE_CASE });
    expect(expired.body.outcome).toBe('failed');
    expect(expired.body.message).toContain('Salesforce refused the update (');
    expect(expired.body.message).toContain('INVALID_SESSION_ID');
    expect(refreshes()).toBe(before + 1);

    salesforce.setMode('rateLimited');
    const limited = await added.runOnTicket(1, { record_id: SALESFORCE_FIXTURE_CASE });
    expect(limited.body.outcome).toBe('failed');
    expect(limited.body.message).toContain('REQUEST_LIMIT_EXCEEDED');
    expect(added.stack.ticket(1).tags).not.toContain('salesforce_synced');
  });
});
