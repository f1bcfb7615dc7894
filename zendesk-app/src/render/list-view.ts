import type { ConnectorView } from '../../../shared/src/api/api-contracts';
import { takesComment } from '../connector-list';
import { STRINGS } from '../strings';
import { formatWhen, h, idPart } from './dom';

export function optionId(connectorId: string): string {
  return `dc-option-${idPart(connectorId)}`;
}

function lastRunLine(connector: ConnectorView): HTMLElement {
  if (connector.unavailable) {
    return h(
      'span',
      {
        class: 'dc-badge dc-badge--danger',
        'data-testid': 'last-run',
        'data-outcome': 'unavailable',
      },
      STRINGS.unavailable,
    );
  }
  const last = connector.lastRun;
  if (!last) {
    return h(
      'span',
      { class: 'dc-muted', 'data-testid': 'last-run', 'data-outcome': 'none' },
      STRINGS.neverRun,
    );
  }
  const outcome = STRINGS.outcome[last.outcome] ?? last.outcome;
  return h(
    'span',
    {
      class: `dc-badge dc-badge--${last.outcome}`,
      'data-testid': 'last-run',
      'data-outcome': last.outcome,
      title: last.message,
    },
    STRINGS.lastRun(outcome, formatWhen(last.startedAt)),
  );
}

/** One `role=option` per connector; the search box owns focus and points at the active one. */
export function renderOptions(
  list: HTMLElement,
  connectors: readonly ConnectorView[],
  activeId: string | undefined,
  onPick: (connectorId: string) => void,
): void {
  list.replaceChildren(
    ...connectors.map((connector) => {
      const active = connector.id === activeId;
      const option = h(
        'li',
        {
          id: optionId(connector.id),
          role: 'option',
          class: `dc-option${active ? ' dc-option--active' : ''}`,
          'aria-selected': active ? 'true' : 'false',
          'data-testid': 'connector-option',
          'data-connector-id': connector.id,
        },
        h('span', { class: 'dc-option__name' }, connector.name),
        connector.description
          ? h('span', { class: 'dc-option__description' }, connector.description)
          : null,
        h(
          'span',
          { class: 'dc-option__meta' },
          lastRunLine(connector),
          takesComment(connector) ? h('span', { class: 'dc-badge' }, STRINGS.takesComment) : null,
        ),
      );
      // mousedown would steal focus from the search box; keep focus where the keyboard is.
      option.addEventListener('mousedown', (event) => event.preventDefault());
      option.addEventListener('click', () => onPick(connector.id));
      return option;
    }),
  );
}
