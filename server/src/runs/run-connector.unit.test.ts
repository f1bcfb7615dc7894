import { describe, expect, it } from 'vitest';
import { buildTestConfig, compileTestConfig, TEST_SECRETS } from '../test-support/test-config';
import { createLogger } from '../logging/logger';
import { createRedactor } from '../logging/redact';
import type { RunRecord, RunLogStore } from '../run-log/run-record';
import type { HelpdeskPort, LoadedTarget } from './helpdesk-port';
import { runConnector } from './run-connector';
import type { RunDeps } from './run-connector';

/** Once the request was sent, a run ends with a record whatever happens inside the server. */
function depsWith(
  helpdesk: Partial<HelpdeskPort>,
  setup: { connector?: Record<string, unknown>; send?: RunDeps['send'] } = {},
) {
  const compiled = compileTestConfig(
    buildTestConfig({
      connector: {
        response: { outputs: [{ name: 'name', path: 'name' }] },
        writeBack: { success: { internalNote: 'Found {{outputs.name}}' } },
        ...setup.connector,
      },
    }),
  );
  if (!compiled.ok) throw new Error('config');
  const records: RunRecord[] = [];
  const logLines: string[] = [];
  const target: LoadedTarget = {
    target: { system: 'zendesk', type: 'ticket', id: '1' },
    read: () => undefined,
    applies: () => true,
    agent: undefined,
    viewerMayEdit: true,
    version: undefined,
  };
  const redactor = createRedactor(() => Object.values(TEST_SECRETS));
  let sends = 0;
  const deps: RunDeps = {
    config: () => compiled.value.compiled,
    helpdesks: new Map([
      [
        'zendesk',
        {
          system: 'zendesk',
          label: 'Zendesk',
          editForbiddenMessage: (subject) => `${subject} may not write`,
          load: async () => ({ ok: true, value: target }),
          preview: () => ({ ok: true, written: false, changes: null }),
          write: async () => ({ ok: true, written: true, changes: null }),
          describeWrites: async () => ({ fields: [] }),
          ...helpdesk,
        },
      ],
    ]),
    secrets: () => ({ ...TEST_SECRETS }),
    send: async (...args) => {
      if (setup.send) return setup.send(...args);
      sends += 1;
      return {
        ok: true,
        status: 200,
        headers: {},
        contentType: 'application/json',
        bodyText: '{"name":"Ada"}',
        json: { name: 'Ada' },
        attempts: [{ attempt: 1, status: 200, reason: 'ok' }],
        durationMs: 1,
        finalUrl: 'https://api.example.com/v1/items',
      };
    },
    acquireSlot: async () => () => undefined,
    runLog: {
      record: async (run: RunRecord) => {
        records.push(run);
      },
    } as unknown as RunLogStore,
    logger: createLogger({ level: 'error', redactor, write: (line) => logLines.push(line) }),
    redactor,
  };
  return { deps, records, logLines, sends: () => sends };
}

const request = {
  connectorId: 'test_connector',
  system: 'zendesk' as const,
  targetId: '1',
  inputs: {},
  confirmed: true,
  dryRun: false,
  surface: 'zendesk' as const,
  source: 'api' as const,
  actor: { kind: 'admin' as const },
};

describe('a run whose server side fails after the request was sent', () => {
  it('ends as a failed run with a record, never as a thrown error', async () => {
    const { deps, records, logLines, sends } = depsWith({
      write: async () => {
        throw new Error('a bug in the write-back');
      },
    });
    const result = await runConnector(deps, request);
    expect(sends()).toBe(1);
    expect(result).toMatchObject({
      ok: true,
      value: {
        outcome: 'failed',
        error: { code: 'INTERNAL_ERROR' },
        writes: { status: 'failed', error: { code: 'WRITE_BACK_UNAVAILABLE' } },
      },
    });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'failed', errorCode: 'INTERNAL_ERROR' });
    expect(logLines.join('\n')).toContain('a bug in the write-back');
  });
});

describe('the words an agent gets for a failure', () => {
  const answered =
    (status: number): RunDeps['send'] =>
    async () => ({
      ok: true,
      status,
      headers: {},
      contentType: 'application/json',
      bodyText: '{"errorMessages":["Field summary is required"]}',
      json: { errorMessages: ['Field summary is required'] },
      attempts: [{ attempt: 1, status, reason: 'ok' }],
      durationMs: 1,
      finalUrl: 'https://api.example.com/v1/items',
    });
  const timedOut: RunDeps['send'] = async () => ({
    ok: false,
    error: { code: 'UPSTREAM_TIMEOUT', message: 'no answer within 8000 ms' },
    attempts: [{ attempt: 1, reason: 'timeout' }],
    durationMs: 8000,
  });
  const messageOf = async (send: RunDeps['send'], connector: Record<string, unknown> = {}) => {
    const { deps, records } = depsWith({}, { send, connector });
    const result = await runConnector(deps, request);
    expect(result.ok).toBe(true);
    expect(records[0]?.outcome).toBe('failed');
    return result.ok ? result.value.message : '';
  };

  it('are plain words for the kind of failure, never a status or an error code', async () => {
    expect(await messageOf(answered(403))).toBe(
      'The other system refused the server’s credentials. Ask an admin to check them.',
    );
    expect(await messageOf(answered(400))).toBe(
      'The other system refused the request. Check the values and try again.',
    );
    expect(await messageOf(answered(503))).toBe(
      'The other system is busy or having trouble. Try again in a minute.',
    );
    expect(await messageOf(timedOut)).toBe(
      'The other system did not answer in time. Try again in a moment.',
    );
  });

  it('are the admin’s own for that kind, then the general failure message', async () => {
    const connector = {
      messages: {
        failure: 'Jira did not take it ({{error.code}}).',
        failures: { notAuthorized: 'Jira refused our API token: tell #it-helpdesk.' },
      },
    };
    expect(await messageOf(answered(401), connector)).toBe(
      'Jira refused our API token: tell #it-helpdesk.',
    );
    expect(await messageOf(timedOut, connector)).toBe('Jira did not take it (UPSTREAM_TIMEOUT).');
  });
});

describe('a connector an alert paused', () => {
  const paused = (ids: string[]) => ({ isPaused: (id: string) => ids.includes(id) });

  it('refuses to run with CONNECTOR_PAUSED, saying the admin paused it, and sends nothing', async () => {
    const { deps, records, sends } = depsWith({});
    const result = await runConnector(
      { ...deps, pauses: paused(['test_connector']) },
      { ...request, actor: { kind: 'agent', id: '7' } },
    );
    expect(result).toEqual({
      ok: false,
      error: { code: 'CONNECTOR_PAUSED', message: '"Test connector" is paused by the admin.' },
    });
    expect(sends()).toBe(0);
    expect(records).toHaveLength(0);
  });

  it('still lets the admin dry-run it, to see whether the other system is back', async () => {
    const { deps, sends } = depsWith({});
    const result = await runConnector(
      { ...deps, pauses: paused(['test_connector']) },
      { ...request, dryRun: true },
    );
    expect(result).toMatchObject({ ok: true, value: { outcome: 'success', dryRun: true } });
    expect(sends()).toBe(1);
  });

  it('runs as usual once resumed, and other connectors are never affected', async () => {
    const { deps } = depsWith({});
    const result = await runConnector({ ...deps, pauses: paused(['another']) }, request);
    expect(result).toMatchObject({ ok: true, value: { outcome: 'success' } });
  });
});
