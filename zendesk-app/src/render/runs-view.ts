import type { RunRecordView } from '../server-api';
import { STRINGS } from '../strings';
import { formatOutputValue } from '../run-result';
import { formatWhen, h, idPart } from './dom';

/** Recent runs on this ticket; each one expands into its run-log entry. */
/** A connector run by its connector's name; a workflow's or macro's summary by its kind and id. */
function runName(run: RunRecordView, connectorNames: ReadonlyMap<string, string>): string {
  if (run.kind === 'workflow') return `${STRINGS.runKind.workflow} ${run.workflowId ?? ''}`;
  if (run.kind === 'macro') return `${STRINGS.runKind.macro} ${run.macroId ?? ''}`;
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

function entries(record: Record<string, unknown>): HTMLElement | string {
  const pairs = Object.entries(record);
  if (pairs.length === 0) return STRINGS.noValue;
  return h(
    'dl',
    { class: 'dc-readonly' },
    pairs.map(([name, value]) =>
      h(
        'div',
        { class: 'dc-readonly__row' },
        h('dt', {}, name),
        h('dd', {}, formatOutputValue(value)),
      ),
    ),
  );
}

/** The log entry as the server stored it: already redacted, so it is safe to show as is. */
export function renderRunDetail(run: RunRecordView): HTMLElement {
  const L = STRINGS.runLog;
  const row = (label: string, value: HTMLElement | string) =>
    h('div', { class: 'dc-log__row' }, h('dt', {}, label), h('dd', {}, value));
  return h(
    'dl',
    { class: 'dc-log', 'data-testid': 'run-log' },
    row(L.runId, h('code', {}, run.id)),
    run.actor?.name ? row('', STRINGS.runBy(run.actor.name)) : null,
    run.errorCode ? row(L.error, h('code', {}, run.errorCode)) : null,
    row(L.inputs, entries(run.inputs)),
    row(L.outputs, entries(run.outputs)),
    run.request
      ? row(L.request, h('code', { class: 'dc-break' }, `${run.request.method} ${run.request.url}`))
      : null,
    run.response
      ? row(
          L.response,
          h(
            'pre',
            { class: 'dc-pre' },
            `${run.response.status ?? ''}\n${run.response.body ?? ''}${run.response.truncated ? '\n…' : ''}`.trim(),
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
