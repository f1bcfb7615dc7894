import { describe, expect, it } from 'vitest';
import type { CompiledConfig } from '../compile/compiled-model';
import { compileTestConfig, TEST_CONNECTION_ID, TEST_SECRETS } from '../test-support/test-config';
import { createLogger } from '../logging/logger';
import { createRedactor } from '../logging/redact';
import type { OutboundRequest, SendResult } from '../request/request-types';
import type { RunRecord } from '../run-log/run-record';
import type { RunDeps } from '../runs/run-connector';
import { createZendeskHelpdesk } from '../helpdesks/zendesk/zendesk-helpdesk';
import type { TicketContext } from '../helpdesks/zendesk/client/ticket-context';
import type { TicketUpdate, ZendeskClient } from '../helpdesks/zendesk/client/zendesk-client';
import type { StepResult } from './delivery-queue';
import { createMemoryProgress, runSteps, targetSourcesReadBySteps } from './run-steps';
import type { StepRunContext } from './run-steps';

/**
 * The step engine's resume rules, with a fake upstream and the real Zendesk helpdesk over a
 * Zendesk client that only records the updates it is asked to make: what is repeated after an
 * interrupted attempt, and what is not. Notes are rendered by the code under test (the engine's
 * scope, the helpdesk's buildTicketUpdate), never by the fake, so a wrong rendering fails here.
 */

const TICKET_ID = 7;
const LOADED_AT = '2026-01-07T09:00:00Z';

/** Zendesk holding ticket 7; it records every update as sent and renders nothing itself. */
function recordingZendesk(): { client: ZendeskClient; updates: TicketUpdate[] } {
  const updates: TicketUpdate[] = [];
  const context: TicketContext = {
    ticket: {
      id: TICKET_ID,
      subject: 'Step engine',
      description: null,
      status: 'open',
      priority: null,
      type: null,
      tags: [],
      brandId: null,
      groupId: null,
      requesterId: null,
      assigneeId: null,
      organizationId: null,
      ticketFormId: null,
      externalId: null,
      customFields: {},
      updatedAt: LOADED_AT,
    },
    requester: null,
    organization: null,
    comment: null,
    raw: {},
  };
  const unused = async (): Promise<never> => {
    throw new Error('the step engine does not call this');
  };
  const client: ZendeskClient = {
    updateManyTickets: unused,
    getJobStatus: unused,
    getTicketContext: async (ticketId) =>
      ticketId === TICKET_ID
        ? { ok: true, value: structuredClone(context) }
        : {
            ok: false,
            error: { code: 'ZENDESK_NOT_FOUND', message: 'Not found', status: 404, attempts: 1 },
          },
    updateTicket: async (_ticketId, update) => {
      updates.push(update);
      return { ok: true, value: { ticketUpdatedAt: LOADED_AT, attempts: 1 } };
    },
    getUser: unused,
    listUserGroupIds: unused,
    listUserOrganizationIds: unused,
    getGroup: unused,
    getCustomRole: unused,
    getAppPublicKey: unused,
    listComments: unused,
    listTicketFields: unused,
    createTicket: unused,
    searchTicketIds: unused,
    countSearchResults: unused,
  };
  return { client, updates };
}

function connector(id: string, method: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    connection: TEST_CONNECTION_ID,
    surfaces: ['automation'],
    inputs: [
      { name: 'ticket_id', type: 'integer', source: 'ticket.id' },
      { name: 'idempotency_key', required: false, default: '' },
    ],
    request: {
      method,
      path: `/${id}`,
      headers: { 'Idempotency-Key': '{{inputs.idempotency_key}}' },
    },
    response: { emptyStatus: [], outputs: [{ name: 'key', path: 'key' }] },
    ...extra,
  };
}

