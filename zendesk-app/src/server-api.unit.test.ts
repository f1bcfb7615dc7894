import { describe, expect, it } from 'vitest';
import { createIdempotencyKey, createServerApi, describeAnswer } from './server-api';
import type { HttpAnswer, HttpRequest, Transport } from './server-api';
import type { AgentSession } from './session';

function session(tokens: string[] = ['t1'], renewable = true): AgentSession & { renewals: number } {
  let index = 0;
  const state = {
    renewals: 0,
    user: { id: 1, name: 'Alex', role: 'agent' },
    token: () => tokens[index] ?? '',
    renew: async () => {
      state.renewals += 1;
      if (!renewable || index + 1 >= tokens.length) return false;
      index += 1;
      return true;
    },
    stop: () => undefined,
  };
  return state;
}

function recording(answers: HttpAnswer[]): { transport: Transport; sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  return {
    sent,
    transport: async (request) => {
      sent.push(request);
      return answers.shift() ?? { kind: 'answer', status: 200, text: '{}' };
    },
  };
}

const json = (status: number, body: unknown): HttpAnswer => ({
  kind: 'answer',
  status,
  text: JSON.stringify(body),
});

describe('what every server call sends', () => {
  it('goes to the same origin with the session as a bearer token, and the body as JSON', async () => {
    const { transport, sent } = recording([]);
    const api = createServerApi({ transport, session: session() });
    await api.runConnector('x', { ticketId: 1, inputs: {}, confirmed: true }, 'k-12345678');
    expect(sent[0]).toMatchObject({
      method: 'POST',
      path: '/api/connectors/x/run',
      headers: {
        Authorization: 'Bearer t1',
        'Content-Type': 'application/json',
        'Idempotency-Key': 'k-12345678',
      },
      body: '{"ticketId":1,"inputs":{},"confirmed":true}',
    });
  });

  it('escapes ids in paths and queries', async () => {
    const { transport, sent } = recording([]);
    const api = createServerApi({ transport, session: session() });
    await api.getRun('run_1/../admin');
    await api.listRuns(1, 5);
    expect(sent.map((request) => request.path)).toEqual([
      '/api/runs/run_1%2F..%2Fadmin',
      '/api/runs?ticketId=1&limit=5',
    ]);
  });
});

describe('failures as values', () => {
  it('says "timeout" and "unreachable" when nothing answers', async () => {
    expect(describeAnswer({ kind: 'timeout' })).toMatchObject({ code: 'TIMEOUT', status: 0 });
    expect(describeAnswer({ kind: 'unreachable' })).toMatchObject({
      code: 'SERVER_UNREACHABLE',
      status: 0,
    });
  });

  it("reads the server's error body, and falls back to the status", () => {
    expect(
      describeAnswer(json(401, { error: { code: 'AUTH_INVALID', message: 'Not accepted.' } })),
    ).toEqual({ code: 'AUTH_INVALID', status: 401, message: 'Not accepted.' });
    expect(describeAnswer({ kind: 'answer', status: 502, text: 'Bad gateway' })).toEqual({
      code: 'HTTP_502',
      status: 502,
      message: 'Bad gateway',
    });
  });

  it('refuses an answer of the wrong shape instead of rendering it', async () => {
    const { transport } = recording([json(200, { ticketId: '1', connectors: [{ id: 1 }] })]);
    const api = createServerApi({ transport, session: session() });
    expect(await api.listConnectors(1)).toMatchObject({
      ok: false,
      error: { code: 'RESPONSE_INVALID' },
    });
  });

  it('passes the timeout of the kind of call to the transport', async () => {
    const { transport, sent } = recording([{ kind: 'timeout' }, { kind: 'timeout' }]);
    const api = createServerApi({
      transport,
      session: session(),
      readTimeoutMs: 5,
      runTimeoutMs: 9,
    });
    expect(await api.listConnectors(1)).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    await api.runMacro('m', { ticketId: 1, confirmed: false }, 'k-00000001');
    expect(sent.map((request) => request.timeoutMs)).toEqual([5, 9]);
  });
});

describe('an expired session', () => {
  const expired = json(401, { error: { code: 'SESSION_EXPIRED', message: 'Expired.' } });

  it('is renewed once, and the call repeated with the new token and the same key', async () => {
    const { transport, sent } = recording([expired, json(200, { ticketId: '1', connectors: [] })]);
    const api = createServerApi({ transport, session: session(['old', 'new']) });
    expect(await api.listConnectors(1)).toEqual({ ok: true, value: [] });
    await api.runConnector('x', { ticketId: 1, inputs: {}, confirmed: false }, 'k-repeat-1');
    expect(sent.map((request) => request.headers.Authorization)).toEqual([
      'Bearer old',
      'Bearer new',
      'Bearer new',
    ]);
  });

  it('that cannot be renewed is the failure the agent sees', async () => {
    const { transport, sent } = recording([expired]);
    const state = session(['old'], false);
    const api = createServerApi({ transport, session: state });
    expect(await api.listConnectors(1)).toMatchObject({
      ok: false,
      error: { code: 'SESSION_EXPIRED', status: 401 },
    });
    expect(state.renewals).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('is not renewed for other 401s (a forged or revoked session)', async () => {
    const { transport } = recording([
      json(401, { error: { code: 'AUTH_INVALID', message: 'No.' } }),
    ]);
    const state = session(['old', 'new']);
    const api = createServerApi({ transport, session: state });
    expect(await api.listConnectors(1)).toMatchObject({ error: { code: 'AUTH_INVALID' } });
    expect(state.renewals).toBe(0);
  });
});

describe('macro calls', () => {
  it('read a server without the macros endpoint as "no macros", not as an error', async () => {
    const older = createServerApi({
      transport: recording([json(404, { error: { code: 'NOT_FOUND', message: 'nope' } })])
        .transport,
      session: session(),
    });
    expect(await older.listMacros(4)).toEqual({ ok: true, value: [] });
    const hidden = createServerApi({
      transport: recording([json(404, { error: { code: 'TICKET_NOT_FOUND', message: 'nope' } })])
        .transport,
      session: session(),
    });
    expect(await hidden.listMacros(4)).toMatchObject({
      ok: false,
      error: { code: 'TICKET_NOT_FOUND', status: 404 },
    });
  });

  it('post the run with the confirmation and the Idempotency-Key of the click', async () => {
    const { transport, sent } = recording([]);
    const api = createServerApi({ transport, session: session() });
    expect(
      await api.runMacro('a/b', { ticketId: 4, confirmed: true }, 'macro-key-0001'),
    ).toMatchObject({ ok: false, error: { code: 'RESPONSE_INVALID' } });
    expect(sent[0]).toMatchObject({
      method: 'POST',
      path: '/api/macros/a%2Fb/run',
      body: '{"ticketId":4,"confirmed":true}',
      headers: { Authorization: 'Bearer t1', 'Idempotency-Key': 'macro-key-0001' },
    });
  });
});

describe('idempotency keys', () => {
  it('are new for every click and acceptable to the server (8-200 of [A-Za-z0-9_.:-])', () => {
    const keys = new Set(Array.from({ length: 50 }, createIdempotencyKey));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_.:-]{8,200}$/);
  });
});
