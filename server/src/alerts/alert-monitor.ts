import type { AlertView, ResumeConnectorAnswer } from '../../../shared/src/api/alert-contracts';
import type { ConnectorAlerts } from '../../../shared/src/config/connector-config-schema';
import type { Result } from '../../../shared/src/result';
import type { CompiledConfig, CompiledConnector } from '../compile/compiled-model';
import type { Logger } from '../logging/logger';
import type { RunRecord } from '../run-log/run-record';
import type { ConnectorPauses } from '../runs/connector-pauses';
import type { AlertNotice } from './alert-notice';
import type { AlertFailure, AlertState, AlertStore, CountedRun } from './alert-store';
import { createNoticeSender } from './notice-sender';
import type { SendAlertNotice } from './send-alert-notice';

/**
 * Watches connector runs as they are recorded and applies each connector's `alerts`: counts its
 * real runs (dry runs are tests, not traffic; `empty` is a healthy answer), opens an incident
 * when a rule trips (one notice, and a pause when asked), and closes it on the first healthy run
 * that leaves no rule tripped (one "recovered" notice). State lives in the alert store, so a
 * restart neither forgets an open incident nor sends its notice again.
 *
 * Runs never wait for any of it: `observe` queues the work and returns; notices are sent in the
 * background and their failures logged.
 */

export interface AlertMonitorOptions {
  store: AlertStore;
  config: () => CompiledConfig | undefined;
  send: SendAlertNotice;
  logger: Logger;
  /** This server's base URL, for the admin console's link in each notice. */
  serverUrl: () => string;
  now?: () => number;
  /**
   * How often the pauses are read again from the store (default 5 s), for a resume made by the
   * CLI (or, later, another instance on the same database); 0: never.
   */
  refreshMs?: number;
}

export interface AlertMonitor extends ConnectorPauses {
  /** Reads the pauses from the store; before it, no connector is paused. */
  start(): Promise<void>;
  /** A run was recorded (the run log decorator, observe-run-log.ts, calls this). */
  observe(run: RunRecord): void;
  /** Every connector with alerts, and any other the alerts left paused or in an incident. */
  list(): Promise<AlertView[]>;
  /** Lifts a connector's pause at once; the incident stays open until a healthy run. */
  resume(
    connectorId: string,
  ): Promise<Result<ResumeConnectorAnswer, { code: 'CONNECTOR_NOT_FOUND'; message: string }>>;
  /** Resolves once the runs observed so far are counted and their notices sent. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_REFRESH_MS = 5_000;
/** Shutting down waits this long at most for notices still being sent. */
const CLOSE_WAIT_MS = 10_000;

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The rule that trips on these counts, in words; undefined when none does. */
export function describeTrippedRule(
  alerts: ConnectorAlerts,
  counted: CountedRun,
): string | undefined {
  const inARow = alerts.failuresInARow;
  if (inARow !== undefined && counted.state.failuresInARow >= inARow) {
    return `${plural(inARow, 'failure')} in a row`;
  }
  const rate = alerts.failureRate;
  const window = counted.window;
  if (rate && window && window.runs >= rate.minRuns && isAtRate(window, rate.percent)) {
    return `${window.failures} of ${plural(window.runs, 'run')} failed in the last ${plural(rate.windowMinutes, 'minute')}`;
  }
  return undefined;
}

function isAtRate(window: { runs: number; failures: number }, percent: number): boolean {
  return window.runs > 0 && window.failures * 100 >= percent * window.runs;
}

/**
 * Whether a healthy run ends the incident: always, unless the connector has a rate rule and its
 * window is still at the rate (one success among many failures is not a recovery). The rate's
 * `minRuns` does not hold a recovery back: it guards against opening on too few runs.
 */
function hasRecovered(alerts: ConnectorAlerts, counted: CountedRun): boolean {
  const rate = alerts.failureRate;
  return !rate || !counted.window || !isAtRate(counted.window, rate.percent);
}

/** What a view needs of a connector: the compiled one, or the CLI's reading of the file. */
export interface AlertedConnector {
  def: { name: string };
  alerts: ConnectorAlerts | undefined;
}

/** A connector's alerts as the admin API answers them (shared/src/api/alert-contracts.ts). */
export function viewAlert(
  connectorId: string,
  connector: AlertedConnector | undefined,
  state: AlertState | undefined,
): AlertView {
  const alerts = connector?.alerts;
  const failure = state?.lastFailure;
  return {
    connectorId,
    name: connector?.def.name ?? null,
    rule: alerts
      ? {
          failuresInARow: alerts.failuresInARow ?? null,
          failureRate: alerts.failureRate ?? null,
          email: alerts.email ?? [],
          webhook: alerts.webhook ? { urlSecret: alerts.webhook.urlSecret } : null,
          pause: alerts.pause,
        }
      : null,
    state: state?.incident ? 'incident' : 'ok',
    incident: state?.incident ?? null,
    paused: state?.paused ?? null,
    failuresInARow: state?.failuresInARow ?? 0,
    lastFailure: failure
      ? {
          runId: failure.runId,
          errorCode: failure.errorCode ?? null,
          message: failure.message,
          at: failure.at,
        }
      : null,
  };
}

export function createAlertMonitor(options: AlertMonitorOptions): AlertMonitor {
  const { store, logger } = options;
  const now = options.now ?? Date.now;
  let paused = new Set<string>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // One task at a time: counting a run, opening or closing an incident and resuming read and
  // write the same rows, and the pause cache must not be overwritten by an older read.
  let queue: Promise<unknown> = Promise.resolve();
  const sender = createNoticeSender(options);

  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  };

