import { useEffect, useState } from 'preact/hooks';
import { callApi, toQuery } from '../api';
import { formatTime } from '../format';
import { linkTo, navigate } from '../route';

interface RunRow {
  id: string;
  kind: string;
  connectorId?: string;
  workflowId?: string;
  macroId?: string;
  event?: string;
  source: string;
  actor: { kind: string; id?: string; name?: string; email?: string };
  target: { system: string; type: string; id: string };
  outcome: 'success' | 'empty' | 'failed';
  errorCode?: string;
  message: string;
  dryRun: boolean;
  startedAt: string;
  durationMs: number;
}

interface RunsAnswer {
  runs: RunRow[];
  nextCursor: string | null;
  retentionDays: number;
}

/** The filters, each a query parameter of the screen's link and of the API call. */
const FILTERS = [
  'connectorId',
  'system',
  'targetId',
  'outcome',
  'errorCode',
  'source',
  'actorKind',
  'actorId',
  'since',
  'until',
] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function readFilters(query: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const name of FILTERS) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

/** datetime-local has no zone: the admin's local time, sent to the server as an instant. */
function toInstant(local: string | undefined): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function whatRan(run: RunRow): string {
  return run.connectorId ?? run.workflowId ?? run.macroId ?? run.event ?? run.kind;
}

export function LogsScreen(props: { query: URLSearchParams }) {
  const filters = readFilters(props.query);
  const [draft, setDraft] = useState<Filters>(filters);
  const [pages, setPages] = useState<RunRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [retention, setRetention] = useState<number>();
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);
  const key = props.query.toString();

  const apiQuery = (extra: Record<string, string | undefined> = {}) =>
    toQuery({
      ...filters,
      since: toInstant(filters.since),
      until: toInstant(filters.until),
      ...extra,
    });

  const fetchPage = async (cursor?: string) => {
    setLoading(true);
    const answer = await callApi<RunsAnswer>(
      'GET',
      `/api/admin/console/runs${apiQuery({ cursor })}`,
    );
    setLoading(false);
    if (!answer.ok) {
      setError(answer.error.message);
      return;
    }
    setError('');
    setRetention(answer.value.retentionDays);
    setPages((previous) => (cursor ? [...previous, ...answer.value.runs] : answer.value.runs));
    setNext(answer.value.nextCursor);
  };
  useEffect(() => {
    setDraft(filters);
    void fetchPage();
  }, [key]);

  const apply = (event: Event) => {
    event.preventDefault();
    navigate(['logs'], draft);
  };
  const field = (
    name: keyof Filters,
    label: string,
    type: 'text' | 'datetime-local' = 'text',
    options?: string[],
  ) => (
    <label>
      {label}
      {options ? (
        <select
          value={draft[name] ?? ''}
          onChange={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })}
        >
          <option value="">Any</option>
          {options.map((option) => (
            <option value={option}>{option}</option>
          ))}
        </select>
      ) : type === 'datetime-local' ? (
        <input
          name={name}
          type="datetime-local"
          value={draft[name] ?? ''}
          onInput={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })}
        />
      ) : (
        <input
          name={name}
          type="text"
          value={draft[name] ?? ''}
          onInput={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })}
        />
      )}
    </label>
  );

  return (
    <section>
      <div class="heading">
        <h1>Logs</h1>
        <span class="muted">
          {retention === undefined ? '' : `Runs are kept for ${retention} days.`}
        </span>
      </div>
      <form class="filters" onSubmit={apply} aria-label="Filter runs">
        {field('since', 'From', 'datetime-local')}
        {field('until', 'To', 'datetime-local')}
        {field('connectorId', 'Connector')}
        {field('system', 'Helpdesk', 'text', ['zendesk', 'salesforce'])}
        {field('targetId', 'Ticket or record')}
        {field('outcome', 'Outcome', 'text', ['success', 'empty', 'failed'])}
        {field('errorCode', 'Error code')}
        {field('source', 'Surface', 'text', ['zendesk', 'salesforce', 'automation', 'api', 'mcp'])}
        {field('actorKind', 'Actor', 'text', ['agent', 'admin', 'system', 'ai_agent'])}
        {field('actorId', 'Actor id')}
        <div class="actions">
          <button type="submit" class="button button-primary">
            Apply filters
          </button>
          <a class="button button-basic" href={linkTo(['logs'])}>
            Clear
          </a>
          <a
            class="button button-basic"
            href={`/api/admin/console/runs/export${apiQuery({ format: 'csv' })}`}
            download
          >
            Export CSV
          </a>
          <a
            class="button button-basic"
            href={`/api/admin/console/runs/export${apiQuery({ format: 'ndjson' })}`}
            download
          >
            Export NDJSON
          </a>
        </div>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table class="table" aria-busy={loading}>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">What ran</th>
            <th scope="col">Ticket or record</th>
            <th scope="col">Outcome</th>
            <th scope="col">Surface · actor</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {pages.map((run) => (
            <tr key={run.id} data-run={run.id}>
              <td>
                <a href={linkTo(['runs', run.id])}>{formatTime(run.startedAt)}</a>
              </td>
              <td>
                {whatRan(run)}
                {run.dryRun && <span class="tag">test</span>}
              </td>
              <td>
                {run.target.system} {run.target.type} {run.target.id}
              </td>
              <td>
                <span class={`outcome outcome-${run.outcome}`}>{run.outcome}</span>
                {run.errorCode && <div class="muted">{run.errorCode}</div>}
              </td>
              <td>
                {run.source} · {run.actor.name ?? run.actor.email ?? run.actor.id ?? run.actor.kind}
              </td>
              <td class="message">{run.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && pages.length === 0 && <p class="muted">No runs match these filters.</p>}
      {next && (
        <button
          type="button"
          class="button button-basic"
          disabled={loading}
          onClick={() => void fetchPage(next)}
        >
          Older runs
        </button>
      )}
    </section>
  );
}
