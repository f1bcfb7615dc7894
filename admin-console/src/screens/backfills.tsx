import { useEffect, useState } from 'preact/hooks';
import { Feedback } from './feedback';
import { callApi } from '../api';
import { formatTime } from '../format';
import { linkTo } from '../route';
import type {
  BackfillDryRun,
  BackfillFailure,
  BackfillProgress,
} from '../../../shared/src/api/backfill-contracts';

function formatEta(backfill: BackfillProgress): string {
  if (backfill.state === 'done') return 'done';
  if (backfill.state === 'paused') return 'stopped';
  if (backfill.state === 'failed') return 'query refused';
  if (backfill.etaSeconds === null) return '…';
  const minutes = Math.floor(backfill.etaSeconds / 60);
  return `${minutes}:${String(backfill.etaSeconds % 60).padStart(2, '0')} left`;
}

/**
 * Backfills: a connector run over every ticket or record a query matches (docs/automations.md,
 * "Backfills"). Everything shown comes from tickets or admins and is rendered as text.
 */
export function BackfillsScreen({ selected }: { selected: string | undefined }) {
  const [backfills, setBackfills] = useState<BackfillProgress[]>();
  const [failures, setFailures] = useState<BackfillFailure[]>();
  const [dryRun, setDryRun] = useState<BackfillDryRun>();
  const [form, setForm] = useState({ connectorId: '', kind: 'search', query: '' });
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const load = async () => {
    const answer = await callApi<{ backfills: BackfillProgress[] }>('GET', '/api/admin/backfills');
    if (answer.ok) setBackfills(answer.value.backfills);
    else setError(answer.error.message);
    if (selected) {
      const found = await callApi<{ failures: BackfillFailure[] }>(
        'GET',
        `/api/admin/backfills/${encodeURIComponent(selected)}/failures`,
      );
      if (found.ok) setFailures(found.value.failures);
    }
  };
  useEffect(() => {
    void load();
    // Progress moves while a backfill runs: read it again every two seconds.
    const timer = setInterval(() => void load(), 2_000);
    return () => clearInterval(timer);
  }, [selected]);

  const body = (dry: boolean) => ({
    connectorId: form.connectorId.trim(),
    [form.kind]: form.query,
    dryRun: dry,
  });
  const preview = async () => {
    setError('');
    const answer = await callApi<BackfillDryRun>('POST', '/api/admin/backfills', body(true));
    if (answer.ok) setDryRun(answer.value);
    else setError(answer.error.message);
  };
  const start = async () => {
    setError('');
    const answer = await callApi<{ backfill: BackfillProgress }>(
      'POST',
      '/api/admin/backfills',
      body(false),
    );
    if (!answer.ok) {
      setError(answer.error.message);
      return;
    }
    setDryRun(undefined);
    setStatus(`Backfill ${answer.value.backfill.id} started.`);
    await load();
  };
  const act = async (id: string, action: 'stop' | 'resume' | 'retry-failed') => {
    const answer = await callApi<{ requeued?: number }>(
      'POST',
      `/api/admin/backfills/${encodeURIComponent(id)}/${action}`,
    );
    if (!answer.ok) {
      setError(answer.error.message);
      return;
    }
    setStatus(
      action === 'retry-failed'
        ? `${answer.value.requeued ?? 0} failed run(s) queued again.`
        : `Backfill ${id} ${action === 'stop' ? 'stopped' : 'resumed'}.`,
    );
    await load();
  };

  return (
    <section>
      <div class="heading">
        <h1>Backfills</h1>
        <span class="muted">Run a connector on every ticket or record a query matches.</span>
      </div>
      <Feedback error={error} status={status} />
      <form
        class="backfill-form"
        onSubmit={(event) => {
          event.preventDefault();
          void preview();
        }}
      >
        <label>
          Connector id{' '}
          <input
            name="connectorId"
            value={form.connectorId}
            onInput={(event) =>
              setForm({ ...form, connectorId: (event.target as HTMLInputElement).value })
            }
          />
        </label>{' '}
        <label>
          Query{' '}
          <select
            name="kind"
            value={form.kind}
            onChange={(event) =>
              setForm({ ...form, kind: (event.target as HTMLSelectElement).value })
            }
          >
            <option value="search">Zendesk search</option>
            <option value="soql">Salesforce SOQL</option>
          </select>{' '}
          <input
            name="query"
            size={50}
            value={form.query}
            placeholder={
              form.kind === 'search' ? 'tags:order status<solved' : 'SELECT Id FROM Case'
            }
            onInput={(event) =>
              setForm({ ...form, query: (event.target as HTMLInputElement).value })
            }
          />
        </label>{' '}
        <button type="submit" class="button">
          Dry run
        </button>
      </form>
      {dryRun && (
        <div class="backfill-dry-run">
          <p>
            {dryRun.count} match. The first requests, as they would be sent (nothing is sent or
            written):
          </p>
          <ul>
            {dryRun.renders.map((render) => (
              <li key={render.targetId}>
                {render.targetId}:{' '}
                {render.report?.request
                  ? `${render.report.request.method ?? ''} ${render.report.request.url ?? ''}`
                  : `${render.error?.code ?? ''} ${render.error?.message ?? ''}`}
              </li>
            ))}
          </ul>
          <button type="button" class="button button-primary" onClick={() => void start()}>
            Start the backfill on {dryRun.count}
          </button>
        </div>
      )}
      {backfills === undefined ? (
        <p class="loading">Loading backfills…</p>
      ) : backfills.length === 0 ? (
        <p class="muted">No backfills yet.</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Backfill</th>
              <th scope="col">Query</th>
              <th scope="col">Progress</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {backfills.map((backfill) => (
              <tr key={backfill.id} data-backfill={backfill.id}>
                <td>
                  <a href={linkTo(['backfills', backfill.id])}>{backfill.connectorId}</a>
                  <div class="muted">
                    {backfill.id} · {formatTime(backfill.createdAt)}
                  </div>
                </td>
                <td>
                  <code>{backfill.query.text}</code>
                </td>
                <td>
                  <progress max={Math.max(1, backfill.total)} value={backfill.processed} />{' '}
                  {backfill.processed}/{backfill.total} · {backfill.ratePerSecond}/s ·{' '}
                  {formatEta(backfill)}
                  {backfill.failed > 0 && <div class="muted">{backfill.failed} failed</div>}
                  {backfill.error !== null && (
                    <div class="error" data-backfill-error>
                      {backfill.error}
                    </div>
                  )}
                </td>
                <td>
                  {(backfill.state === 'running' ||
                    (backfill.state === 'failed' && backfill.counts.queued > 0)) && (
                    <button
                      type="button"
                      class="button"
                      onClick={() => void act(backfill.id, 'stop')}
                    >
                      Stop
                    </button>
                  )}
                  {(backfill.state === 'paused' || backfill.state === 'failed') && (
                    <button
                      type="button"
                      class="button"
                      onClick={() => void act(backfill.id, 'resume')}
                    >
                      Resume
                    </button>
                  )}
                  {backfill.failed > 0 && backfill.state !== 'paused' && (
                    <button
                      type="button"
                      class="button"
                      onClick={() => void act(backfill.id, 'retry-failed')}
                    >
                      Retry failed
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && failures && failures.length > 0 && (
        <>
          <h2>Failures of {selected}</h2>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Error</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((failure) => (
                <tr key={failure.deliveryId}>
                  <td>{failure.targetId}</td>
                  <td>{failure.code}</td>
                  <td>{failure.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
