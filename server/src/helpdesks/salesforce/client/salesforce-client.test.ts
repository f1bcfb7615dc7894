import { describe, expect, it } from 'vitest';
import {
  SANDBOX_SALESFORCE_CREDENTIALS,
  SANDBOX_SALESFORCE_IDS,
} from '../../../sandbox/seed/salesforce-seed';
import { createSalesforceClient, readRecordPath } from './salesforce-client';
import type { SalesforceClientOptions } from './salesforce-client';
import { useFakeSalesforceWithKeys } from '../../../test-support/fake-salesforce-with-keys';

const CASES = SANDBOX_SALESFORCE_IDS.cases;
const USERS = SANDBOX_SALESFORCE_IDS.users;
const salesforce = useFakeSalesforceWithKeys();

function jwtClient(overrides: Partial<SalesforceClientOptions> = {}) {
  return createSalesforceClient({
    kind: 'jwtBearer',
    loginUrl: salesforce.fake.instanceUrl,
    clientId: SANDBOX_SALESFORCE_CREDENTIALS.clientId,
    username: SANDBOX_SALESFORCE_CREDENTIALS.username,
    privateKeyPem: salesforce.keys.privateKey,
    readRetry: { minTimeoutMs: 1 },
    ...overrides,
  } as SalesforceClientOptions);
}

function requests(method: string, pathPart: string) {
  return salesforce.fake.journal.filter(
    (entry) => entry.method === method && entry.path.includes(pathPart),
  );
}

const tokenRequests = () => requests('POST', '/services/oauth2/token');

describe('loadRecord', () => {
  it('loads only the requested fields, relationship paths included, in one query', async () => {
    const result = await jwtClient().loadRecord('Case', CASES.order1001, [
      'Subject',
      'Order_Number__c',
      'Contact.Email',
      'Account.Name',
    ]);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toEqual({
      Id: CASES.order1001,
      Subject: 'Where is my order #1001?',
      Order_Number__c: '#1001',
      Contact: { Email: 'maria@example.com' },
      Account: { Name: 'Acme Retail' },
    });
    expect(readRecordPath(result.value, 'contact.email')).toBe('maria@example.com');
    const queries = requests('GET', '/services/data/v62.0/query');
    expect(queries).toHaveLength(1);
    expect(queries[0]?.query.q).toBe(
      `SELECT Id, Subject, Order_Number__c, Contact.Email, Account.Name FROM Case WHERE Id = '${CASES.order1001}' LIMIT 1`,
    );
    expect(tokenRequests()).toHaveLength(1);
  });

  it('gives null for a relationship with no related record', async () => {
    const result = await jwtClient().loadRecord('Case', CASES.loginProblem, ['Contact.Email']);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.Contact).toBeNull();
    expect(readRecordPath(result.value, 'Contact.Email')).toBeUndefined();
  });

  it('names an unknown field', async () => {
    const result = await jwtClient().loadRecord('Case', CASES.order1001, ['Order_Numbr__c']);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SALESFORCE_UNKNOWN_FIELD', field: 'Order_Numbr__c', object: 'Case' },
    });
    if (!result.ok) expect(result.error.message).toBe('Case has no field "Order_Numbr__c".');
  });

  it('names an unknown field at the end of a relationship path', async () => {
    const result = await jwtClient().loadRecord('Case', CASES.order1001, ['Contact.Emial']);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SALESFORCE_UNKNOWN_FIELD', field: 'Contact.Emial', object: 'Contact' },
    });
    if (!result.ok) {
      expect(result.error.message).toBe('Contact has no field "Emial" (in "Contact.Emial").');
    }
  });

  it('names an unknown relationship', async () => {
    const result = await jwtClient().loadRecord('Case', CASES.order1001, ['Contakt.Email']);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SALESFORCE_UNKNOWN_FIELD', field: 'Contakt.Email' },
    });
    if (!result.ok) expect(result.error.message).toContain('"Contakt"');
  });

  it('names an unknown object', async () => {
    const result = await jwtClient().loadRecord('Kase', CASES.order1001, ['Subject']);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SALESFORCE_UNKNOWN_OBJECT', object: 'Kase' },
    });
    if (!result.ok) expect(result.error.message).toContain('"Kase"');
  });

  it('reports a missing or deleted record as not found', async () => {
    const client = jwtClient();
    const missing = await client.loadRecord('Case', '500SB0000000999AAA', ['Subject']);
    const deleted = await client.loadRecord('Case', CASES.deleted, ['Subject']);
    expect(missing).toMatchObject({ ok: false, error: { code: 'SALESFORCE_NOT_FOUND' } });
    expect(deleted).toMatchObject({ ok: false, error: { code: 'SALESFORCE_NOT_FOUND' } });
  });

  it('refuses a record id that would change the query, before any request', async () => {
    const result = await jwtClient().loadRecord('Case', "500' OR Name != '", ['Subject']);
    expect(result).toMatchObject({ ok: false, error: { code: 'SALESFORCE_INVALID_ID' } });
    expect(salesforce.fake.journal).toHaveLength(0);
  });

  it('refuses a field or object name that would change the query, before any request', async () => {
    const client = jwtClient();
    const field = await client.loadRecord('Case', CASES.order1001, [
      "Id FROM User WHERE Name != ''",
    ]);
    const object = await client.loadRecord('Case WHERE Id != null', CASES.order1001, ['Subject']);
    expect(field).toMatchObject({ ok: false, error: { code: 'SALESFORCE_UNKNOWN_FIELD' } });
    expect(object).toMatchObject({ ok: false, error: { code: 'SALESFORCE_UNKNOWN_OBJECT' } });
    expect(salesforce.fake.journal).toHaveLength(0);
  });

  it('retries a read that failed with 503 and then succeeds', async () => {
    salesforce.fake.faults.enqueue({
      method: 'GET',
      pathPattern: '/query',
      status: 503,
      body: 'busy',
    });
    const result = await jwtClient().loadRecord('Case', CASES.order1001, ['Subject']);
    expect(result.ok).toBe(true);
    expect(requests('GET', '/query')).toHaveLength(2);
  });

  it('stops retrying reads after the configured number of attempts', async () => {
    salesforce.fake.faults.enqueue({ method: 'GET', pathPattern: '/query', status: 503, times: 5 });
    const result = await jwtClient({ readRetry: { maxRetries: 2, minTimeoutMs: 1 } }).loadRecord(
      'Case',
      CASES.order1001,
      ['Subject'],
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'SALESFORCE_UNAVAILABLE' } });
    expect(requests('GET', '/query')).toHaveLength(3);
  });
});

