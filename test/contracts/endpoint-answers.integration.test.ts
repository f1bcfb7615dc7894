import request from 'supertest';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import type { RunRecord } from '../../server/src/run-log/run-record';
import { SANDBOX_SALESFORCE_IDS } from '../../server/src/sandbox/seed/salesforce-seed';
import type { RunRecordView } from '../../shared/src/api/answer-schemas';
import { API_ERROR_CODES } from '../../shared/src/api/api-errors';
import type { ApiErrorCode } from '../../shared/src/api/api-errors';
import { buildEndpointPath } from '../../shared/src/api/define-endpoint';
import type { EndpointContract } from '../../shared/src/api/define-endpoint';
import { SALESFORCE_ENDPOINTS, ZENDESK_ENDPOINTS } from '../../shared/src/api/endpoints';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * Every endpoint contract against the real server (fake Zendesk, fake Salesforce org and demo
 * upstream behind it): the answer the server sends is accepted by the contract's answer schema
 * with nothing dropped (so the contract names every field, and nothing it does not send is
 * required), a wrong shape is refused, and the error codes the server answers with are ones the
 * contract lists.
 */

const CASE_1001 = SANDBOX_SALESFORCE_IDS.cases.order1001;
const REP = SANDBOX_SALESFORCE_IDS.users.rep;

let stack: TestStack;
let agentAuth: { Authorization: string };
beforeAll(async () => {
  stack = await startTestStack();
  agentAuth = (await stack.signInAgent()).auth;
});
afterAll(async () => {
  await stack.close();
});

const ALL_ENDPOINTS: [string, EndpointContract][] = [
  ...Object.entries(ZENDESK_ENDPOINTS).map(([name, e]): [string, EndpointContract] => [
    `zendesk ${name}`,
    e,
  ]),
  ...Object.entries(SALESFORCE_ENDPOINTS).map(([name, e]): [string, EndpointContract] => [
    `salesforce ${name}`,
    e,
  ]),
];

/** What each endpoint answered in this suite, to be refused once bent out of shape below. */
const answered = new Map<EndpointContract, Record<string, unknown>>();

/**
 * The request as the contract builds it. The body is checked against the contract first, unless
 * the call means to send one the server must refuse.
 */
function send(
  endpoint: EndpointContract,
  path: string,
  auth: Record<string, string>,
  options: { body?: unknown; key?: string; invalidBody?: true } = {},
) {
  const call =
    endpoint.method === 'GET' ? request(stack.url).get(path) : request(stack.url).post(path);
  call.set(auth);
  if (options.key !== undefined) call.set('Idempotency-Key', options.key);
  if (options.body !== undefined) {
    if (endpoint.method === 'POST' && endpoint.body) {
      expect(z.safeParse(endpoint.body, options.body).success).toBe(!options.invalidBody);
    }
    call.send(options.body as object);
  }
  return call;
}

/** A 200 whose body the contract reads back whole. */
function expectContractAnswer(endpoint: EndpointContract, response: Response): void {
  expect(response.status).toBe(200);
  const parsed = z.safeParse(endpoint.answer, response.body);
  expect(parsed.error?.issues ?? []).toEqual([]);
  // Nothing stripped: a field the server sends that the contract does not name fails here.
  expect(parsed.data).toStrictEqual(response.body);
  answered.set(endpoint, response.body as Record<string, unknown>);
}

/** An error answer whose code the endpoint's contract lists, with the catalogue's status. */
function expectContractError(
  endpoint: EndpointContract,
  response: Response,
  code: ApiErrorCode,
): void {
  expect(response.body.error?.code).toBe(code);
  expect(response.status).toBe(API_ERROR_CODES[code]);
  expect(endpoint.errors).toContain(code);
}

