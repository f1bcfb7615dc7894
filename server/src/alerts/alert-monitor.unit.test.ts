import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorAlerts } from '../../../shared/src/config/connector-config-schema';
import type { CompiledConfig } from '../compile/compiled-model';
import { createLogger } from '../logging/logger';
import { createRedactor } from '../logging/redact';
import { buildTestRun } from '../run-log/build-test-run';
import type { RunRecord } from '../run-log/run-record';
import { buildTestConfig, compileTestConfig, TEST_CONNECTOR_ID } from '../test-support/test-config';
import { createAlertMonitor } from './alert-monitor';
import type { AlertMonitor } from './alert-monitor';
import type { AlertNotice } from './alert-notice';
import type { AlertStore } from './alert-store';
import { observeRunLog } from './observe-run-log';
import { openSqliteAlertStore } from './sqlite-alert-store';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 7, 9);
const ID = TEST_CONNECTOR_ID;

function compileWith(alerts: Record<string, unknown> | undefined): CompiledConfig {
  const result = compileTestConfig(
    buildTestConfig({ connector: { name: 'Order lookup', ...(alerts ? { alerts } : {}) } }),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.error.issues));
  return result.value.compiled;
}

const dirs: string[] = [];
const opened: { monitor: AlertMonitor; store: AlertStore }[] = [];
afterEach(async () => {
  for (const { monitor, store } of opened.splice(0)) {
    await monitor.close();
    await store.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startMonitor(
  alerts: Record<string, unknown> | undefined,
  options: { path?: string; store?: AlertStore } = {},
) {
  let config = compileWith(alerts);
  let clock = T0;
  const notices: AlertNotice[] = [];
  const logLines: string[] = [];
  const store = options.store ?? openSqliteAlertStore({ path: options.path ?? ':memory:' });
  const monitor = createAlertMonitor({
    store,
    config: () => config,
    send: async (notice) => {
      notices.push(notice);
    },
    logger: createLogger({
      level: 'debug',
      redactor: createRedactor(() => []),
      write: (line) => logLines.push(line),
    }),
    serverUrl: () => 'https://connectors.acme.test',
    now: () => clock,
    refreshMs: 0,
  });
  await monitor.start();
  opened.push({ monitor, store });
  /** Observes one run of the test connector, `minutes` after the previous one. */
  const run = async (
    outcome: RunRecord['outcome'],
    overrides: Partial<Extract<RunRecord, { kind: 'connector' }>> & { minutes?: number } = {},
  ) => {
    const { minutes = 1, ...record } = overrides;
    clock += minutes * MINUTE;
    monitor.observe(
      buildTestRun({
        connectorId: ID,
        outcome,
        startedAt: new Date(clock).toISOString(),
        message: outcome === 'failed' ? 'The other system is busy.' : 'Done.',
        ...(outcome === 'failed' ? { errorCode: 'UPSTREAM_RETRIES_EXHAUSTED' } : {}),
        ...record,
      }),
    );
    await monitor.idle();
  };
  const runs = async (outcomes: RunRecord['outcome'][]) => {
    for (const outcome of outcomes) await run(outcome);
  };
  return {
    monitor,
    store,
    notices,
    logLines,
    run,
    runs,
    setAlerts: (next: Record<string, unknown> | undefined) => {
      config = compileWith(next);
    },
  };
}

const inARow = (n: number, extra: Partial<ConnectorAlerts> = {}) => ({
  failuresInARow: n,
  email: ['ops@acme.test'],
  ...extra,
});

describe('"failuresInARow"', () => {
  it('alerts once when the Nth real run in a row fails, naming the rule and the last error', async () => {
    const m = await startMonitor(inARow(3));
    await m.runs(['failed', 'failed']);
    expect(m.notices).toEqual([]);
    await m.run('failed');
    expect(m.notices).toEqual([
      {
        kind: 'failing',
        connectorId: ID,
        connectorName: 'Order lookup',
        reason: '3 failures in a row',
        at: new Date(T0 + 3 * MINUTE).toISOString(),
        lastFailure: {
          runId: expect.stringMatching(/^run_/),
          errorCode: 'UPSTREAM_RETRIES_EXHAUSTED',
          message: 'The other system is busy.',
          at: new Date(T0 + 3 * MINUTE).toISOString(),
        },
        paused: false,
        logsUrl: `https://connectors.acme.test/admin#/logs?connectorId=${ID}`,
      },
    ]);
  });

  it('does not alert again while the incident is open, however many runs fail', async () => {
    const m = await startMonitor(inARow(2));
    await m.runs(['failed', 'failed', 'failed', 'failed', 'failed']);
    expect(m.notices.map((notice) => notice.kind)).toEqual(['failing']);
  });

  it('counts only failures in a row: a healthy run in between starts the count again', async () => {
    const m = await startMonitor(inARow(3));
    await m.runs(['failed', 'failed', 'success', 'failed', 'failed', 'empty', 'failed']);
    expect(m.notices).toEqual([]);
  });

  it('sends one "recovered" on the first healthy run ("empty" counts), then nothing', async () => {
    const m = await startMonitor(inARow(2));
    await m.runs(['failed', 'failed', 'failed']);
    await m.run('empty');
    await m.runs(['success', 'success']);
    expect(m.notices.map((notice) => [notice.kind, notice.reason])).toEqual([
      ['failing', '2 failures in a row'],
      ['recovered', '2 failures in a row'],
    ]);
    expect(m.notices[1]).toMatchObject({
      since: new Date(T0 + 2 * MINUTE).toISOString(),
      at: new Date(T0 + 4 * MINUTE).toISOString(),
    });
  });

  it('opens a new incident, with a new notice, when it fails again after recovering', async () => {
    const m = await startMonitor(inARow(2));
    await m.runs(['failed', 'failed', 'success', 'failed', 'failed']);
    expect(m.notices.map((notice) => notice.kind)).toEqual(['failing', 'recovered', 'failing']);
  });

  it('ignores dry runs, whatever their outcome, and records that are not connector runs', async () => {
    const m = await startMonitor(inARow(2));
    await m.run('failed', { dryRun: true });
    await m.run('failed', { dryRun: true });
    m.monitor.observe({
      ...buildTestRun({ outcome: 'failed' }),
      kind: 'workflow',
      workflowId: ID,
    } as RunRecord);
    await m.monitor.idle();
    expect(m.notices).toEqual([]);
    // A dry run that succeeds does not close an incident either.
    await m.runs(['failed', 'failed']);
    await m.run('success', { dryRun: true });
    expect(m.notices.map((notice) => notice.kind)).toEqual(['failing']);
  });

  it('leaves a connector without "alerts" alone', async () => {
    const m = await startMonitor(undefined);
    await m.runs(['failed', 'failed', 'failed']);
    expect(m.notices).toEqual([]);
    expect(await m.store.list()).toEqual([]);
  });
});

describe('"failureRate"', () => {
  const rate = (percent: number, windowMinutes: number, minRuns: number) => ({
    failureRate: { percent, windowMinutes, minRuns },
    email: ['ops@acme.test'],
  });

  it('alerts once the share of failed runs in the window reaches the percent, with enough runs', async () => {
    const m = await startMonitor(rate(50, 60, 4));
    // Two failures of two runs: 100 %, but fewer runs than minRuns.
    await m.runs(['failed', 'failed', 'success']);
    expect(m.notices).toEqual([]);
    // The fourth run fails: 3 of 4.
    await m.run('failed');
    expect(m.notices).toEqual([
      expect.objectContaining({
        kind: 'failing',
        reason: '3 of 4 runs failed in the last 60 minutes',
      }),
    ]);
  });

  it('does not alert below the percent', async () => {
    const m = await startMonitor(rate(60, 60, 4));
    await m.runs(['failed', 'success', 'success', 'failed', 'success', 'success', 'failed']);
    expect(m.notices).toEqual([]);
  });

  it('counts only the runs of the window', async () => {
    const m = await startMonitor(rate(50, 60, 3));
    await m.runs(['failed', 'failed']);
    // Two hours later the old failures are out of the window: one run is too few.
    await m.run('failed', { minutes: 120 });
    expect(m.notices).toEqual([]);
    await m.runs(['failed', 'failed']);
    expect(m.notices.map((notice) => notice.reason)).toEqual([
      '3 of 3 runs failed in the last 60 minutes',
    ]);
  });

  it('recovers on a healthy run only once the window is back under the percent', async () => {
    const m = await startMonitor(rate(50, 60, 2));
    await m.runs(['failed', 'failed']);
    await m.run('success');
    // 2 of 3 failed: still at the rate.
    expect(m.notices.map((notice) => notice.kind)).toEqual(['failing']);
    await m.run('success');
    // 2 of 4: at 50 %, still failing by the rule.
    expect(m.notices.map((notice) => notice.kind)).toEqual(['failing']);
    await m.run('success');
    expect(m.notices.map((notice) => notice.kind)).toEqual(['failing', 'recovered']);
  });

  it('with both rules, the first that trips opens the one incident', async () => {
    const m = await startMonitor({ ...rate(50, 60, 10), failuresInARow: 2 });
    await m.runs(['failed', 'failed', 'failed']);
    expect(m.notices.map((notice) => notice.reason)).toEqual(['2 failures in a row']);
  });
});

describe('a rule with "pause": true', () => {
  it('pauses the connector with the incident, until an admin resumes it', async () => {
    const m = await startMonitor(inARow(2, { pause: true }));
    await m.run('failed');
    expect(m.monitor.isPaused(ID)).toBe(false);
    await m.run('failed');
    expect(m.monitor.isPaused(ID)).toBe(true);
    expect(m.notices).toEqual([expect.objectContaining({ kind: 'failing', paused: true })]);

    const resumed = await m.monitor.resume(ID);
    expect(resumed).toMatchObject({
      ok: true,
      value: { resumed: true, alert: { state: 'incident', paused: null } },
    });
    expect(m.monitor.isPaused(ID)).toBe(false);
    // Resuming again is harmless.
    expect(await m.monitor.resume(ID)).toMatchObject({ ok: true, value: { resumed: false } });

    await m.run('success');
    expect(m.notices.map((notice) => [notice.kind, notice.paused])).toEqual([
      ['failing', true],
      ['recovered', false],
    ]);
  });

  it('does not pause again after a resume while the same incident is open', async () => {
    const m = await startMonitor(inARow(2, { pause: true }));
    await m.runs(['failed', 'failed']);
    await m.monitor.resume(ID);
    await m.runs(['failed', 'failed', 'failed']);
    expect(m.monitor.isPaused(ID)).toBe(false);
    expect(m.notices).toHaveLength(1);
  });

  it('refuses to resume a connector it has never heard of', async () => {
    const m = await startMonitor(inARow(2));
    expect(await m.monitor.resume('nope')).toEqual({
      ok: false,
      error: { code: 'CONNECTOR_NOT_FOUND', message: 'There is no connector "nope".' },
    });
  });
});

describe('a restart', () => {
  it('keeps the open incident and the pause: no second notice, and the recovery still comes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-alert-monitor-'));
    dirs.push(dir);
    const path = join(dir, 'alerts.sqlite');
    const before = await startMonitor(inARow(2, { pause: true }), { path });
    await before.runs(['failed', 'failed']);
    expect(before.notices).toHaveLength(1);
    const first = opened.pop();
    await first?.monitor.close();
    await first?.store.close();

    const after = await startMonitor(inARow(2, { pause: true }), { path });
    expect(after.monitor.isPaused(ID)).toBe(true);
    await after.monitor.resume(ID);
    await after.runs(['failed', 'failed']);
    expect(after.notices).toEqual([]);
    await after.run('success');
    expect(after.notices.map((notice) => notice.kind)).toEqual(['recovered']);
  });

  it('keeps the count of failures in a row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-alert-monitor-'));
    dirs.push(dir);
    const path = join(dir, 'alerts.sqlite');
    const before = await startMonitor(inARow(3), { path });
    await before.runs(['failed', 'failed']);
    const first = opened.pop();
    await first?.monitor.close();
    await first?.store.close();
    const after = await startMonitor(inARow(3), { path });
    await after.run('failed');
    expect(after.notices.map((notice) => notice.reason)).toEqual(['3 failures in a row']);
  });
});

