import type { RunRecordView } from '../server-api';
import { STRINGS } from '../strings';
import { formatOutputValue } from '../run-result';
import { formatWhen, h, idPart } from './dom';
import { humanizeName } from '../../../shared/src/humanize-name';

/** Recent runs on this ticket; each one expands into its run-log entry. */
/** A connector run by its connector's name; a workflow's or macro's summary by its kind and id. */
function runName(run: RunRecordView, connectorNames: ReadonlyMap<string, string>): string {
  if (run.kind === 'workflow') return `${STRINGS.runKind.workflow} ${run.workflowId ?? ''}`;
  if (run.kind === 'macro') return `${STRINGS.runKind.macro} ${run.macroId ?? ''}`;
  if (run.kind === 'verification') return STRINGS.runKind.verification;
  const id = run.connectorId ?? '';
  return connectorNames.get(id) ?? id;
}

export function renderRunList(
  runs: readonly RunRecordView[],
  connectorNames: ReadonlyMap<string, string>,
  onToggle: (run: RunRecordView, button: HTMLElement, detail: HTMLElement) => void,
): HTMLElement {
  if (runs.length === 0)
    return h('p', { class: 'dc-muted', 'data-testid': 'runs-empty' }, STRINGS.runsEmpty);
  return h(
    'ul',
    { class: 'dc-runs', 'data-testid': 'run-list' },
    runs.map((run) => {
      const detailId = `dc-run-${idPart(run.id)}`;
      const detail = h('div', {
        id: detailId,
        class: 'dc-run__detail',
        hidden: true,
        'data-testid': 'run-detail',
      });
      const button = h(
        'button',
        {
          type: 'button',
          class: 'dc-run__toggle',
          'aria-expanded': 'false',
          'aria-controls': detailId,
          'data-testid': 'run-toggle',
        },
        h(
          'span',
          { class: `dc-badge dc-badge--${run.outcome}` },
          STRINGS.outcome[run.outcome] ?? run.outcome,
        ),
        h('span', { class: 'dc-run__name' }, runName(run, connectorNames)),
        h('span', { class: 'dc-muted' }, formatWhen(run.startedAt)),
        h('span', { class: 'dc-run__message' }, run.message),
      );
      button.addEventListener('click', () => onToggle(run, button, detail));
      return h(
        'li',
        {
          class: 'dc-run',
          'data-testid': 'run-item',
          'data-run-id': run.id,
          'data-outcome': run.outcome,
        },
        button,
        detail,
      );
    }),
  );
}

const MAX_DEPTH = 3;
const MAX_ITEMS = 20;

/**
 * A stored value as an agent reads it: text as text, a list of plain values as "a, b", and an
 * object as its own name/value list (a few levels deep), never as raw JSON.
 */
function renderValue(value: unknown, depth = 0): HTMLElement | string {
  if (value === null || typeof value !== 'object') return formatOutputValue(value);
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== 'object'))
      return formatOutputValue(value);
    if (depth >= MAX_DEPTH) return STRINGS.runLog.items(value.length);
    return h(
      'ol',
      { class: 'dc-log__list' },
      value.slice(0, MAX_ITEMS).map((item) => h('li', {}, renderValue(item, depth + 1))),
      value.length > MAX_ITEMS ? h('li', {}, STRINGS.runLog.more(value.length - MAX_ITEMS)) : null,
    );
  }
  if (depth >= MAX_DEPTH) return STRINGS.runLog.fields(Object.keys(value).length);
  return entries(value as Record<string, unknown>, depth);
}

function entries(
  record: Record<string, unknown>,
  depth = 0,
  labels?: ReadonlyMap<string, string>,
): HTMLElement | string {
  const pairs = Object.entries(record);
  if (pairs.length === 0) return STRINGS.noValue;
  return h(
    'dl',
    { class: depth === 0 ? 'dc-readonly' : 'dc-readonly dc-readonly--nested' },
    pairs
      .slice(0, MAX_ITEMS)
      .map(([name, value]) =>
        h(
          'div',
          { class: 'dc-readonly__row' },
          h('dt', {}, labels ? (labels.get(name) ?? humanizeName(name)) : name),
          h('dd', {}, renderValue(value, depth + 1)),
        ),
      ),
  );
}

/** A response body: read as values when it is JSON, else the text as stored (it may be cut). */
function renderBody(body: string, truncated: boolean): HTMLElement {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object') {
      const shown = renderValue(parsed);
      return h('div', { class: 'dc-log__body' }, shown);
    }
  } catch {
    // Not JSON, or cut short by the log's size cap: show the text.
  }
  return h('pre', { class: 'dc-pre' }, `${body}${truncated ? '\n…' : ''}`);
}

/** The log entry as the server stored it: already redacted, so it is safe to show as is. */
/**
 * @param labels the connector's input and output labels by name, so the log reads as the form
 *   did ("Order number", not `order_number`); unknown names are put into words.
 */
export function renderRunDetail(
  run: RunRecordView,
  labels: ReadonlyMap<string, string> = new Map(),
): HTMLElement {
  const L = STRINGS.runLog;
  const row = (label: string, value: HTMLElement | string) =>
    h('div', { class: 'dc-log__row' }, h('dt', {}, label), h('dd', {}, value));
  return h(
    'dl',
    { class: 'dc-log', 'data-testid': 'run-log' },
    row(L.runId, h('code', {}, run.id)),
    run.actor?.name ? row('', STRINGS.runBy(run.actor.name)) : null,
    run.errorCode ? row(L.error, h('code', {}, run.errorCode)) : null,
    row(L.inputs, entries(run.inputs, 0, labels)),
    row(L.outputs, entries(run.outputs, 0, labels)),
    run.request
      ? row(L.request, h('code', { class: 'dc-break' }, `${run.request.method} ${run.request.url}`))
      : null,
    run.response
      ? row(
          L.response,
          h(
            'div',
            {},
            run.response.status === undefined
              ? null
              : h('p', { class: 'dc-log__status' }, L.status(run.response.status)),
            run.response.body ? renderBody(run.response.body, run.response.truncated) : null,
          ),
        )
      : null,
    row(
      L.writes,
      run.writes.error ? `${run.writes.status}: ${run.writes.error.message}` : run.writes.status,
    ),
    row(L.attempts, String(run.attempts)),
    row(L.duration, `${Math.round(run.durationMs)} ms`),
  );
}
