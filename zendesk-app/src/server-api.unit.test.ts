import { describe, expect, it } from 'vitest';
import {
  buildServerRequest,
  createIdempotencyKey,
  createServerApi,
  describeRejection,
  readProxyAnswer,
} from './server-api';
import type { IRequestOptions } from './zaf-client';

describe('the request every server call makes', () => {
  it('goes through the proxy, signed with a JWT from the secure setting', () => {
    expect(
      buildServerRequest('https://connectors.acme.io', 'POST', '/api/connectors/x/run', {
        body: { ticketId: 1 },
        headers: { 'Idempotency-Key': 'k-12345678' },
      }),
    ).toEqual({
      url: 'https://connectors.acme.io/api/connectors/x/run',
      type: 'POST',
      contentType: 'application/json',
      data: '{"ticketId":1}',
      secure: true,
      cors: false,
      dataType: 'json',
      httpCompleteResponse: true,
      headers: { Authorization: 'Bearer {{jwt.token}}', 'Idempotency-Key': 'k-12345678' },
      jwt: {
        algorithm: 'HS256',
        secret_key: '{{setting.shared_secret}}',
        expiry: 60,
        claims: { aud: 'https://connectors.acme.io' },
      },
    });
  });
});

describe('reading what client.request settled with', () => {
  it('takes the body from responseJSON, else from responseText', () => {
    expect(readProxyAnswer({ status: 200, responseJSON: { a: 1 } })).toEqual({
      status: 200,
      body: { a: 1 },
    });
    expect(readProxyAnswer({ status: 200, responseText: '{"a":2}' })).toEqual({
      status: 200,
      body: { a: 2 },
    });
    expect(readProxyAnswer('nope')).toEqual({ status: 0, body: undefined });
  });

  it('turns rejections into failure values', () => {
    expect(describeRejection({ status: 0, statusText: 'error', responseText: '' })).toMatchObject({
      code: 'SERVER_UNREACHABLE',
    });
    expect(describeRejection({ status: 0, statusText: 'timeout' })).toMatchObject({
      code: 'TIMEOUT',
    });
    expect(
      describeRejection({
        status: 401,
        responseText:
          '{"error":{"code":"AUTH_INVALID","message":"The credentials were not accepted."}}',
      }),
    ).toEqual({ code: 'AUTH_INVALID', status: 401, message: 'The credentials were not accepted.' });
    expect(describeRejection({ status: 403, responseText: 'Forbidden host' })).toEqual({
      code: 'HTTP_403',
      status: 403,
      message: 'Forbidden host',
    });
    expect(describeRejection(new Error('boom'))).toMatchObject({ code: 'SERVER_UNREACHABLE' });
  });
});

describe('the server API client', () => {
  it('says "timeout" when the proxy never answers', async () => {
    const api = createServerApi({
      request: () => new Promise(() => undefined),
      serverUrl: 'https://s',
      readTimeoutMs: 5,
    });
    expect(await api.listConnectors(1)).toEqual({
      ok: false,
      error: { code: 'TIMEOUT', status: 0, message: 'The server did not answer in time.' },
    });
  });

  it('refuses an answer of the wrong shape instead of rendering it', async () => {
    const api = createServerApi({
      request: async () => ({ status: 200, responseJSON: { connectors: [{ id: 1 }] } }),
      serverUrl: 'https://s',
    });
    expect(await api.listConnectors(1)).toMatchObject({
      ok: false,
      error: { code: 'RESPONSE_INVALID' },
    });
  });

  it('treats a resolved non-2xx answer as a failure', async () => {
    const api = createServerApi({
      request: async () => ({
        status: 503,
        responseJSON: {
          error: {
            code: 'CONFIG_UNAVAILABLE',
            message: 'No valid connector configuration is loaded.',
          },
        },
      }),
      serverUrl: 'https://s',
    });
    expect(await api.listRuns(1)).toMatchObject({
      ok: false,
      error: { code: 'CONFIG_UNAVAILABLE', status: 503 },
    });
  });

  it('asks for nothing when the server URL setting is empty', async () => {
    const sent: IRequestOptions[] = [];
    const api = createServerApi({ request: async (o) => (sent.push(o), {}), serverUrl: '' });
    expect(await api.listConnectors(1)).toMatchObject({
      ok: false,
      error: { code: 'SERVER_URL_MISSING' },
    });
    expect(
      await api.runConnector('x', { ticketId: 1, inputs: {}, confirmed: false }, 'k-12345678'),
    ).toMatchObject({
      ok: false,
    });
    expect(sent).toEqual([]);
  });

  it('escapes ids in paths and queries', async () => {
    const sent: IRequestOptions[] = [];
    const api = createServerApi({
      request: async (o) => (sent.push(o), { status: 200, responseJSON: {} }),
      serverUrl: 'https://s',
    });
    await api.getRun('run_1/../admin');
    expect(sent[0]?.url).toBe('https://s/api/runs/run_1%2F..%2Fadmin');
  });
});

describe('macro calls', () => {
  const notFound = (code: string) => async () => {
    throw { status: 404, responseJSON: { error: { code, message: 'nope' } } };
  };

  it('read a server without the macros endpoint as "no macros", not as an error', async () => {
    const older = createServerApi({ request: notFound('NOT_FOUND'), serverUrl: 'https://s' });
    expect(await older.listMacros(4)).toEqual({ ok: true, value: [] });
    const missingTicket = createServerApi({
      request: notFound('TICKET_NOT_FOUND'),
      serverUrl: 'https://s',
    });
    expect(await missingTicket.listMacros(4)).toMatchObject({
      ok: false,
      error: { code: 'TICKET_NOT_FOUND', status: 404 },
    });
  });

  it('post the run with the confirmation and the Idempotency-Key of the click', async () => {
    const sent: IRequestOptions[] = [];
    const api = createServerApi({
      request: async (o) => (sent.push(o), { status: 200, responseJSON: {} }),
      serverUrl: 'https://s',
    });
    expect(
      await api.runMacro('a/b', { ticketId: 4, confirmed: true }, 'macro-key-0001'),
    ).toMatchObject({ ok: false, error: { code: 'RESPONSE_INVALID' } });
    expect(sent[0]).toMatchObject({
      url: 'https://s/api/macros/a%2Fb/run',
      type: 'POST',
      data: '{"ticketId":4,"confirmed":true}',
      secure: true,
      headers: { Authorization: 'Bearer {{jwt.token}}', 'Idempotency-Key': 'macro-key-0001' },
    });
  });

  it('ask for nothing when the server URL setting is empty', async () => {
    const sent: IRequestOptions[] = [];
    const api = createServerApi({ request: async (o) => (sent.push(o), {}), serverUrl: '' });
    expect(await api.listMacros(1)).toMatchObject({ error: { code: 'SERVER_URL_MISSING' } });
    expect(await api.runMacro('m', { ticketId: 1, confirmed: false }, 'k-00000001')).toMatchObject({
      error: { code: 'SERVER_URL_MISSING' },
    });
    expect(sent).toEqual([]);
  });
});

describe('idempotency keys', () => {
  it('are new for every click and acceptable to the server (8-200 of [A-Za-z0-9_.:-])', () => {
    const keys = new Set(Array.from({ length: 50 }, createIdempotencyKey));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_.:-]{8,200}$/);
  });
});