function compile(steps: unknown[]): CompiledConfig {
  const result = compileTestConfig({
    connections: {
      [TEST_CONNECTION_ID]: {
        baseUrl: 'https://api.example.com/v1',
        auth: { type: 'bearer', token: '{{secrets.API_TOKEN}}' },
      },
    },
    connectors: [connector('create', 'POST'), connector('lookup', 'GET')],
    workflows: [{ id: 'flow', name: 'Flow', trigger: { zendesk: {} }, steps }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error.issues));
  return result.value.compiled;
}

const FAILURE_NOTE = { type: 'write', id: 'note_failure', internalNote: '{{error.code}}' };
const SUCCESS_NOTE = {
  type: 'write',
  id: 'note_key',
  internalNote: 'key {{steps.run.outputs.key}}',
};

function harness(
  steps: unknown[],
  answer: (request: OutboundRequest) => Partial<SendResult> = () => ({}),
  /** Connectors an alert paused. */
  paused: readonly string[] = [],
) {
  const config = compile(steps);
  const sent: OutboundRequest[] = [];
  const runs = new Map<string, RunRecord>();
  const zendesk = recordingZendesk();
  const helpdesk = createZendeskHelpdesk(zendesk.client);
  const run: RunDeps = {
    config: () => config,
    helpdesks: new Map([['zendesk', helpdesk]]),
    secrets: () => ({ ...TEST_SECRETS }),
    send: async (_connector, request) => {
      sent.push(request);
      return {
        ok: true,
        status: 200,
        headers: {},
        contentType: 'application/json',
        bodyText: '{"key":"K-1"}',
        json: { key: 'K-1' },
        attempts: [{ attempt: 1, status: 200, reason: 'ok' }],
        durationMs: 1,
        finalUrl: request.url,
        ...answer(request),
      } as SendResult;
    },
    acquireSlot: async () => () => undefined,
    runLog: {
      record: async (record) => void runs.set(record.id, record),
      get: async (id) => runs.get(id),
      query: async () => ({ runs: [] }),
      lastRunsFor: async () => ({}),
      summarize: async () => ({}),
      prune: async () => 0,
      count: async () => runs.size,
      close: async () => undefined,
    },
    logger: createLogger({ level: 'silent', redactor: createRedactor(() => []) }),
    redactor: createRedactor(() => []),
    pauses: { isPaused: (id) => paused.includes(id) },
  };
  const progress = createMemoryProgress();
  const context = (overrides: Partial<StepRunContext> = {}): StepRunContext => ({
    kind: 'workflow',
    ownerId: 'flow',
    steps: config.workflows.get('flow')?.steps ?? [],
    system: 'zendesk',
    targetType: 'ticket',
    targetId: String(TICKET_ID),
    trigger: {},
    executionId: 'dlv_TEST',
    finalAttempt: false,
    source: 'automation',
    actor: { kind: 'system' },
    ...overrides,
  });
  return {
    sent,
    updates: zendesk.updates,
    /** The internal notes as rendered and sent to Zendesk, one per ticket update that had one. */
    notes: () => zendesk.updates.flatMap((update) => update.internalNote ?? []),
    progress,
    execute: (overrides?: Partial<StepRunContext>) =>
      runSteps({ config, helpdesk, run, progress }, context(overrides)),
  };
}

const started: StepResult = { type: 'run', outcome: 'failed', message: 'Started' };
const branch = {
  type: 'branch',
  id: 'after',
  on: 'run',
  success: [SUCCESS_NOTE],
  failure: [FAILURE_NOTE],
};

describe('resuming an interrupted workflow', () => {
  it('does not repeat a run step that finished, and still uses its outputs', async () => {
    const h = harness([{ type: 'run', id: 'run', connector: 'create' }, branch]);
    await h.progress.record('run', 'done', {
      type: 'run',
      outcome: 'success',
      message: 'ok',
      values: { key: 'K-0' },
    });
    const result = await h.execute();
    expect(h.sent).toHaveLength(0);
    expect(result).toMatchObject({ kind: 'finished', outcome: 'success' });
    expect(h.updates).toEqual([{ internalNote: 'key K-0', safeUpdateStamp: LOADED_AT }]);
  });

  it('does not send an interrupted POST again without an idempotency key: its failure path runs', async () => {
    const h = harness([{ type: 'run', id: 'run', connector: 'create' }, branch]);
    await h.progress.record('run', 'started', started);
    const result = await h.execute();
    expect(h.sent).toHaveLength(0);
    expect(result).toMatchObject({ kind: 'finished', outcome: 'failed' });
    expect(h.notes()).toEqual(['STEP_OUTCOME_UNKNOWN']);
  });

  it('sends an interrupted POST again with the same key when the step declares one', async () => {
    const h = harness([
      { type: 'run', id: 'run', connector: 'create', idempotencyKey: true },
      branch,
    ]);
    await h.progress.record('run', 'started', started);
    await h.execute();
    const keyOf = (request: OutboundRequest) =>
      Object.entries(request.headers).find(
        ([name]) => name.toLowerCase() === 'idempotency-key',
      )?.[1];
    expect(h.sent.map(keyOf)).toEqual(['dlv_TEST:run']);
    expect(h.notes()).toEqual(['key K-1']);
  });

  it('runs an interrupted GET again', async () => {
    const h = harness([{ type: 'run', id: 'run', connector: 'lookup' }, branch]);
    await h.progress.record('run', 'started', started);
    await h.execute();
    expect(h.sent).toHaveLength(1);
  });
});

describe('transient upstream failures', () => {
  const unavailable = () => ({
    ok: false as const,
    status: 503,
    error: { code: 'UPSTREAM_RETRIES_EXHAUSTED' as const, message: 'answered 503', status: 503 },
  });

  it('asks for a later attempt on a 503, then takes the failure path on the last one', async () => {
    const h = harness([{ type: 'run', id: 'run', connector: 'create' }, branch], unavailable);
    expect(await h.execute()).toMatchObject({
      kind: 'retry',
      error: { code: 'UPSTREAM_RETRIES_EXHAUSTED' },
    });
    expect(h.notes()).toEqual([]);
    expect(await h.execute({ finalAttempt: true })).toMatchObject({
      kind: 'finished',
      outcome: 'failed',
    });
    expect(h.notes()).toEqual(['UPSTREAM_RETRIES_EXHAUSTED']);
  });

  it('does not repeat a POST that timed out (it may have acted): the failure path runs at once', async () => {
    const h = harness([{ type: 'run', id: 'run', connector: 'create' }, branch], () => ({
      ok: false as const,
      error: { code: 'UPSTREAM_TIMEOUT' as const, message: 'no answer in 10 s' },
    }));
    expect(await h.execute()).toMatchObject({ kind: 'finished', outcome: 'failed' });
    expect(h.notes()).toEqual(['UPSTREAM_TIMEOUT']);
  });

  it('ends the workflow as failed when no branch handles a failed run', async () => {
    const h = harness([{ type: 'run', id: 'run', connector: 'create' }, SUCCESS_NOTE], unavailable);
    expect(await h.execute({ finalAttempt: true })).toMatchObject({
      kind: 'finished',
      outcome: 'failed',
      message: expect.stringMatching(/^Step "run" failed \(UPSTREAM_RETRIES_EXHAUSTED\)/),
    });
    expect(h.notes()).toEqual([]);
  });
});

describe('targetSourcesReadBySteps', () => {
  it('lists the target sources of every collect step, nested ones included, once each', () => {
    const config = compile([
      {
        type: 'collect',
        id: 'read',
        values: [
          { name: 'subject', source: 'record.Subject' },
          { name: 'ticket', source: 'ticket.subject', required: false },
          { name: 'from_body', source: 'trigger.priority', required: false },
        ],
        onMissing: [
          {
            type: 'collect',
            id: 'read_owner',
            values: [{ name: 'owner', source: 'record.Owner.Email' }],
          },
        ],
      },
      { type: 'run', id: 'run', connector: 'lookup' },
      {
        type: 'branch',
        id: 'after',
        on: 'run',
        failure: [
          {
            type: 'collect',
            id: 'read_again',
            values: [
              { name: 'subject_again', source: 'record.subject' },
              { name: 'number', source: 'record.CaseNumber' },
            ],
          },
        ],
      },
    ]);
    const steps = config.workflows.get('flow')?.steps ?? [];
    // `trigger.*` is the webhook body, not the target; each helpdesk picks its own sources.
    expect(targetSourcesReadBySteps(steps)).toEqual([
      'record.Subject',
      'ticket.subject',
      'record.Owner.Email',
      'record.subject',
      'record.CaseNumber',
    ]);
  });
});

describe('a step whose connector an alert paused', () => {
  it('takes the failure path at once, with CONNECTOR_PAUSED, instead of waiting to retry', async () => {
    const h = harness([{ type: 'run', id: 'run', connector: 'create' }, branch], undefined, [
      'create',
    ]);
    const result = await h.execute();
    expect(h.sent).toHaveLength(0);
    expect(result).toMatchObject({ kind: 'finished', outcome: 'failed' });
    expect(h.notes()).toEqual(['CONNECTOR_PAUSED']);
  });
});
