import { useEffect, useState } from 'preact/hooks';
import type {
  ConsoleConnectionsAnswer,
  ConsoleOAuthConnection,
  ConsoleOAuthStartAnswer,
} from '../../../shared/src/console/console-contracts';
import { callApi } from '../api';
import { formatAgo } from '../format';

const STATE_LABELS: Record<ConsoleOAuthConnection['state'], { label: string; tag: string }> = {
  connected: { label: 'Connected', tag: 'live' },
  not_connected: { label: 'Not connected', tag: 'disabled' },
  needs_reconnect: { label: 'Needs reconnect', tag: 'incident' },
};

/** What the server's /oauth/callback said, from the query it redirected back with. */
export function ConnectOutcome(props: { query: URLSearchParams }) {
  const outcome = props.query.get('oauth');
  const connection = props.query.get('connection') ?? 'The connection';
  if (outcome === 'connected') {
    return (
      <div class="notice notice-ok" role="status">
        <strong>{connection} is connected.</strong>
      </div>
    );
  }
  if (outcome === 'failed') {
    return (
      <div class="notice notice-error" role="alert">
        <strong>{connection} was not connected:</strong> {props.query.get('reason') ?? 'try again.'}
      </div>
    );
  }
  return null;
}

function describeConnected(connection: ConsoleOAuthConnection): string {
  const parts = [
    connection.connectedAs ? `as ${connection.connectedAs}` : undefined,
    connection.connectedAt ? formatAgo(connection.connectedAt) : undefined,
    connection.connectedBy ? `by ${connection.connectedBy}` : undefined,
  ].filter(Boolean);
  return parts.length ? `Connected ${parts.join(', ')}` : '';
}

/**
 * OAuth authorization code connections: their state, and Connect/Reconnect, which sends the
 * browser to the service's consent page (the server comes back to #/connectors with the outcome).
 */
export function ConnectionsPanel() {
  const [answer, setAnswer] = useState<ConsoleConnectionsAnswer>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');
  useEffect(() => {
    void callApi<ConsoleConnectionsAnswer>('GET', '/api/admin/console/connections').then(
      (result) => (result.ok ? setAnswer(result.value) : setError(result.error.message)),
    );
  }, []);

  const connect = async (id: string) => {
    setBusy(id);
    setError('');
    const started = await callApi<ConsoleOAuthStartAnswer>(
      'POST',
      `/api/admin/console/connections/${encodeURIComponent(id)}/oauth/start`,
    );
    if (!started.ok) {
      setBusy('');
      setError(started.error.message);
      return;
    }
    location.assign(started.value.authorizeUrl);
  };

  if (!answer || answer.connections.length === 0) {
    return error ? (
      <p class="error" role="alert">
        {error}
      </p>
    ) : null;
  }
  return (
    <section class="connections" aria-label="Connections">
      <h2>Connections</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Connection</th>
            <th scope="col">State</th>
            <th scope="col">Details</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {answer.connections.map((connection) => {
            const state = STATE_LABELS[connection.state];
            return (
              <tr key={connection.id} data-connection={connection.id}>
                <td>
                  {connection.id}
                  <div class="muted">{connection.connectors.join(', ')}</div>
                </td>
                <td>
                  <span class={`tag tag-${state.tag}`}>{state.label}</span>
                </td>
                <td>
                  {connection.state === 'connected' && describeConnected(connection)}
                  {connection.reason && <div class="muted">{connection.reason}</div>}
                  <div class="muted">Redirect URI: {connection.redirectUri}</div>
                </td>
                <td>
                  <button
                    type="button"
                    class={
                      connection.state === 'connected'
                        ? 'button button-basic'
                        : 'button button-primary'
                    }
                    disabled={busy !== ''}
                    onClick={() => void connect(connection.id)}
                  >
                    {connection.state === 'not_connected' ? 'Connect' : 'Reconnect'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
