import { useEffect, useState } from 'preact/hooks';
import type {
  ConsoleConnector,
  ConsoleConnectorsAnswer,
} from '../../../shared/src/console/console-contracts';
import { callApi } from '../api';
import { formatAgo, formatRate } from '../format';
import { linkTo, useRoute } from '../route';
import { ConnectionsPanel, ConnectOutcome } from './connections';
import { Issues } from './issues';

const STATE_LABELS: Record<ConsoleConnector['state'], string> = {
  live: 'Live',
  draft: 'Draft',
  disabled: 'Disabled',
  unavailable: 'Unavailable',
  paused: 'Paused',
};

export function StateTag(props: { state: ConsoleConnector['state']; reason?: string | undefined }) {
  return (
    <span class={`tag tag-${props.state}`} title={props.reason}>
      {STATE_LABELS[props.state]}
    </span>
  );
}

export function ConnectorsScreen() {
  const route = useRoute();
  const [answer, setAnswer] = useState<ConsoleConnectorsAnswer>();
  const [error, setError] = useState('');
  useEffect(() => {
    void callApi<ConsoleConnectorsAnswer>('GET', '/api/admin/console/connectors').then((result) =>
      result.ok ? setAnswer(result.value) : setError(result.error.message),
    );
  }, []);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!answer) return <p class="loading">Loading connectors…</p>;
  return (
    <section>
      <div class="heading">
        <h1>Connectors</h1>
        <a class="button button-primary" href={linkTo(['new'])}>
          New connector
        </a>
      </div>
      <ConnectOutcome query={route.query} />
      {!answer.config.ok && (
        <div class="notice notice-error" role="alert">
          <strong>The latest config edit was rejected; the last good config keeps serving.</strong>
          <Issues issues={answer.config.errors} />
        </div>
      )}
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Connector</th>
            <th scope="col">State</th>
            <th scope="col">Surfaces</th>
            <th scope="col">Last run</th>
            <th scope="col">Failures, 24 h</th>
          </tr>
        </thead>
        <tbody>
          {answer.connectors.map((connector) => (
            <tr key={connector.id} data-connector={connector.id}>
              <td>
                <a href={linkTo(['connectors', connector.id])}>{connector.name}</a>
                <div class="muted">
                  {connector.id} · {connector.method} · {connector.connection}
                </div>
              </td>
              <td>
                <StateTag state={connector.state} reason={connector.stateReason} />
                {connector.stateReason && <div class="muted">{connector.stateReason}</div>}
              </td>
              <td>{connector.surfaces.join(', ')}</td>
              <td>
                {connector.lastRun ? (
                  <a href={linkTo(['runs', connector.lastRun.id])}>
                    <span class={`outcome outcome-${connector.lastRun.outcome}`}>
                      {connector.lastRun.outcome}
                    </span>{' '}
                    {formatAgo(connector.lastRun.startedAt)}
                    {connector.lastRun.dryRun ? ' (test)' : ''}
                  </a>
                ) : (
                  'never'
                )}
              </td>
              <td class={connector.last24h.failed > 0 ? 'bad' : undefined}>
                <a href={linkTo(['logs'], { connectorId: connector.id })}>
                  {formatRate(connector.last24h.failed, connector.last24h.runs)}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {answer.connectors.length === 0 && <p class="muted">No connectors yet.</p>}
      <ConnectionsPanel />
    </section>
  );
}