describe('updateRecord', () => {
  it('writes the fields with one PATCH', async () => {
    const result = await jwtClient().updateRecord('Case', CASES.order1001, {
      Tracking_Number__c: '1Z999AA10123456784',
      Escalated__c: true,
    });
    expect(result).toEqual({ ok: true, value: { id: CASES.order1001 } });
    const patches = requests('PATCH', `/sobjects/Case/${CASES.order1001}`);
    expect(patches).toHaveLength(1);
    expect(patches[0]?.body).toEqual({
      Tracking_Number__c: '1Z999AA10123456784',
      Escalated__c: true,
    });
    expect(salesforce.fake.store.findRecord('Case', CASES.order1001)).toMatchObject({
      Tracking_Number__c: '1Z999AA10123456784',
      Escalated__c: true,
    });
  });

  it("turns a validation rule's error into a readable message and keeps the body", async () => {
    const result = await jwtClient().updateRecord('Case', CASES.order1001, {
      Tracking_Number__c: 'X'.repeat(31),
    });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'SALESFORCE_REJECTED',
        message: 'Tracking_Number__c: value too long (FIELD_CUSTOM_VALIDATION_EXCEPTION)',
        details: [
          {
            message: 'value too long',
            errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
            fields: ['Tracking_Number__c'],
          },
        ],
      },
    });
  });

  it('reports a read-only field and a wrongly typed value by name', async () => {
    const client = jwtClient();
    const readOnly = await client.updateRecord('Case', CASES.order1001, { CaseNumber: '1' });
    const wrongType = await client.updateRecord('Case', CASES.order1001, { Escalated__c: 'yes' });
    expect(readOnly).toMatchObject({ ok: false, error: { code: 'SALESFORCE_REJECTED' } });
    if (!readOnly.ok) {
      expect(readOnly.error.message).toMatch(
        /^CaseNumber: Unable to create\/update fields: CaseNumber/,
      );
      expect(readOnly.error.message).toContain('(INVALID_FIELD_FOR_INSERT_UPDATE)');
    }
    expect(wrongType).toMatchObject({
      ok: false,
      error: { code: 'SALESFORCE_REJECTED', details: [{ errorCode: 'JSON_PARSER_ERROR' }] },
    });
  });

  it('names an unknown field', async () => {
    const result = await jwtClient().updateRecord('Case', CASES.order1001, { Trackin__c: 'x' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SALESFORCE_UNKNOWN_FIELD', field: 'Trackin__c', object: 'Case' },
    });
  });

  it('reports a deleted record as not found', async () => {
    const result = await jwtClient().updateRecord('Case', CASES.deleted, { Subject: 'x' });
    expect(result).toMatchObject({ ok: false, error: { code: 'SALESFORCE_NOT_FOUND' } });
  });

  it('does not repeat a PATCH that failed with 503 (it may have been applied)', async () => {
    salesforce.fake.faults.enqueue({ method: 'PATCH', pathPattern: '/sobjects/Case', status: 503 });
    const result = await jwtClient().updateRecord('Case', CASES.order1001, { Subject: 'x' });
    expect(result).toMatchObject({ ok: false, error: { code: 'SALESFORCE_UNAVAILABLE' } });
    expect(requests('PATCH', '/sobjects/Case')).toHaveLength(1);
  });

  it('makes an update conditional on If-Unmodified-Since, and reports a 412 as its own code', async () => {
    const stamp = '2001-02-03T04:05:06.000+0000';
    const conditional = await jwtClient().updateRecord(
      'Case',
      CASES.order1001,
      { Subject: 'x' },
      { ifUnmodifiedSince: stamp },
    );
    const sent = requests('PATCH', '/sobjects/Case');
    expect(sent.at(-1)?.ifUnmodifiedSince).toBe('Sat, 03 Feb 2001 04:05:06 GMT');
    // The seeded record was last modified long after that moment, so: 412.
    expect(conditional).toMatchObject({
      ok: false,
      error: { code: 'SALESFORCE_PRECONDITION_FAILED' },
    });
    expect(salesforce.fake.store.findRecord('Case', CASES.order1001)?.Subject).not.toBe('x');

    const notADate = await jwtClient().updateRecord(
      'Case',
      CASES.order1001,
      { Subject: 'x' },
      { ifUnmodifiedSince: 'soon' },
    );
    expect(notADate).toMatchObject({ ok: false, error: { code: 'SALESFORCE_REJECTED' } });
    expect(requests('PATCH', '/sobjects/Case')).toHaveLength(sent.length);
  });

  it('refuses an invalid record id or field name before any request', async () => {
    const client = jwtClient();
    const badId = await client.updateRecord('Case', '500/../../query', { Subject: 'x' });
    const badField = await client.updateRecord('Case', CASES.order1001, { 'Subject"': 'x' });
    expect(badId).toMatchObject({ ok: false, error: { code: 'SALESFORCE_INVALID_ID' } });
    expect(badField).toMatchObject({ ok: false, error: { code: 'SALESFORCE_UNKNOWN_FIELD' } });
    expect(salesforce.fake.journal).toHaveLength(0);
  });
});

