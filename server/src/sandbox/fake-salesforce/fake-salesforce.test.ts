import { SignJWT } from 'jose';
import { Connection } from 'jsforce';
import { describe, expect, it } from 'vitest';
import { SANDBOX_SALESFORCE_CREDENTIALS, SANDBOX_SALESFORCE_IDS } from '../seed/salesforce-seed';
import { useFakeSalesforceWithKeys } from '../../test-support/fake-salesforce-with-keys';

const CASES = SANDBOX_SALESFORCE_IDS.cases;
const API = '/services/data/v62.0';
const TOKEN = SANDBOX_SALESFORCE_CREDENTIALS.accessToken;
const salesforce = useFakeSalesforceWithKeys();

async function api(path: string, init: RequestInit & { token?: string } = {}) {
  const { token = TOKEN, ...rest } = init;
  const response = await fetch(`${salesforce.fake.instanceUrl}${API}${path}`, {
    ...rest,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(rest.headers as Record<string, string> | undefined),
    },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}

const patch = (path: string, body: unknown) =>
  api(path, { method: 'PATCH', body: JSON.stringify(body) });
const query = (soql: string) => api(`/query?q=${encodeURIComponent(soql)}`);

function jsforceConnection() {
  return new Connection({
    instanceUrl: salesforce.fake.instanceUrl,
    accessToken: TOKEN,
    version: '62.0',
  });
}

async function requestToken(form: Record<string, string>) {
  const response = await fetch(`${salesforce.fake.instanceUrl}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function assertion(
  privateKey: string,
  claims: { exp?: number; aud?: string; sub?: string } = {},
) {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const { createPrivateKey } = await import('node:crypto');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(SANDBOX_SALESFORCE_CREDENTIALS.clientId)
    .setSubject(claims.sub ?? SANDBOX_SALESFORCE_CREDENTIALS.username)
    .setAudience(claims.aud ?? 'https://login.salesforce.com')
    .setExpirationTime(claims.exp ?? nowSeconds + 180)
    .sign(createPrivateKey(privateKey));
}

describe('sObject rows', () => {
  it('retrieves a record with attributes, through jsforce', async () => {
    const record = await jsforceConnection().sobject('Case').retrieve(CASES.order1001);
    expect(record).toMatchObject({
      attributes: { type: 'Case', url: `${API}/sobjects/Case/${CASES.order1001}` },
      Id: CASES.order1001,
      CaseNumber: '00001001',
      Order_Number__c: '#1001',
      Escalated__c: false,
      ContactId: SANDBOX_SALESFORCE_IDS.contacts.mariaLopez,
    });
  });

  it('retrieves only the listed fields (plus Id) and refuses a relationship path there', async () => {
    const listed = await api(`/sobjects/Case/${CASES.order1001}?fields=Subject,Status`);
    expect(listed.body).toEqual({
      attributes: { type: 'Case', url: `${API}/sobjects/Case/${CASES.order1001}` },
      Subject: 'Where is my order #1001?',
      Status: 'New',
      Id: CASES.order1001,
    });
    const dotted = await api(`/sobjects/Case/${CASES.order1001}?fields=Contact.Email`);
    expect(dotted.status).toBe(400);
    expect(dotted.body[0].errorCode).toBe('INVALID_FIELD');
  });

  it('updates with PATCH → 204 and keeps the change', async () => {
    const before = salesforce.fake.store.findRecord('Case', CASES.order1001)?.LastModifiedDate;
    const reply = await patch(`/sobjects/Case/${CASES.order1001}`, { Payment_Status__c: 'paid' });
    expect(reply.status).toBe(204);
    expect(reply.body).toBeNull();
    const stored = salesforce.fake.store.findRecord('Case', CASES.order1001);
    expect(stored?.Payment_Status__c).toBe('paid');
    expect(stored?.LastModifiedDate).not.toBe(before);
    const saved = await jsforceConnection()
      .sobject('Case')
      .update({ Id: CASES.order1001, Status: 'Working' });
    expect(saved).toMatchObject({ id: CASES.order1001, success: true });
  });

  it('makes a PATCH conditional on If-Unmodified-Since: 412 and nothing written once the record changed', async () => {
    const path = `/sobjects/Case/${CASES.order1001}`;
    const loaded = String(
      salesforce.fake.store.findRecord('Case', CASES.order1001)?.LastModifiedDate,
    );
    const since = new Date(loaded).toUTCString();
    const conditional = (body: unknown, value = since) =>
      api(path, {
        method: 'PATCH',
        body: JSON.stringify(body),
        headers: { 'if-unmodified-since': value },
      });

    expect((await conditional({ Status: 'Working' })).status).toBe(204);
    // That update moved LastModifiedDate on; an hour earlier than it is "changed since".
    const hourEarlier = new Date(Date.parse(loaded) - 3_600_000).toUTCString();
    const refused = await conditional({ Status: 'Escalated' }, hourEarlier);
    expect(refused.status).toBe(412);
    expect(salesforce.fake.store.findRecord('Case', CASES.order1001)?.Status).toBe('Working');

    const bad = await conditional({ Status: 'Escalated' }, 'yesterday-ish');
    expect(bad.status).toBe(400);
    expect(salesforce.fake.store.findRecord('Case', CASES.order1001)?.Status).toBe('Working');
  });

  it('accepts the 15-character form of an id', async () => {
    const reply = await api(`/sobjects/Case/${CASES.order1001.slice(0, 15)}?fields=Subject`);
    expect(reply.status).toBe(200);
  });

  it.each([
    [{ Foo__c: 'x' }, 'INVALID_FIELD', undefined],
    [{ Escalated__c: 'yes' }, 'JSON_PARSER_ERROR', undefined],
    [
      { CaseNumber: '1', LastModifiedDate: 'x' },
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      ['CaseNumber', 'LastModifiedDate'],
    ],
    [
      { Tracking_Number__c: 'x'.repeat(31) },
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      ['Tracking_Number__c'],
    ],
    [{ Subject: 'x'.repeat(256) }, 'STRING_TOO_LONG', ['Subject']],
    [{ ContactId: 'nope' }, 'MALFORMED_ID', ['ContactId']],
  ])('refuses %j with 400 %s and leaves the record alone', async (body, errorCode, fields) => {
    const before = structuredClone(salesforce.fake.store.findRecord('Case', CASES.order1001));
    const reply = await patch(`/sobjects/Case/${CASES.order1001}`, body);
    expect(reply.status).toBe(400);
    expect(reply.body).toHaveLength(1);
    expect(reply.body[0]).toMatchObject({ errorCode, message: expect.any(String) });
    if (fields) expect(reply.body[0].fields).toEqual(fields);
    expect(salesforce.fake.store.findRecord('Case', CASES.order1001)).toEqual(before);
  });

  it('names the unknown column the way Salesforce does', async () => {
    const reply = await patch(`/sobjects/Case/${CASES.order1001}`, { Foo__c: 'x' });
    expect(reply.body[0].message).toBe("No such column 'Foo__c' on sobject of type Case");
  });

  it('answers NOT_FOUND and ENTITY_IS_DELETED', async () => {
    const missing = await api('/sobjects/Case/500SB0000000999AAA');
    const deleted = await patch(`/sobjects/Case/${CASES.deleted}`, { Subject: 'x' });
    const noObject = await api(`/sobjects/Kase/${CASES.order1001}`);
    expect(missing).toMatchObject({ status: 404, body: [{ errorCode: 'NOT_FOUND' }] });
    expect(deleted).toMatchObject({ status: 404, body: [{ errorCode: 'ENTITY_IS_DELETED' }] });
    expect(noObject).toMatchObject({ status: 404, body: [{ errorCode: 'NOT_FOUND' }] });
  });
});

describe('describe', () => {
  it('describes an object through jsforce', async () => {
    const description = await jsforceConnection().sobject('Case').describe();
    expect(description).toMatchObject({ name: 'Case', label: 'Case' });
    const contactId = description.fields.find((field) => field.name === 'ContactId');
    expect(contactId).toMatchObject({
      type: 'reference',
      updateable: true,
      relationshipName: 'Contact',
      referenceTo: ['Contact'],
      nillable: true,
    });
    expect(description.fields.find((field) => field.name === 'CaseNumber')?.updateable).toBe(false);
  });

  it('answers 404 NOT_FOUND for an unknown object', async () => {
    const reply = await api('/sobjects/Kase/describe');
    expect(reply).toEqual({
      status: 404,
      headers: expect.anything(),
      body: [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }],
    });
  });
});

describe('query', () => {
  it('follows relationship paths and nests the related records, through jsforce', async () => {
    const result = await jsforceConnection().query(
      `SELECT Id, Subject, Contact.Email, Account.Name FROM Case WHERE Id = '${CASES.order1001}'`,
    );
    expect(result).toMatchObject({ totalSize: 1, done: true });
    expect(result.records[0]).toEqual({
      attributes: { type: 'Case', url: `${API}/sobjects/Case/${CASES.order1001}` },
      Id: CASES.order1001,
      Subject: 'Where is my order #1001?',
      Contact: {
        attributes: {
          type: 'Contact',
          url: `${API}/sobjects/Contact/${SANDBOX_SALESFORCE_IDS.contacts.mariaLopez}`,
        },
        Email: 'maria@example.com',
      },
      Account: {
        attributes: {
          type: 'Account',
          url: `${API}/sobjects/Account/${SANDBOX_SALESFORCE_IDS.accounts.acmeRetail}`,
        },
        Name: 'Acme Retail',
      },
    });
  });

  it('gives null for an empty relationship and leaves deleted records out', async () => {
    const empty = await query(`SELECT Contact.Email FROM Case WHERE Id = '${CASES.loginProblem}'`);
    const deleted = await query(`SELECT Id FROM Case WHERE Id = '${CASES.deleted}'`);
    expect(empty.body.records[0].Contact).toBeNull();
    expect(deleted.body).toEqual({ totalSize: 0, done: true, records: [] });
  });

  it('compares strings case-insensitively and honours LIMIT', async () => {
    const matched = await query("SELECT Id FROM Case WHERE order_number__c = '#1001' LIMIT 5");
    const limited = await query('SELECT Id FROM Case LIMIT 1');
    expect(matched.body.totalSize).toBe(1);
    expect(limited.body.totalSize).toBe(1);
  });

  it.each([
    ['SELECT Id, Foo__c FROM Case', 'INVALID_FIELD', "No such column 'Foo__c' on entity 'Case'"],
    [
      'SELECT Contact.Emial FROM Case',
      'INVALID_FIELD',
      "No such column 'Emial' on entity 'Contact'",
    ],
    ['SELECT Contakt.Email FROM Case', 'INVALID_FIELD', "Didn't understand relationship 'Contakt'"],
    ['SELECT Id FROM Kase', 'INVALID_TYPE', "sObject type 'Kase' is not supported"],
    ["SELECT Id FROM Case WHERE Id = 'x' OR Id = 'y'", 'MALFORMED_QUERY', "unexpected token: 'OR'"],
    ["SELECT Id FROM Case WHERE Id = '500' OR Name != ''", 'MALFORMED_QUERY', 'unexpected token'],
    ['SELECT Id, id FROM Case', 'MALFORMED_QUERY', 'duplicate field selected: Id'],
    [
      "SELECT Id FROM Case WHERE Id = 'abc'",
      'INVALID_QUERY_FILTER_OPERATOR',
      'invalid ID field: abc',
    ],
  ])('refuses %s with 400 %s', async (soql, errorCode, message) => {
    const reply = await query(soql);
    expect(reply.status).toBe(400);
    expect(reply.body[0].errorCode).toBe(errorCode);
    expect(reply.body[0].message).toContain(message);
  });

  it("answers the Tooling API's UserFieldAccess per user and object", async () => {
    const soql = `SELECT FieldDefinition.QualifiedApiName, IsUpdatable FROM UserFieldAccess WHERE UserId = '${SANDBOX_SALESFORCE_IDS.users.restrictedRep}' AND FieldDefinition.EntityDefinition.QualifiedApiName = 'Case'`;
    const reply = await api(`/tooling/query?q=${encodeURIComponent(soql)}`);
    expect(reply.status).toBe(200);
    const access = Object.fromEntries(
      reply.body.records.map(
        (row: { FieldDefinition: { QualifiedApiName: string }; IsUpdatable: boolean }) => [
          row.FieldDefinition.QualifiedApiName,
          row.IsUpdatable,
        ],
      ),
    );
    expect(access).toMatchObject({
      Tracking_Number__c: false,
      Escalated__c: false,
      Payment_Status__c: true,
      CaseNumber: false,
    });
    expect(reply.body.records[0].attributes.type).toBe('UserFieldAccess');
  });
});

describe('sessions and limits', () => {
  it('answers 401 INVALID_SESSION_ID without a token, with a wrong one, and after expiry', async () => {
    const none = await fetch(`${salesforce.fake.instanceUrl}${API}/limits`);
    const wrong = await api('/limits', { token: 'wrong' });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
    expect(wrong.status).toBe(401);
    expect((await api('/limits')).status).toBe(200);
    salesforce.fake.sessions.expire(TOKEN);
    expect((await api('/limits')).body[0].errorCode).toBe('INVALID_SESSION_ID');
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the daily budget is used, and reports usage', async () => {
    const first = await api('/limits');
    expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
    expect(first.body).toEqual({ DailyApiRequests: { Max: 15000, Remaining: 14999 } });
    salesforce.fake.apiUsage.used = salesforce.fake.apiUsage.max;
    const refused = await api(`/sobjects/Case/${CASES.order1001}`);
    expect(refused).toMatchObject({
      status: 403,
      body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    });
  });

  it('serves injected faults in place of the answer', async () => {
    salesforce.fake.faults.enqueue({ pathPattern: '/query', status: 503, body: [] });
    expect((await query('SELECT Id FROM Case')).status).toBe(503);
    expect((await query('SELECT Id FROM Case')).status).toBe(200);
  });

  it('serves only the configured API version', async () => {
    const response = await fetch(`${salesforce.fake.instanceUrl}/services/data/v50.0/limits`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(404);
  });
});

describe('token endpoint', () => {
  const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

  it('exchanges a valid JWT assertion for a working access token', async () => {
    const reply = await requestToken({
      grant_type: JWT_BEARER,
      assertion: await assertion(salesforce.keys.privateKey),
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      access_token: expect.any(String),
      instance_url: salesforce.fake.instanceUrl,
      id: expect.stringContaining(SANDBOX_SALESFORCE_IDS.users.integration),
      token_type: 'Bearer',
      issued_at: expect.stringMatching(/^\d+$/),
      signature: expect.any(String),
    });
    expect(reply.body.refresh_token).toBeUndefined();
    const used = await api('/limits', { token: reply.body.access_token as string });
    expect(used.status).toBe(200);
    const logged = salesforce.fake.journal.find((entry) => entry.path === '/services/oauth2/token');
    expect(logged?.body).toEqual({ grant_type: JWT_BEARER, assertion: '[redacted]' });
  });

  it.each([
    [
      'signed with another key',
      () => assertion(salesforce.otherKeys.privateKey),
      'invalid assertion',
    ],
    [
      'expired',
      () => assertion(salesforce.keys.privateKey, { exp: Math.floor(Date.now() / 1000) - 60 }),
      'expired authorization code',
    ],
    [
      'for another audience',
      () => assertion(salesforce.keys.privateKey, { aud: 'https://evil.example' }),
      'audience is invalid',
    ],
    [
      'for an unknown user',
      () => assertion(salesforce.keys.privateKey, { sub: 'nobody@x' }),
      "user hasn't approved this consumer",
    ],
  ])('refuses an assertion %s with 400 invalid_grant', async (_label, build, description) => {
    const reply = await requestToken({ grant_type: JWT_BEARER, assertion: await build() });
    expect(reply).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: description },
    });
  });

  it('refreshes with a known refresh token and refuses an unknown one', async () => {
    const ok = await requestToken({
      grant_type: 'refresh_token',
      client_id: SANDBOX_SALESFORCE_CREDENTIALS.clientId,
      refresh_token: SANDBOX_SALESFORCE_CREDENTIALS.refreshToken,
    });
    const bad = await requestToken({
      grant_type: 'refresh_token',
      client_id: SANDBOX_SALESFORCE_CREDENTIALS.clientId,
      refresh_token: 'revoked',
    });
    const unsupported = await requestToken({ grant_type: 'password' });
    expect(ok.status).toBe(200);
    expect(bad).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    });
    expect(unsupported.body.error).toBe('unsupported_grant_type');
  });
});

describe('sObject Collections update', () => {
  const CONTACTS = SANDBOX_SALESFORCE_IDS.contacts;
  const collection = (body: unknown) => patch('/composite/sobjects', body);
  const caseRecord = (id: string, fields: Record<string, unknown>) => ({
    attributes: { type: 'Case' },
    id,
    ...fields,
  });

  it('updates records of several types in one call and answers SaveResults in request order', async () => {
    const reply = await collection({
      records: [
        caseRecord(CASES.order1001, { Status: 'Working' }),
        { attributes: { type: 'Contact' }, id: CONTACTS.chenWei, Email: 'chen@example.com' },
        caseRecord(CASES.refund1002, { Payment_Status__c: 'refunded' }),
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([
      { id: CASES.order1001, success: true, errors: [] },
      { id: CONTACTS.chenWei, success: true, errors: [] },
      { id: CASES.refund1002, success: true, errors: [] },
    ]);
    const store = salesforce.fake.store;
    expect(store.findRecord('Case', CASES.order1001)?.Status).toBe('Working');
    expect(store.findRecord('Contact', CONTACTS.chenWei)?.Email).toBe('chen@example.com');
    expect(store.findRecord('Case', CASES.refund1002)?.Payment_Status__c).toBe('refunded');
  });

  it('keeps the good records and reports field errors as a single-record PATCH would', async () => {
    const single = await patch(`/sobjects/Case/${CASES.refund1002}`, {
      Tracking_Number__c: 'x'.repeat(31),
    });
    const reply = await collection({
      allOrNone: false,
      records: [
        caseRecord(CASES.order1001, { Status: 'Working' }),
        caseRecord(CASES.refund1002, { Tracking_Number__c: 'x'.repeat(31) }),
        caseRecord('500SB0000000999AAA', { Status: 'Working' }),
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body[0]).toEqual({ id: CASES.order1001, success: true, errors: [] });
    // A failed SaveResult has no id: it is matched to its record by position.
    expect(reply.body[1]).toEqual({ success: false, errors: expect.any(Array) });
    expect(reply.body[1].errors).toEqual(
      single.body.map((error: { message: string; errorCode: string; fields: string[] }) => ({
        statusCode: error.errorCode,
        message: error.message,
        fields: error.fields,
      })),
    );
    expect(reply.body[2]).toMatchObject({ success: false, errors: [{ statusCode: 'NOT_FOUND' }] });
    expect(salesforce.fake.store.findRecord('Case', CASES.order1001)?.Status).toBe('Working');
  });

  it('rolls everything back with allOrNone when one record fails', async () => {
    const before = structuredClone(salesforce.fake.store.data.records);
    const reply = await collection({
      allOrNone: true,
      records: [
        caseRecord(CASES.order1001, { Status: 'Working' }),
        caseRecord(CASES.refund1002, { Foo__c: 'x' }),
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([
      {
        success: false,
        errors: [
          {
            statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
            message:
              'Record rolled back because not all records were valid and the request was using AllOrNone header',
            fields: [],
          },
        ],
      },
      expect.objectContaining({
        success: false,
        errors: [expect.objectContaining({ statusCode: 'INVALID_FIELD' })],
      }),
    ]);
    expect(salesforce.fake.store.data.records).toEqual(before);
  });

  it('refuses more than 200 records with 400 and writes nothing', async () => {
    const records = Array.from({ length: 201 }, () =>
      caseRecord(CASES.order1001, { Status: 'Working' }),
    );
    const reply = await collection({ records });
    expect(reply.status).toBe(400);
    expect(reply.body[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
    expect(salesforce.fake.store.findRecord('Case', CASES.order1001)?.Status).toBe('New');
  });

  it('answers 400 for a body without records and per record for a missing id or type', async () => {
    expect((await collection({ allOrNone: true })).status).toBe(400);
    const reply = await collection({
      records: [{ attributes: { type: 'Case' }, Status: 'Working' }, { id: CASES.order1001 }],
    });
    expect(
      reply.body.map(
        (result: { errors: { statusCode: string }[] }) => result.errors[0]?.statusCode,
      ),
    ).toEqual(['MISSING_ARGUMENT', 'INVALID_TYPE']);
  });

  it('counts as one API call however many records it carries', async () => {
    const reply = await collection({
      records: [
        caseRecord(CASES.order1001, { Status: 'Working' }),
        caseRecord(CASES.refund1002, { Status: 'Working' }),
      ],
    });
    expect(reply.headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
  });
});

describe('daily API allocation', () => {
  it('does not count OAuth token requests', async () => {
    await requestToken({ grant_type: 'refresh_token', refresh_token: 'nope' });
    const reply = await api('/limits');
    expect(reply.headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
  });

  it('reports the usage on every REST answer, errors included', async () => {
    const missing = await api('/sobjects/Case/500SB0000000999AAA');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
  });
});