  const logsUrlOf = (connectorId: string) =>
    `${options.serverUrl()}/admin#/logs?connectorId=${encodeURIComponent(connectorId)}`;

  const notify = (notice: AlertNotice, alerts: ConnectorAlerts) => {
    const log = notice.kind === 'failing' ? logger.warn : logger.info;
    log(notice.kind === 'failing' ? 'connector alert' : 'connector recovered', {
      connectorId: notice.connectorId,
      reason: notice.reason,
      paused: notice.paused,
    });
    sender.sendAll(notice, [alerts], { connectorId: notice.connectorId });
  };

  const refreshPauses = () =>
    serially(async () => {
      const states = await store.list();
      paused = new Set(states.filter((state) => state.paused).map((state) => state.connectorId));
    });

  const count = async (
    run: Extract<RunRecord, { kind: 'connector' }>,
    connector: CompiledConnector,
    alerts: ConnectorAlerts,
    atMs: number,
  ) => {
    const failure: AlertFailure | undefined =
      run.outcome === 'failed'
        ? { runId: run.id, errorCode: run.errorCode, message: run.message, at: run.startedAt }
        : undefined;
    const windowStartMs = alerts.failureRate
      ? atMs - alerts.failureRate.windowMinutes * 60_000
      : undefined;
    const counted = await store.countRun(connector.id, { atMs, failure }, windowStartMs);
    // Built only for a notice: most runs change nothing, and this ran on every one of them.
    const baseOf = (at: string) => ({
      connectorId: connector.id,
      connectorName: connector.def.name,
      at,
      lastFailure: counted.state.lastFailure,
      logsUrl: logsUrlOf(connector.id),
    });
    if (failure) {
      if (counted.state.incident) return;
      const reason = describeTrippedRule(alerts, counted);
      if (reason === undefined) return;
      const since = new Date(atMs).toISOString();
      const opened = await store.openIncident(connector.id, { since, reason }, alerts.pause);
      if (!opened) return;
      if (alerts.pause) paused.add(connector.id);
      notify(
        {
          ...baseOf(since),
          kind: 'failing',
          reason,
          paused: alerts.pause || counted.state.paused !== undefined,
        },
        alerts,
      );
      return;
    }
    if (!counted.state.incident || !hasRecovered(alerts, counted)) return;
    const closedIncident = await store.closeIncident(connector.id);
    if (!closedIncident) return;
    notify(
      {
        ...baseOf(new Date(atMs).toISOString()),
        kind: 'recovered',
        reason: closedIncident.reason,
        since: closedIncident.since,
        paused: paused.has(connector.id),
      },
      alerts,
    );
  };

  return {
    isPaused: (connectorId) => paused.has(connectorId),

    start: async () => {
      // An unreadable store must not keep the server from starting; runs are then not refused.
      await refreshPauses().catch((error: unknown) =>
        logger.error('reading the paused connectors failed', { error }),
      );
      const refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
      if (refreshMs > 0) {
        timer = setInterval(() => {
          refreshPauses().catch((error: unknown) =>
            logger.error('reading the paused connectors failed', { error }),
          );
        }, refreshMs);
        timer.unref();
      }
    },

    observe: (run) => {
      if (closed || run.kind !== 'connector' || run.dryRun) return;
      // The config as it was when the run ended: a reload a moment later must not change which
      // rule counted it.
      const connector = options.config()?.connectors.get(run.connectorId);
      const alerts = connector?.alerts;
      if (!connector || !alerts) return;
      const atMs = now();
      serially(() => count(run, connector, alerts, atMs)).catch((error: unknown) =>
        logger.error('counting a run for the alerts failed', {
          connectorId: run.connectorId,
          runId: run.id,
          error,
        }),
      );
    },

    list: async () => {
      const config = options.config();
      const states = new Map((await store.list()).map((state) => [state.connectorId, state]));
      const configured = [...(config?.connectors.values() ?? [])].filter(
        (connector) => connector.alerts,
      );
      const known = new Set(configured.map((connector) => connector.id));
      // A connector whose alerts were removed still shows while it is paused or in an incident:
      // someone has to see it to resume it.
      const leftOver = [...states.values()].filter(
        (state) => !known.has(state.connectorId) && (state.paused || state.incident),
      );
      return [
        ...configured.map((connector) =>
          viewAlert(connector.id, connector, states.get(connector.id)),
        ),
        ...leftOver.map((state) =>
          viewAlert(state.connectorId, config?.connectors.get(state.connectorId), state),
        ),
      ];
    },

    resume: (connectorId) =>
      serially(async () => {
        const connector = options.config()?.connectors.get(connectorId);
        const state = await store.get(connectorId);
        if (!connector && !state) {
          return {
            ok: false as const,
            error: {
              code: 'CONNECTOR_NOT_FOUND' as const,
              message: `There is no connector "${connectorId.slice(0, 64)}".`,
            },
          };
        }
        const resumed = await store.resume(connectorId);
        paused.delete(connectorId);
        if (resumed) logger.info('connector resumed by the admin', { connectorId });
        return {
          ok: true as const,
          value: {
            resumed,
            alert: viewAlert(connectorId, connector, await store.get(connectorId)),
          },
        };
      }),

    idle: async () => {
      // Counting may start a notice, and nothing starts counting while we wait here in tests.
      await serially(async () => undefined);
      await sender.idle();
    },

    close: async () => {
      closed = true;
      if (timer) clearInterval(timer);
      await serially(async () => undefined);
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([
        sender.idle(),
        new Promise<void>((resolve) => {
          waited = setTimeout(resolve, CLOSE_WAIT_MS);
          waited.unref();
        }),
      ]);
      clearTimeout(waited);
    },
  };
}
