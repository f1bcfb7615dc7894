import { useEffect, useState } from 'preact/hooks';
import { Feedback } from './feedback';
import { callApi } from '../api';
import { formatTime } from '../format';
import { linkTo } from '../route';
import type { AlertView } from '../../../shared/src/api/alert-contracts';

function describeRule(rule: NonNullable<AlertView['rule']>): string {
  const when = [
    ...(rule.failuresInARow === null ? [] : [`${rule.failuresInARow} failures in a row`]),
    ...(rule.failureRate === null
      ? []
      : [
          `over ${rule.failureRate.percent}% failed in ${rule.failureRate.windowMinutes} min (at least ${rule.failureRate.minRuns} runs)`,
        ]),
  ].join(' or ');
  const to = [...rule.email, ...(rule.webhook ? [`webhook (${rule.webhook.urlSecret})`] : [])].join(
    ', ',
  );
  return `${when} → ${to || 'nobody'}${rule.pause ? ', then pause' : ''}`;
}

/** Each connector's alert rule and state; resuming a connector an alert paused. */
export function AlertsScreen() {
  const [alerts, setAlerts] = useState<AlertView[]>();
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const load = async () => {
    const answer = await callApi<{ alerts: AlertView[] }>('GET', '/api/admin/alerts');
    if (answer.ok) setAlerts(answer.value.alerts);
    else setError(answer.error.message);
  };
  useEffect(() => {
    void load();
  }, []);
  const resume = async (connectorId: string) => {
    const answer = await callApi(
      'POST',
      `/api/admin/connectors/${encodeURIComponent(connectorId)}/resume`,
    );
    if (!answer.ok) {
      setError(answer.error.message);
      return;
    }
    setStatus(`${connectorId} is running again.`);
    await load();
  };
  return (
    <section>
      <div class="heading">
        <h1>Alerts</h1>
        <span class="muted">Rules are set per connector, in its JSON ("alerts").</span>
      </div>
      <Feedback error={error} status={status} />
      {alerts === undefined ? (
        <p class="loading">Loading alerts…</p>
      ) : alerts.length === 0 ? (
        <p class="muted">
          No connector has alerts yet. Add "alerts" to a connector to be told when it fails.
        </p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Connector</th>
              <th scope="col">Rule</th>
              <th scope="col">State</th>
              <th scope="col">Last failure</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((alert) => (
              <tr key={alert.connectorId} data-alert={alert.connectorId}>
                <td>
                  <a href={linkTo(['connectors', alert.connectorId])}>
                    {alert.name ?? alert.connectorId}
                  </a>
                  <div class="muted">{alert.connectorId}</div>
                </td>
                <td>
                  {alert.rule ? (
                    describeRule(alert.rule)
                  ) : (
                    <span class="muted">no rule any more</span>
                  )}
                </td>
                <td>
                  {alert.state === 'incident' ? (
                    <>
                      <span class="tag tag-incident">Failing</span>
                      <div class="muted">
                        {alert.incident?.reason}, since {formatTime(alert.incident?.since)}
                      </div>
                    </>
                  ) : (
                    <span class="tag tag-live">OK</span>
                  )}
                  {alert.paused && (
                    <div>
                      <span class="tag tag-paused">Paused</span>{' '}
                      <span class="muted">since {formatTime(alert.paused.since)}</span>
                    </div>
                  )}
                </td>
                <td>
                  {alert.lastFailure ? (
                    <a href={linkTo(['runs', alert.lastFailure.runId])}>
                      {alert.lastFailure.errorCode ?? 'failed'} · {formatTime(alert.lastFailure.at)}
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {alert.paused && (
                    <button
                      type="button"
                      class="button button-primary"
                      onClick={() => void resume(alert.connectorId)}
                    >
                      Resume
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
