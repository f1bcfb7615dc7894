import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreviewStack } from '../../../../test/support/start-preview-stack';
import type { PreviewStack } from '../../../../test/support/start-preview-stack';
import { TEST_CONNECTOR_KEY } from '../../../../test/support/start-test-stack';
import { SANDBOX_SALESFORCE_IDS } from '../../sandbox/seed/salesforce-seed';

/**
 * The Salesforce preview's server side: the record page, the record reload, and the Apex
 * stand-in, which must check what the component sends as DataConnectorsController.cls does and
 * must never hand the connector key to the browser.
 */

const { cases, users } = SANDBOX_SALESFORCE_IDS;
let stack: PreviewStack;
/** Every body the preview sent in this file; none may hold the connector key. */
const bodies: string[] = [];

beforeAll(async () => {
  stack = await startPreviewStack();
});
afterAll(async () => {
  await stack.close();
});

async function get(path: string) {
  const res = await request(stack.server.app).get(`/preview/salesforce${path}`);
  bodies.push(res.text);
  return res;
}

async function apex(
  method: string,
  params: unknown,
  options: { userId?: string; origin?: string } = {},
) {
  const res = await request(stack.server.app)
    .post(
      `/preview/salesforce/as/${options.userId ?? users.rep}/apex/DataConnectorsController.${method}`,
    )
    .set(options.origin ? { Origin: options.origin } : {})
    .send(params as object);
  bodies.push(res.text);
  return res;
}

