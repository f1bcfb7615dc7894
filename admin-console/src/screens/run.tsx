import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../api';
import { formatTime, formatValue } from '../format';
import { linkTo } from '../route';

interface RunDetail {
  id: string;
  kind: string;
  connectorId?: string;
  source: string;
  actor: { kind: string; id?: string; name?: string; email?: string };
  target: { system: string; type: string; id: string; commentId?: string };
  outcome: string;
  upstreamOutcome?: string;
  errorCode?: string;
  message: string;
  emptyReason?: string;
  warnings?: string[];
  dryRun: boolean;
  inputs: Record<string, unknown>;
  request?: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: {
    status?: number;
    headers?: Record<string, string>;
    body?: string;
    truncated: boolean;
  };
  outputs: Record<string, unknown>;
  writes: { status: string; changes: unknown; error?: { code: string; message: string } };
  attempts: number;
  startedAt: string;
  durationMs: number;
}

function Pairs(props: { values: Record<string, unknown> }) {
  const entries = Object.entries(props.values);
  if (entries.length === 0) return <p class="muted">None.</p>;
  return (
    <dl class="pairs">
      {entries.map(([name, value]) => (
        <>
          <dt>{name}</dt>
          <dd>{formatValue(value)}</dd>
        </>
      ))}
    </dl>
  );
}

/** One run as the log keeps it (already redacted): request, response excerpt, outputs, writes. */
export function RunScreen(props: { id: string }) {
  const [run, setRun] = useState<RunDetail>();
  const [error, setError] = useState('');
  useEffect(() => {
    void callApi<{ run: RunDetail }>(
      'GET',
      `/api/admin/console/runs/${encodeURIComponent(props.id)}`,
    ).then((answer) => (answer.ok ? setRun(answer.value.run) : setError(answer.error.message)));
  }, [props.id]);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!run) return <p class="loading">Loading the run…</p>;
  return (
    <section class="run">
      <div class="heading">
        <h1>
          Run <code>{run.id}</code>
        </h1>
        <a
          class="button button-basic"
          href={linkTo(['logs'], { targetId: run.target.id, system: run.target.system })}
        >
          Runs on this {run.target.type}
        </a>
      </div>
      <dl class="pairs">
        <dt>What ran</dt>
        <dd>{run.connectorId ?? run.kind}</dd>
        <dt>Outcome</dt>
        <dd>
          <span class={`outcome outcome-${run.outcome}`}>{run.outcome}</span>
          {run.errorCode ? ` · ${run.errorCode}` : ''}
          {run.dryRun ? ' · test (dry run)' : ''}
        </dd>
        <dt>Message</dt>
        <dd>{run.message}</dd>
        {run.emptyReason && (
          <>
            <dt>Why empty</dt>
            <dd>{run.emptyReason}</dd>
          </>
        )}
        <dt>Target</dt>
        <dd>
          {run.target.system} {run.target.type} {run.target.id}
        </dd>
        <dt>Surface · actor</dt>
        <dd>
          {run.source} · {run.actor.kind} {run.actor.name ?? run.actor.email ?? run.actor.id ?? ''}
        </dd>
        <dt>Started</dt>
        <dd>
          {formatTime(run.startedAt)} · {run.durationMs} ms · {run.attempts} attempt(s)
        </dd>
      </dl>
      <h2>Inputs</h2>
      <Pairs values={run.inputs} />
      <h2>Request</h2>
      {run.request ? (
        <pre class="code">
          {`${run.request.method} ${run.request.url}\n`}
          {Object.entries(run.request.headers).map(([name, value]) => `${name}: ${value}\n`)}
          {run.request.body ? `\n${run.request.body}` : ''}
        </pre>
      ) : (
        <p class="muted">Nothing was sent.</p>
      )}
      <h2>Response</h2>
      {run.response ? (
        <pre class="code">
          {`HTTP ${run.response.status ?? '—'}\n\n`}
          {run.response.body ?? ''}
          {run.response.truncated ? '\n… (the log keeps the first 16 KiB)' : ''}
        </pre>
      ) : (
        <p class="muted">No response.</p>
      )}
      <h2>Outputs</h2>
      <Pairs values={run.outputs} />
      <h2>Write-back</h2>
      <p>
        {run.writes.status}
        {run.writes.error ? ` · ${run.writes.error.code}: ${run.writes.error.message}` : ''}
      </p>
      {run.writes.changes !== null && (
        <pre class="code">{JSON.stringify(run.writes.changes, null, 2)}</pre>
      )}
    </section>
  );
}
