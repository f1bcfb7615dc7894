import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import { SANDBOX_SECRETS, startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * An upstream that echoes everything it was sent (headers, query, body) back in its answer, and
 * puts the Authorization header into its error messages. Whatever a connector maps from that
 * answer, no secret, in any form it took on the wire, may reach the agent's browser, a ticket,
 * a Salesforce record, the run log or the server log.
 */
const ECHO = {
  ECHO_TOKEN: 'echo-bearer-token-AbC123xyz',
  ECHO_USER: 'echo-user@acme.test',
  ECHO_PASS: 'echo-password-P@ss/word+1',
  ECHO_KEY: 'echo-api-key-0987654321',
  ECHO_CUSTOM: 'echo-custom-secret-55555',
  ECHO_CLIENT_ID: 'echo-client-id',
  ECHO_CLIENT_SECRET: 'echo-client-secret-77777',
};
const OAUTH_TOKEN = 'runtime-oauth-token-QWERTY-123456';

/** Every form a secret takes on the wire. */
const FORBIDDEN = [
  ECHO.ECHO_TOKEN,
  ECHO.ECHO_PASS,
  encodeURIComponent(ECHO.ECHO_PASS),
  Buffer.from(`${ECHO.ECHO_USER}:${ECHO.ECHO_PASS}`).toString('base64'),
  ECHO.ECHO_KEY,
  ECHO.ECHO_CUSTOM,
  ECHO.ECHO_CLIENT_SECRET,
  OAUTH_TOKEN,
  encodeURIComponent(`Bearer ${OAUTH_TOKEN}`),
];

let echo: Server;
let stack: TestStack;
let echoUrl: string;

function expectClean(where: string, text: string): void {
  for (const secret of FORBIDDEN) {
    expect(text.includes(secret), `${where} holds ${secret}`).toBe(false);
  }
}

beforeAll(async () => {
  echo = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/token')) {
        res.end(
          JSON.stringify({ access_token: OAUTH_TOKEN, token_type: 'Bearer', expires_in: 3600 }),
        );
        return;
      }
      const authorization = req.headers.authorization ?? '';
      if (req.url?.startsWith('/fail')) {
        res.statusCode = 403;
        res.end(JSON.stringify({ message: `credentials ${authorization} are not allowed here` }));
        return;
      }
      res.end(
        JSON.stringify({
          headers: req.headers,
          url: req.url,
          body,
          encoded: encodeURIComponent(authorization),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;

  const connection = (auth: Record<string, unknown>) => ({
    baseUrl: echoUrl,
    allowPrivateNetwork: true,
    auth,
    headers: { 'X-Custom-Key': '{{secrets.ECHO_CUSTOM}}' },
  });
  const echoConnector = (id: string, connectionId: string) => ({
    id,
    name: id,
    connection: connectionId,
    surfaces: ['zendesk', 'salesforce'],
    request: { method: 'GET', path: '/echo' },
    response: {
      outputs: [
        { name: 'auth', path: 'headers.authorization' },
        { name: 'custom', path: 'headers."x-custom-key"' },
        { name: 'encoded', path: 'encoded' },
        { name: 'all', path: 'to_string(@)' },
      ],
    },
    writeBack: {
      success: {
        customFields: {
          [String(SANDBOX_FIELD_IDS.trackingNumber)]: '{{outputs.auth}}',
          [String(SANDBOX_FIELD_IDS.jiraIssueKey)]: '{{outputs.encoded}}',
        },
        internalNote: 'Echoed: {{outputs.all}}',
        recordFields: { Tracking_Number__c: '{{outputs.auth}} {{outputs.custom}}' },
      },
    },
    messages: { success: 'Got {{outputs.auth}} and {{outputs.custom}}' },
  });
  stack = await startTestStack({
    secrets: { ...SANDBOX_SECRETS, ...ECHO },
    editConfig: (config) => {
      Object.assign(config.connections as Record<string, unknown>, {
        echo_bearer: connection({ type: 'bearer', token: '{{secrets.ECHO_TOKEN}}' }),
        echo_basic: connection({
          type: 'basic',
          username: '{{secrets.ECHO_USER}}',
          password: '{{secrets.ECHO_PASS}}',
        }),
        echo_key: connection({
          type: 'apiKeyHeader',
          header: 'X-Api-Key',
          value: '{{secrets.ECHO_KEY}}',
        }),
        echo_oauth: connection({
          type: 'oauth2ClientCredentials',
          tokenUrl: `${echoUrl}/token`,
          clientId: '{{secrets.ECHO_CLIENT_ID}}',
          clientSecret: '{{secrets.ECHO_CLIENT_SECRET}}',
        }),
      });
      (config.connectors as unknown[]).push(
        echoConnector('echo_bearer', 'echo_bearer'),
        echoConnector('echo_basic', 'echo_basic'),
        echoConnector('echo_key', 'echo_key'),
        echoConnector('echo_oauth', 'echo_oauth'),
        {
          id: 'echo_redacted',
          name: 'echo_redacted',
          connection: 'echo_key',
          inputs: [{ name: 'order', source: 'ticket.custom_fields.360001000001', redact: true }],
          request: { method: 'GET', path: '/echo', query: { order: '{{inputs.order}}' } },
          response: { outputs: [{ name: 'url', path: 'url', redact: true }] },
          writeBack: { success: { internalNote: 'Looked up {{outputs.url}}' } },
          messages: { success: 'Order {{inputs.order}} at {{outputs.url}}' },
        },
        {
          id: 'echo_fail',
          name: 'echo_fail',
          connection: 'echo_basic',
          request: { method: 'GET', path: '/fail' },
          response: { outputs: [] },
          writeBack: { failure: { internalNote: 'Failed: {{error.message}}' } },
          messages: { failure: 'It failed: {{error.message}}' },
        },
      );
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => echo.close(resolve));
});

async function runOnTicket(connectorId: string, ticketId: number) {
  const res = await request(stack.url)
    .post(`/api/connectors/${connectorId}/run`)
    .set(stack.adminAuth)
    .send({ ticketId });
  expect(res.status).toBe(200);
  return res;
}

describe('an upstream that echoes the credentials back', () => {
  it.each(['echo_bearer', 'echo_basic', 'echo_key', 'echo_oauth'])(
    '%s: never reaches the answer, the ticket, the run log or the server log',
    async (connectorId) => {
      const before = stack.zendesk.journal.length;
      const res = await runOnTicket(connectorId, 1);
      expect(res.body.outcome).toBe('success');
      // The echo did carry the credential: the mapping worked, the value was masked.
      const auth = res.body.outputs.find((output: { name: string }) => output.name === 'auth');
      if (connectorId !== 'echo_key') expect(auth.value).toMatch(/\[secret\]/);
      expectClean('the API answer', res.text);

      const ticket = stack.ticket(1);
      expectClean('the ticket', JSON.stringify(ticket));
      const record = await request(stack.url)
        .get(`/api/runs/${res.body.runId}`)
        .set(stack.adminAuth);
      expect(record.status, record.text).toBe(200);
      expectClean('the run record', record.text);
      expectClean('the server log', stack.logLines.join('\n'));

      // What the run log says was written is what Zendesk received, byte for byte.
      const put = stack.zendesk.journal
        .slice(before)
        .find((entry) => entry.method === 'PUT' && entry.path.startsWith('/api/v2/tickets/1'));
      const sent = (put?.body as { ticket: Record<string, unknown> }).ticket;
      const logged = record.body.run.writes.changes as {
        customFields: unknown;
        internalNote: string;
      };
      expect(sent.custom_fields).toEqual(logged.customFields);
      expect((sent.comment as { body: string }).body).toBe(logged.internalNote);
    },
  );

  it('a failure note and message rendered from {{error.message}} hold no credential', async () => {
    const res = await runOnTicket('echo_fail', 2);
    expect(res.body.outcome).toBe('failed');
    expect(res.body.message).toBe(
      'It failed: the API answered 403: credentials [secret] are not allowed here',
    );
    expectClean('the API answer', res.text);
    const notes = stack.ticket(2).notes.join('\n');
    expect(notes).toContain('Failed: the API answered 403');
    expectClean('the internal note', notes);
    expectClean('the server log', stack.logLines.join('\n'));
  });

  it('values marked redact never leave either: not in the message, the note or the log', async () => {
    // Ticket 1's order number is #1001; the echo answers with the URL it was called at.
    const res = await runOnTicket('echo_redacted', 1);
    expect(res.body.outcome).toBe('success');
    expect(res.body.message).toBe('Order [redacted] at [redacted]');
    expect(res.body.outputs).toEqual([
      { name: 'url', label: 'URL', value: '[redacted]', redacted: true },
    ]);
    expect(stack.ticket(1).notes.at(-1)).toBe('Looked up [redacted]');
    const record = await request(stack.url).get(`/api/runs/${res.body.runId}`).set(stack.adminAuth);
    for (const text of [res.text, record.text]) {
      expect(text).not.toContain('#1001');
      expect(text).not.toContain('%231001');
    }
  });

  it('never reaches a Salesforce record either', async () => {
    const caseId = SANDBOX_SALESFORCE_IDS.cases.order1001;
    const res = await request(stack.url)
      .post('/api/salesforce/connectors/echo_oauth/run')
      .set(stack.salesforceAuth)
      .send({ objectApiName: 'Case', recordId: caseId });
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('success');
    const stored = stack.salesforce.store.findRecord('Case', caseId) as
      Record<string, unknown> | undefined;
    expect(JSON.stringify(stored)).toContain('"Tracking_Number__c":"[secret] [secret]"');
    expectClean('the Case', JSON.stringify(stored));
    expectClean('the API answer', res.text);
  });
});