describe('sessions', () => {
  it('refreshes an expired session once and repeats the call', async () => {
    const client = jwtClient();
    expect((await client.loadRecord('Case', CASES.order1001, ['Subject'])).ok).toBe(true);
    salesforce.fake.sessions.expire();
    const result = await client.loadRecord('Case', CASES.order1001, ['Subject']);
    expect(result.ok).toBe(true);
    expect(tokenRequests()).toHaveLength(2);
    expect(
      tokenRequests().map((entry) => (entry.body as Record<string, string>).grant_type),
    ).toEqual([
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ]);
    expect(requests('GET', '/query')).toHaveLength(3);
  });

  it('repeats a PATCH after a refreshed session, since the rejected one wrote nothing', async () => {
    const client = jwtClient();
    await client.loadRecord('Case', CASES.order1001, ['Subject']);
    salesforce.fake.sessions.expire();
    const result = await client.updateRecord('Case', CASES.order1001, { Subject: 'Renamed' });
    expect(result.ok).toBe(true);
    expect(requests('PATCH', '/sobjects/Case')).toHaveLength(2);
    expect(tokenRequests()).toHaveLength(2);
    expect(salesforce.fake.store.findRecord('Case', CASES.order1001)?.Subject).toBe('Renamed');
  });

  it('gives up after one refresh when the new session is rejected too', async () => {
    const client = jwtClient();
    await client.loadRecord('Case', CASES.order1001, ['Subject']);
    salesforce.fake.faults.enqueue({
      pathPattern: '/query',
      status: 401,
      body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
      times: 5,
    });
    const result = await client.loadRecord('Case', CASES.order1001, ['Subject']);
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'SALESFORCE_AUTH_FAILED',
        message: expect.stringContaining('rejected the session again right after it was refreshed'),
      },
    });
    expect(tokenRequests()).toHaveLength(2);
    expect(salesforce.fake.faults.pending()).toBe(3);
  });

  it('uses a refresh token when the given access token has expired', async () => {
    const client = createSalesforceClient({
      kind: 'refreshToken',
      instanceUrl: salesforce.fake.instanceUrl,
      loginUrl: salesforce.fake.instanceUrl,
      accessToken: 'an-expired-token',
      refreshToken: SANDBOX_SALESFORCE_CREDENTIALS.refreshToken,
      clientId: SANDBOX_SALESFORCE_CREDENTIALS.clientId,
    });
    const result = await client.loadRecord('Case', CASES.order1001, ['Subject']);
    expect(result.ok).toBe(true);
    expect(tokenRequests()).toHaveLength(1);
    expect((tokenRequests()[0]?.body as Record<string, string>).grant_type).toBe('refresh_token');
  });

  // Refused at the first call, or when renewing a session Salesforce rejected (one query sent).
  it.each([
    { when: 'at the first call', accessToken: undefined, queries: 0 },
    { when: 'renewing an expired session', accessToken: 'an-expired-token', queries: 1 },
  ])(
    "reports a refresh token Salesforce refuses $when, with Salesforce's reason",
    async ({ accessToken, queries }) => {
      const client = createSalesforceClient({
        kind: 'refreshToken',
        instanceUrl: salesforce.fake.instanceUrl,
        loginUrl: salesforce.fake.instanceUrl,
        ...(accessToken ? { accessToken } : {}),
        refreshToken: 'revoked',
        clientId: SANDBOX_SALESFORCE_CREDENTIALS.clientId,
      });
      const result = await client.loadRecord('Case', CASES.order1001, ['Subject']);
      expect(result).toMatchObject({ ok: false, error: { code: 'SALESFORCE_AUTH_FAILED' } });
      if (!result.ok)
        expect(result.error.message).toContain('expired access/refresh token (invalid_grant)');
      expect(requests('GET', '/query')).toHaveLength(queries);
    },
  );

  it('reports a JWT signed with a key the connected app does not know', async () => {
    const result = await jwtClient({ privateKeyPem: salesforce.otherKeys.privateKey }).loadRecord(
      'Case',
      CASES.order1001,
      ['Subject'],
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'SALESFORCE_AUTH_FAILED' } });
    if (!result.ok) expect(result.error.message).toContain('invalid assertion');
  });

  it('gets one new session for calls that meet the expired one together', async () => {
    const client = jwtClient();
    await client.loadRecord('Case', CASES.order1001, ['Subject']);
    salesforce.fake.sessions.expire();
    const results = await Promise.all([
      client.loadRecord('Case', CASES.order1001, ['Subject']),
      client.loadRecord('Case', CASES.refund1002, ['Subject']),
      client.updateRecord('Case', CASES.order1001, { Subject: 'Renamed' }),
    ]);
    expect(results.map((result) => result.ok)).toEqual([true, true, true]);
    expect(tokenRequests()).toHaveLength(2);
    expect(requests('PATCH', '/sobjects/Case')).toHaveLength(2);
  });

  it("shares one session between the agents' and the automation's lanes", async () => {
    const client = jwtClient();
    const automation = client.inLane('automation');
    expect(automation.inLane('agent')).toBe(client);
    const results = await Promise.all([
      client.loadRecord('Case', CASES.order1001, ['Subject']),
      automation.loadRecord('Case', CASES.refund1002, ['Subject']),
    ]);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('shares one token request between concurrent first calls', async () => {
    const client = jwtClient();
    const results = await Promise.all([
      client.loadRecord('Case', CASES.order1001, ['Subject']),
      client.loadRecord('Case', CASES.refund1002, ['Subject']),
    ]);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(tokenRequests()).toHaveLength(1);
  });
});

