import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { startTestStack } from '../../test/support/start-test-stack';
import type { TestStack } from '../../test/support/start-test-stack';
import { describeFailure } from './error-messages';
import { executeMacro } from './macro-flow';
import { executeRun } from './run-flow';
import { createFetchTransport, createIdempotencyKey, createServerApi } from './server-api';
import { createAgentSession } from './session';
import { ESCALATE_TO_ENGINEERING_VIEW } from '../../test/support/macro-answers';

/**
 * The app's server client against the real service (fake Zendesk and demo upstream behind it),
 * with the session the server hands the page when Zendesk loads it signed.
 */

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.close();
});

async function appApi(options: { serverUrl?: string; token?: string } = {}) {
  const signedIn = await stack.signInAgent();
  const transport = createFetchTransport(fetch, options.serverUrl ?? stack.url);
  const session = createAgentSession(
    {
      token: options.token ?? signedIn.token,
      expiresAt: signedIn.expiresAt,
      user: { id: 90000000002, name: 'Alex Agent', role: 'agent' },
    },
    { transport, onEnded: () => undefined, setTimer: () => undefined, clearTimer: () => undefined },
  );
  return { api: createServerApi({ transport, session }) };
}

describe('the sidebar talking to the server', () => {
  it('lists the connectors that apply to the ticket, with their prefilled inputs', async () => {
    const { api } = await appApi();
    const result = await api.listConnectors(1);
    expect(result.ok).toBe(true);
    const ids = result.ok ? result.value.map((connector) => connector.id) : [];
    expect(ids).toContain('shopify_order_lookup');
    expect(ids).not.toContain('jira_create_issue');
    const lookup = result.ok
      ? result.value.find((c) => c.id === 'shopify_order_lookup')
      : undefined;
    expect(lookup?.inputs[0]).toMatchObject({ name: 'order_number', prompt: true, value: '#1001' });
  });

  it('runs a connector, and says what the server saved on the ticket', async () => {
    const { api } = await appApi();
    const connectors = await api.listConnectors(1);
    const connector = connectors.ok
      ? connectors.value.find((c) => c.id === 'shopify_order_lookup')
      : undefined;
    if (!connector) throw new Error('no order lookup');
    const outcome = await executeRun(
      { api, serverUrl: stack.url },
      {
        connector,
        ticketId: 1,
        commentId: undefined,
        inputs: { order_number: '#1001' },
        idempotencyKey: createIdempotencyKey(),
      },
    );
    expect(outcome).toMatchObject({
      kind: 'result',
      view: { outcome: 'success' },
      saved: { fields: 3 },
    });
    expect(stack.ticket(1).customFields[String(SANDBOX_FIELD_IDS.trackingNumber)]).toBe(
      '1Z999AA10123456784',
    );

    const runs = await api.listRuns(1, 10);
    const latest = runs.ok ? runs.value[0] : undefined;
    expect(latest).toMatchObject({ connectorId: 'shopify_order_lookup', outcome: 'success' });
    const entry = await api.getRun(latest?.id ?? '');
    expect(entry).toMatchObject({
      ok: true,
      value: { id: latest?.id, actor: { kind: 'agent', id: '90000000002' } },
    });
  });

  it('replays instead of running twice when the same key is sent again', async () => {
    const { api } = await appApi();
    const key = createIdempotencyKey();
    const body = { ticketId: 2, inputs: {}, confirmed: false };
    const first = await api.runConnector('shopify_order_lookup', body, key);
    const second = await api.runConnector('shopify_order_lookup', body, key);
    expect(first.ok && second.ok && second.value.runId).toBe(first.ok && first.value.runId);
    expect(second.ok && second.value.replayed).toBe(true);
  });

  it('runs a connector on a picked comment', async () => {
    const { api } = await appApi();
    const result = await api.runConnector(
      'jira_issue_from_comment',
      { ticketId: 1, commentId: 10000000003, inputs: {}, confirmed: true },
      createIdempotencyKey(),
    );
    expect(result).toMatchObject({ ok: true, value: { outcome: 'success' } });
    expect(stack.ticket(1).customFields[String(SANDBOX_FIELD_IDS.jiraIssueKey)]).toMatch(
      /^SUP-\d+$/,
    );
  });

  it('names the input the server refused (422)', async () => {
    const { api } = await appApi();
    const result = await api.runConnector(
      'shopify_order_lookup',
      { ticketId: 1, inputs: { order_number: 'not an order' }, confirmed: false },
      createIdempotencyKey(),
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID', status: 422 } });
    const view = result.ok
      ? undefined
      : describeFailure(result.error, { inputLabels: new Map([['order_number', 'Order number']]) });
    expect(view?.title).toBe('Check the input: Order number');
  });

  it('tells the agent to reload the ticket when the server does not accept the session', async () => {
    const { api } = await appApi({ token: 'eyJhbGciOiJIUzI1NiJ9.e30.forged' });
    const result = await api.listConnectors(1);
    expect(result).toMatchObject({ ok: false, error: { code: 'AUTH_INVALID', status: 401 } });
    const view = result.ok ? undefined : describeFailure(result.error);
    expect(view?.hint).toContain('Reload the ticket');
  });

  it('says the server is unreachable when nothing listens at the URL', async () => {
    const { api } = await appApi({ serverUrl: 'http://127.0.0.1:9' });
    expect(await api.listConnectors(1)).toMatchObject({
      ok: false,
      error: { code: 'SERVER_UNREACHABLE', status: 0 },
    });
  });
});

describe('macros from the sidebar', () => {
  it('lists the macros that apply to the ticket with the connectors they run', async () => {
    const { api } = await appApi();
    expect(await api.listMacros(4)).toEqual({ ok: true, value: [ESCALATE_TO_ENGINEERING_VIEW] });
  });

  it('is refused unconfirmed, then runs every step and sets the written field in the form', async () => {
    const { api } = await appApi();
    const unconfirmed = await api.runMacro(
      'escalate_to_engineering',
      { ticketId: 4, confirmed: false },
      'unconfirmed-0001',
    );
    expect(unconfirmed).toMatchObject({
      ok: false,
      error: { code: 'CONFIRMATION_REQUIRED', status: 409 },
    });
    const listed = await api.listMacros(4);
    const macro = listed.ok ? listed.value[0] : undefined;
    if (!macro) throw new Error('no macro for ticket 4');

    const outcome = await executeMacro(
      { api, serverUrl: stack.url },
      { macro, ticketId: 4, idempotencyKey: 'escalate-0001' },
    );
    const key = stack.upstream.createdIssues.at(-1)?.key;
    const issues = stack.upstream.createdIssues.length;
    // The same click again (a lost answer, a double click): the first result, no second issue.
    const again = await api.runMacro(
      'escalate_to_engineering',
      { ticketId: 4, confirmed: true },
      'escalate-0001',
    );
    expect(again).toMatchObject({ ok: true, value: { outcome: 'success' } });
    expect(stack.upstream.createdIssues.length).toBe(issues);
    expect(key).toMatch(/^SUP-\d+$/);
    expect(outcome).toMatchObject({
      kind: 'result',
      view: { outcome: 'success', message: 'All steps completed.' },
    });
    const steps = outcome.kind === 'result' ? outcome.view.steps : [];
    expect(steps.map((step) => [step.stepId, step.outcome])).toEqual([
      ['create_issue', 'success'],
      ['after_create', 'success'],
      ['write_key', 'success'],
      ['add_tag', 'success'],
      ['add_note', 'success'],
    ]);
    expect(steps[0]?.message).toBe(`Created ${key}.`);
    expect(outcome).toMatchObject({ saved: { fields: 1, note: true } });
    expect(stack.ticket(4).customFields[String(SANDBOX_FIELD_IDS.jiraIssueKey)]).toBe(key);

    // The ticket is now tagged escalated_to_engineering, which the macro's appliesWhen excludes.
    expect(await api.listMacros(4)).toEqual({ ok: true, value: [] });
    const runs = await api.listRuns(4, 10);
    expect(runs.ok && runs.value[0]).toMatchObject({
      connectorId: 'jira_create_issue',
      actor: { kind: 'agent', id: '90000000002' },
    });
  });

  it('names an unknown macro as not found', async () => {
    const { api } = await appApi();
    expect(
      await api.runMacro('no_such_macro', { ticketId: 4, confirmed: true }, 'unknown-0001'),
    ).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', status: 404 },
    });
  });
});