describe('the Salesforce record page preview', () => {
  it('shows the Case with its fields, the pickers, and where the component and its Apex are', async () => {
    const res = await get(`?record=${cases.order1001}&user=${users.restrictedRep}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('00001001 · Where is my order #1001?');
    expect(res.text).toMatch(
      /data-field="Order_Number__c">\s*<dt>Order Number<\/dt>\s*<dd data-value>#1001</,
    );
    expect(res.text).toContain('<option value="005SB0000000003AAA" selected>Sam Support</option>');
    const state = JSON.parse(/id="record-page-state">([^<]+)</.exec(res.text)?.[1] ?? '{}');
    expect(state).toEqual({
      recordId: cases.order1001,
      objectApiName: 'Case',
      apexUrl: `/preview/salesforce/as/${users.restrictedRep}/apex`,
      recordUrl: `/preview/salesforce/record.json?record=${cases.order1001}`,
    });
  });

  it('answers an unknown or deleted record with a page that says so, and a bad address with 400', async () => {
    expect((await get(`?record=${cases.deleted}`)).status).toBe(404);
    expect((await get('?record=999SB0000000001AAA')).status).toBe(404);
    const bad = await get('?record=../../etc');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Not a preview address');
    // Only the sandbox reps: the integration user is not someone a rep can be.
    expect((await get(`?user=${users.integration}`)).status).toBe(400);
  });

  it('reloads the record as the page shows it', async () => {
    const res = await get(`/record.json?record=${cases.refund1002}`);
    expect(res.status).toBe(200);
    expect(res.body.record.title).toBe('00001002 · Refund for order #1002');
    expect(res.body.html).toContain('data-field="Escalated__c"');
  });

  it('compiles the real component with the LWC compiler, without the connector key', async () => {
    const res = await get('/record-page.js');
    // On a compile error the body says which file and line.
    expect({ status: res.status, error: res.status === 200 ? '' : res.text }).toEqual({
      status: 200,
      error: '',
    });
    expect(res.headers['content-type']).toMatch(/javascript/);
    // The component's own template and the Apex method names it imports.
    expect(res.text).toContain('c-data-connectors');
    expect(res.text).toContain('DataConnectorsController');
    expect(res.text).toContain('runConnector');
    expect(res.text).not.toContain(TEST_CONNECTOR_KEY);
  }, 60_000);
});

describe('the Apex stand-in', () => {
  it('lists the connectors for the record as the running user, with the key added on the server', async () => {
    const res = await apex('listConnectors', { objectApiName: 'Case', recordId: cases.order1001 });
    expect(res.status).toBe(200);
    expect(res.body.recordId).toBe(cases.order1001);
    expect(res.body.connectors.map((c: { id: string }) => c.id)).toContain('shopify_order_lookup');
  });

  it('refuses what the Apex class refuses, with its messages', async () => {
    const cases_: [string, unknown, string][] = [
      [
        'runConnector',
        { connectorId: '../admin', recordId: cases.order1001 },
        'This is not a valid connector id.',
      ],
      ['runMacro', { macroId: 'A B', recordId: cases.order1001 }, 'This is not a valid macro id.'],
      ['getRun', { runId: 'run_1' }, 'This is not a valid run id.'],
      ['listConnectors', { objectApiName: 'Case' }, 'Open a record to use data connectors.'],
      [
        'listConnectors',
        { objectApiName: 'Contact', recordId: cases.order1001 },
        `The record ${cases.order1001} is not a Contact record.`,
      ],
      [
        'listConnectors',
        { recordId: cases.deleted },
        'This record does not exist or you do not have access to it.',
      ],
      [
        'runConnector',
        {
          connectorId: 'shopify_order_lookup',
          recordId: cases.order1001,
          inputsJson: '[1]',
          idempotencyKey: 'key-0000001',
        },
        'The inputs must be a JSON object.',
      ],
      [
        'runConnector',
        {
          connectorId: 'shopify_order_lookup',
          recordId: cases.order1001,
          inputsJson: '{',
          idempotencyKey: 'key-0000001',
        },
        'The inputs are not valid JSON.',
      ],
      [
        'runConnector',
        { connectorId: 'shopify_order_lookup', recordId: cases.order1001, idempotencyKey: 'a b' },
        'This is not a valid Idempotency-Key.',
      ],
    ];
    for (const [method, params, message] of cases_) {
      const res = await apex(method, params);
      expect({ method, params, status: res.status, body: res.body }).toEqual({
        method,
        params,
        status: 400,
        body: {
          message,
          exceptionType: 'System.AuraHandledException',
          isUserDefinedException: true,
        },
      });
    }
  });

  it("passes the server's refusal on as the rep's message (an input the connector rejects)", async () => {
    const res = await apex('runConnector', {
      connectorId: 'shopify_order_lookup',
      objectApiName: 'Case',
      recordId: cases.order1001,
      inputsJson: JSON.stringify({ order_number: 'not an order' }),
      confirmed: false,
      idempotencyKey: 'preview-test-key-1',
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/Order number/);
  });

  it('runs a connector and reads its run back', async () => {
    const run = await apex('runConnector', {
      connectorId: 'shopify_order_lookup',
      objectApiName: 'Case',
      recordId: cases.order1001,
      inputsJson: '{}',
      confirmed: false,
      idempotencyKey: 'preview-test-key-2',
    });
    expect(run.status).toBe(200);
    expect(run.body.outcome).toBe('success');
    const read = await apex('getRun', { runId: run.body.runId });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: run.body.runId,
      actor: { kind: 'agent', id: users.rep },
    });
  });

  it('answers only its own page (no cross-site posts), and only the controller it stands in for', async () => {
    const crossSite = await apex(
      'listConnectors',
      { recordId: cases.order1001 },
      { origin: 'https://attacker.example' },
    );
    expect(crossSite.status).toBe(403);
    const other = await request(stack.server.app)
      .post(`/preview/salesforce/as/${users.rep}/apex/OtherController.listConnectors`)
      .send({});
    expect(other.status).toBe(404);
    const notRep = await request(stack.server.app)
      .post(
        `/preview/salesforce/as/${users.integration}/apex/DataConnectorsController.listConnectors`,
      )
      .send({ recordId: cases.order1001 });
    expect(notRep.status).toBe(404);
  });

  it('never sent the connector key to the browser', () => {
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) expect(body).not.toContain(TEST_CONNECTOR_KEY);
  });
});