describe('the admin list', () => {
  it("shows each connector's rule and state, and a connector left paused after its alerts were removed", async () => {
    const m = await startMonitor(inARow(2, { pause: true }));
    expect(await m.monitor.list()).toEqual([
      {
        connectorId: ID,
        name: 'Order lookup',
        rule: {
          failuresInARow: 2,
          failureRate: null,
          email: ['ops@acme.test'],
          webhook: null,
          pause: true,
        },
        state: 'ok',
        incident: null,
        paused: null,
        failuresInARow: 0,
        lastFailure: null,
      },
    ]);
    await m.runs(['failed', 'failed']);
    m.setAlerts(undefined);
    expect(await m.monitor.list()).toEqual([
      expect.objectContaining({
        connectorId: ID,
        rule: null,
        state: 'incident',
        incident: { since: new Date(T0 + 2 * MINUTE).toISOString(), reason: '2 failures in a row' },
        paused: { since: new Date(T0 + 2 * MINUTE).toISOString() },
        failuresInARow: 2,
        lastFailure: expect.objectContaining({ errorCode: 'UPSTREAM_RETRIES_EXHAUSTED' }),
      }),
    ]);
  });
});

describe('a broken alert store', () => {
  it('never fails the run: the run log still records it, and the error is logged', async () => {
    const broken = openSqliteAlertStore({ path: ':memory:' });
    const m = await startMonitor(inARow(1), {
      store: {
        ...broken,
        countRun: async () => {
          throw new Error('disk I/O error');
        },
      },
    });
    const recorded: RunRecord[] = [];
    const runLog = observeRunLog(
      {
        record: async (run) => void recorded.push(run),
        get: async () => undefined,
        query: async () => ({ runs: [] }),
        lastRunsFor: async () => ({}),
        summarize: async () => ({}),
        prune: async () => 0,
        count: async () => recorded.length,
        close: async () => undefined,
      },
      (run) => m.monitor.observe(run),
    );
    await expect(
      runLog.record(buildTestRun({ connectorId: ID, outcome: 'failed' })),
    ).resolves.toBeUndefined();
    await m.monitor.idle();
    expect(recorded).toHaveLength(1);
    expect(m.notices).toEqual([]);
    expect(m.logLines.join('\n')).toContain('counting a run for the alerts failed');
  });

  it('observes a run even when the run log could not keep it', async () => {
    const m = await startMonitor(inARow(1));
    const runLog = observeRunLog(
      {
        record: async () => {
          throw new Error('run log full');
        },
      } as unknown as Parameters<typeof observeRunLog>[0],
      (run) => m.monitor.observe(run),
    );
    await expect(
      runLog.record(buildTestRun({ connectorId: ID, outcome: 'failed' })),
    ).rejects.toThrow('run log full');
    await m.monitor.idle();
    expect(m.notices.map((notice) => notice.kind)).toEqual(['failing']);
  });
});