describe('the Zendesk sidebar endpoints answer as their contracts say', () => {
  const endpoints = ZENDESK_ENDPOINTS;

  it('GET /api/connectors', async () => {
    const e = endpoints.listConnectors;
    const res = await send(e, buildEndpointPath(e, { query: { ticketId: 1 } }), agentAuth);
    expectContractAnswer(e, res);
    expect(res.body.connectors.length).toBeGreaterThan(0);

    expectContractError(e, await send(e, buildEndpointPath(e, {}), agentAuth), 'QUERY_INVALID');
    expectContractError(
      e,
      await send(e, buildEndpointPath(e, { query: { ticketId: 1 } }), {}),
      'AUTH_REQUIRED',
    );
    expectContractError(
      e,
      await send(
        e,
        buildEndpointPath(e, { query: { ticketId: 1, surface: 'automation' } }),
        agentAuth,
      ),
      'FORBIDDEN',
    );
    expectContractError(
      e,
      await send(e, buildEndpointPath(e, { query: { ticketId: 999_999 } }), agentAuth),
      'TICKET_NOT_FOUND',
    );
  });

  it('POST /api/connectors/:connectorId/run, and its replay', async () => {
    const e = endpoints.runConnector;
    const path = buildEndpointPath(e, { params: { connectorId: 'shopify_order_lookup' } });
    const body = { ticketId: 1, inputs: { order_number: '#1001' }, confirmed: false };
    const first = await send(e, path, agentAuth, { body, key: 'contract-run-0001' });
    expectContractAnswer(e, first);
    const replay = await send(e, path, agentAuth, { body, key: 'contract-run-0001' });
    expectContractAnswer(e, replay);
    expect(replay.body.replayed).toBe(true);

    expectContractError(
      e,
      await send(e, path, agentAuth, { body: { ...body, inputs: { order_number: 'nope' } } }),
      'INPUT_INVALID',
    );
    expectContractError(
      e,
      await send(e, buildEndpointPath(e, { params: { connectorId: 'no_such' } }), agentAuth, {
        body,
      }),
      'CONNECTOR_NOT_FOUND',
    );
    expectContractError(
      e,
      await send(e, path, agentAuth, { body: { ...body, confirmed: 'yes' }, invalidBody: true }),
      'BODY_INVALID',
    );
    expectContractError(
      e,
      await send(e, path, agentAuth, { body: { ...body, ticketId: 2 }, key: 'contract-run-0001' }),
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('GET /api/macros and POST /api/macros/:macroId/run', async () => {
    const list = endpoints.listMacros;
    const listed = await send(list, buildEndpointPath(list, { query: { ticketId: 4 } }), agentAuth);
    expectContractAnswer(list, listed);
    expect(listed.body.macros.length).toBeGreaterThan(0);

    const run = endpoints.runMacro;
    const path = buildEndpointPath(run, { params: { macroId: 'escalate_to_engineering' } });
    expectContractError(
      run,
      await send(run, path, agentAuth, { body: { ticketId: 4, confirmed: false } }),
      'CONFIRMATION_REQUIRED',
    );
    const ran = await send(run, path, agentAuth, {
      body: { ticketId: 4, confirmed: true },
      key: 'contract-macro-0001',
    });
    expectContractAnswer(run, ran);
    expect(ran.body.steps.length).toBeGreaterThan(1);
    const replay = await send(run, path, agentAuth, {
      body: { ticketId: 4, confirmed: true },
      key: 'contract-macro-0001',
    });
    expectContractAnswer(run, replay);
    expect(replay.body.replayed).toBe(true);
    expectContractError(
      run,
      await send(run, buildEndpointPath(run, { params: { macroId: 'no_such' } }), agentAuth, {
        body: { ticketId: 4, confirmed: true },
      }),
      'NOT_FOUND',
    );
  });

  it('GET /api/runs (both kinds of page end) and GET /api/runs/:runId (every kind of run)', async () => {
    const list = endpoints.listRuns;
    const page = await send(
      list,
      buildEndpointPath(list, { query: { ticketId: 4, limit: 1 } }),
      agentAuth,
    );
    expectContractAnswer(list, page);
    expect(typeof page.body.nextCursor).toBe('string');
    const all = await send(
      list,
      buildEndpointPath(list, { query: { ticketId: 4, limit: 500 } }),
      agentAuth,
    );
    expectContractAnswer(list, all);
    expect(all.body.nextCursor).toBeNull();
    const kinds = new Set(all.body.runs.map((run: { kind: string }) => run.kind));
    expect(kinds).toEqual(new Set(['connector', 'macro']));

    const get = endpoints.getRun;
    for (const run of all.body.runs as { id: string }[]) {
      expectContractAnswer(
        get,
        await send(get, buildEndpointPath(get, { params: { runId: run.id } }), agentAuth),
      );
    }
    expectContractError(
      get,
      await send(get, buildEndpointPath(get, { params: { runId: 'run_nope' } }), agentAuth),
      'RUN_NOT_FOUND',
    );
    expectContractError(
      list,
      await send(list, buildEndpointPath(list, {}), agentAuth),
      'FORBIDDEN',
    );
  });

  it('POST /api/session/refresh', async () => {
    const e = endpoints.refreshSession;
    const signedIn = await stack.signInAgent();
    expectContractAnswer(e, await send(e, buildEndpointPath(e, {}), signedIn.auth));
    expectContractError(e, await send(e, buildEndpointPath(e, {}), stack.adminAuth), 'FORBIDDEN');
  });
});

describe('the Salesforce endpoints answer as their contracts say', () => {
  const endpoints = SALESFORCE_ENDPOINTS;
  const onCase = { objectApiName: 'Case', recordId: CASE_1001, userId: REP };

  /** Lists what applies to Case 1001 as Apex would, and holds the answer to its contract. */
  const listOnCase = async (
    list: typeof endpoints.listConnectors | typeof endpoints.listMacros,
  ) => {
    const listed = await send(
      list,
      buildEndpointPath(list, { query: onCase }),
      stack.salesforceAuth,
    );
    expectContractAnswer(list, listed);
    return listed;
  };

  it('GET /api/salesforce/connectors and POST …/connectors/:connectorId/run', async () => {
    const list = endpoints.listConnectors;
    expect((await listOnCase(list)).body.connectors.length).toBeGreaterThan(0);
    expectContractError(
      list,
      await send(
        list,
        buildEndpointPath(list, { query: { ...onCase, recordId: 'nope' } }),
        stack.salesforceAuth,
      ),
      'QUERY_INVALID',
    );

    const run = endpoints.runConnector;
    const path = buildEndpointPath(run, { params: { connectorId: 'shopify_order_lookup' } });
    expectContractAnswer(
      run,
      await send(run, path, stack.salesforceAuth, { body: onCase, key: 'contract-sf-run-1' }),
    );
    expectContractError(
      run,
      await send(run, path, stack.salesforceAuth, {
        body: { ...onCase, allowedConnectorIds: ['jira_create_issue_from_case'] },
      }),
      'CONNECTOR_NOT_ALLOWED',
    );
    expectContractError(run, await send(run, path, {}, { body: onCase }), 'AUTH_REQUIRED');
  });

  it('GET /api/salesforce/macros, POST …/macros/:macroId/run and GET …/runs/:runId', async () => {
    const list = endpoints.listMacros;
    expect((await listOnCase(list)).body.macros.length).toBeGreaterThan(0);

    const run = endpoints.runMacro;
    const path = buildEndpointPath(run, { params: { macroId: 'escalate_case' } });
    expectContractError(
      run,
      await send(run, path, stack.salesforceAuth, { body: onCase }),
      'CONFIRMATION_REQUIRED',
    );
    const ran = await send(run, path, stack.salesforceAuth, {
      body: { ...onCase, confirmed: true },
    });
    expectContractAnswer(run, ran);

    const get = endpoints.getRun;
    const runIds = [
      ran.body.runId,
      ...ran.body.steps.flatMap((s: { runId?: string }) => s.runId ?? []),
    ];
    expect(runIds.length).toBeGreaterThan(1);
    for (const runId of runIds) {
      expectContractAnswer(
        get,
        await send(get, buildEndpointPath(get, { params: { runId } }), stack.salesforceAuth),
      );
    }
    expectContractError(
      get,
      await send(
        get,
        buildEndpointPath(get, { params: { runId: 'run_01J00000000000000000000000' } }),
        stack.salesforceAuth,
      ),
      'RUN_NOT_FOUND',
    );
  });
});

describe('the answer schemas refuse a wrong shape', () => {
  it('has a real answer of every endpoint from the suites above', () => {
    expect(ALL_ENDPOINTS.filter(([, e]) => !answered.has(e)).map(([name]) => name)).toEqual([]);
  });

  it.each(ALL_ENDPOINTS)('%s: any top-level field with another shape', (_name, endpoint) => {
    const answer = answered.get(endpoint);
    if (!answer) throw new Error('no answer recorded');
    for (const field of Object.keys(answer)) {
      const bent = { ...answer, [field]: { wrong: true } };
      expect(z.safeParse(endpoint.answer, bent).success, field).toBe(false);
    }
    expect(z.safeParse(endpoint.answer, []).success).toBe(false);
    expect(z.safeParse(endpoint.answer, null).success).toBe(false);
  });

  it('a nested field missing or of another type', () => {
    const listed = answered.get(ZENDESK_ENDPOINTS.listConnectors) as {
      connectors: { inputs: Record<string, unknown>[] }[];
    };
    const [connector] = listed.connectors;
    const [input] = connector?.inputs ?? [];
    if (!connector || !input) throw new Error('no connector with an input');
    const { trim: _trim, ...withoutTrim } = input;
    const bend = (changed: Record<string, unknown>) => ({
      ...listed,
      connectors: [{ ...connector, inputs: [changed] }],
    });
    const schema = ZENDESK_ENDPOINTS.listConnectors.answer;
    expect(z.safeParse(schema, bend(input)).success).toBe(true);
    expect(z.safeParse(schema, bend(withoutTrim)).success).toBe(false);
    expect(z.safeParse(schema, bend({ ...input, maxLength: '12' })).success).toBe(false);

    const page = answered.get(ZENDESK_ENDPOINTS.listRuns) as { runs: Record<string, unknown>[] };
    const [run] = page.runs;
    if (!run) throw new Error('no run');
    const runs = ZENDESK_ENDPOINTS.listRuns.answer;
    expect(z.safeParse(runs, { ...page, runs: [{ ...run, kind: 'job' }] }).success).toBe(false);
    expect(z.safeParse(runs, { ...page, runs: [{ ...run, outcome: 'done' }] }).success).toBe(false);
  });
});

describe('the run-log entry the server builds is the one the contract describes', () => {
  it('has the same type on both sides', () => {
    // The server's RunRecord comes from its own (storage) schema; the contract must track it.
    expectTypeOf<RunRecord>().toEqualTypeOf<RunRecordView>();
  });
});