describe('limits', () => {
  it('reports REQUEST_LIMIT_EXCEEDED without retrying it', async () => {
    const client = jwtClient();
    salesforce.fake.apiUsage.used = salesforce.fake.apiUsage.max;
    const result = await client.loadRecord('Case', CASES.order1001, ['Subject']);
    expect(result).toMatchObject({ ok: false, error: { code: 'SALESFORCE_RATE_LIMITED' } });
    if (!result.ok) expect(result.error.message).toContain('TotalRequests Limit exceeded.');
    expect(requests('GET', '/query')).toHaveLength(1);
  });
});

describe('describe and editableFields', () => {
  it('describes an object once and serves the copy for five minutes', async () => {
    const start = Date.now();
    let clock = start;
    const client = jwtClient({ now: () => clock });
    const first = await client.describe('Case');
    clock = start + 4 * 60 * 1000;
    await client.describe('case');
    expect(requests('GET', '/sobjects/Case/describe')).toHaveLength(1);
    clock = start + 6 * 60 * 1000;
    await client.describe('Case');
    expect(requests('GET', '/describe')).toHaveLength(2);
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.fields.find((field) => field.name === 'ContactId')).toMatchObject({
      type: 'reference',
      relationshipName: 'Contact',
      referenceTo: ['Contact'],
    });
  });

  it('names an unknown object', async () => {
    const result = await jwtClient().describe('Kase');
    expect(result).toMatchObject({ ok: false, error: { code: 'SALESFORCE_UNKNOWN_OBJECT' } });
  });

  it("lists the fields a user's profile lets them edit", async () => {
    const client = jwtClient();
    const rep = await client.editableFields('Case', USERS.rep);
    const restricted = await client.editableFields('Case', USERS.restrictedRep);
    if (!rep.ok || !restricted.ok) throw new Error('editableFields failed');
    expect(rep.value.has('Tracking_Number__c')).toBe(true);
    expect(rep.value.has('CaseNumber')).toBe(false);
    expect(restricted.value.has('Tracking_Number__c')).toBe(false);
    expect(restricted.value.has('Escalated__c')).toBe(false);
    expect(restricted.value.has('Payment_Status__c')).toBe(true);
    expect(requests('GET', '/tooling/query')).toHaveLength(2);
  });
});

