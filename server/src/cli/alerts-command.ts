import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertView } from '../../../shared/src/api/alert-contracts';
import { viewAlert } from '../alerts/alert-monitor';
import type { AlertedConnector } from '../alerts/alert-monitor';
import { formatAlertTime } from '../alerts/alert-notice';
import type { AlertStore } from '../alerts/alert-store';
import { openPostgresAlertStore } from '../alerts/postgres-alert-store';
import { openSqliteAlertStore } from '../alerts/sqlite-alert-store';
import { ALERTS_FILE } from '../storage/open-sqlite-storage';
import { openPostgresStore } from '../storage/postgres/open-postgres-store';
import type { StoreLocation } from '../storage/storage';
import type { CommandOutput } from './agent-keys-command';

export const ALERTS_USAGE = `  npm run connectors -- alerts
      each connector's alert rule, and whether it is in an incident or paused
  npm run connectors -- resume <connector-id>
      lift the pause an alert put on a connector (the running server lets its runs through
      within 5 seconds; the incident stays open until a run succeeds)`;

/** The config's connectors by id, as the file has them; undefined when it does not load. */
export type ConfiguredConnectors = ReadonlyMap<string, AlertedConnector> | undefined;

function describeRule(view: AlertView): string {
  const rule = view.rule;
  if (!rule) return 'no alerts in the config any more';
  const rules = [
    ...(rule.failuresInARow === null ? [] : [`${rule.failuresInARow} failures in a row`]),
    ...(rule.failureRate === null
      ? []
      : [
          `${rule.failureRate.percent}% of at least ${rule.failureRate.minRuns} runs in ${rule.failureRate.windowMinutes} min`,
        ]),
  ];
  const to = [...rule.email, ...(rule.webhook ? [`webhook ${rule.webhook.urlSecret}`] : [])];
  return `${rules.join(' or ')} → ${to.join(', ')}${rule.pause ? '; pauses' : ''}`;
}

function describeState(view: AlertView): string {
  const parts = [
    view.incident
      ? `INCIDENT since ${formatAlertTime(view.incident.since)} (${view.incident.reason})`
      : 'ok',
    ...(view.paused ? [`PAUSED since ${formatAlertTime(view.paused.since)}`] : []),
    ...(view.failuresInARow > 0 ? [`${view.failuresInARow} failed in a row`] : []),
  ];
  const failure = view.lastFailure;
  return `${parts.join(', ')}${failure ? `; last failure ${formatAlertTime(failure.at)}: ${failure.errorCode ?? ''} ${failure.message}` : ''}`;
}

/**
 * `alerts` and `resume <id>`: the same store as the running server (alerts.sqlite, or PostgreSQL with DATABASE_URL), which reads
 * the pauses again every few seconds.
 */
export async function runAlertsCommand(
  where: StoreLocation,
  command: 'alerts' | 'resume',
  args: string[],
  connectors: ConfiguredConnectors,
): Promise<CommandOutput> {
  const usage = (problem: string): CommandOutput => ({
    code: 2,
    stdout: '',
    stderr: `connectors ${command}: ${problem}\nusage:\n${ALERTS_USAGE}\n`,
  });
  if (command === 'alerts' && args.length > 0) return usage('takes no arguments');
  if (command === 'resume' && args.length !== 1) return usage('give one connector id');
  let store: AlertStore | undefined;
  if (where.database) {
    const opened = await openPostgresStore(where.database, (pool) =>
      openPostgresAlertStore({ pool }),
    );
    if (!opened.ok) return { code: 1, stdout: '', stderr: `${opened.error}\n` };
    store = opened.value;
  } else {
    const path = join(where.dataDir, ALERTS_FILE);
    // Until the server has written the file, nothing is counted, in an incident or paused.
    store = existsSync(path) ? openSqliteAlertStore({ path }) : undefined;
  }
  try {
    if (command === 'resume') {
      const connectorId = args[0] as string;
      const state = await store?.get(connectorId);
      if (!state && !connectors?.has(connectorId)) {
        return { code: 1, stdout: '', stderr: `There is no connector "${connectorId}".\n` };
      }
      const resumed = (await store?.resume(connectorId)) ?? false;
      return {
        code: 0,
        stdout: resumed
          ? `Resumed "${connectorId}": the running server lets its runs through within 5 seconds.\n`
          : `"${connectorId}" was not paused.\n`,
        stderr: '',
      };
    }
    const states = new Map(
      ((await store?.list()) ?? []).map((state) => [state.connectorId, state]),
    );
    const views = [
      ...[...(connectors ?? new Map<string, AlertedConnector>()).entries()]
        .filter(([, connector]) => connector.alerts)
        .map(([id, connector]) => viewAlert(id, connector, states.get(id))),
      ...[...states.values()]
        .filter(
          (state) =>
            !connectors?.get(state.connectorId)?.alerts && (state.paused || state.incident),
        )
        .map((state) => viewAlert(state.connectorId, connectors?.get(state.connectorId), state)),
    ];
    if (views.length === 0) return { code: 0, stdout: 'No connector has alerts.\n', stderr: '' };
    const lines = views.map(
      (view) =>
        `${view.connectorId}${view.name ? `  "${view.name}"` : ''}\n  rule:  ${describeRule(view)}\n  state: ${describeState(view)}`,
    );
    return { code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
  } finally {
    await store?.close();
  }
}