describe('queryIds', () => {
  const SOQL = 'SELECT Id FROM Contact';
  /** More contacts than one batch of Salesforce's default 2,000 holds. */
  function addContacts(count: number): void {
    const contacts = salesforce.fake.store.data.records.Contact ?? [];
    for (let n = 1; n <= count; n += 1) {
      contacts.push({
        Id: `003QI${String(n).padStart(10, '0')}AAA`,
        LastName: `C${n}`,
        LastModifiedDate: '2026-01-01T00:00:00.000+0000',
      });
    }
  }

  it('reads a query a batch at a time through nextRecordsUrl', async () => {
    addContacts(2_100);
    const client = jwtClient();
    const first = await client.queryIds(SOQL);
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value).toMatchObject({ totalSize: 2_103 });
    expect(first.value.ids).toHaveLength(2_000);
    expect(first.value.restarted).toBeUndefined();
    const second = await client.queryIds(SOQL, first.value.next);
    if (!second.ok) throw new Error(second.error.message);
    expect(second.value).toMatchObject({ next: undefined, totalSize: 2_103 });
    expect(new Set([...first.value.ids, ...second.value.ids]).size).toBe(2_103);
  });

  it('reads the query again from its first page when its cursor is gone, and says so', async () => {
    addContacts(2_100);
    const client = jwtClient();
    const first = await client.queryIds(SOQL);
    if (!first.ok) throw new Error(first.error.message);
    // Ten newer cursors of the same user release this one, as an expired one would be.
    for (let n = 0; n < 10; n += 1) await client.queryIds(SOQL);
    const again = await client.queryIds(SOQL, first.value.next);
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.restarted).toBe(true);
    expect(again.value.ids).toEqual(first.value.ids);
    expect(again.value.next).toMatch(/^\/services\/data\/v62\.0\/query\/0r8/);
    const refused = salesforce.fake.journal.filter(
      (entry) => entry.path === first.value.next && entry.method === 'GET',
    );
    expect(refused).toHaveLength(1);
  });
});
