import type { ConnectorView } from '../../../shared/src/api/answer-schemas';
import { takesComment } from '../connector-list';
import type { ListEntry } from '../connector-list';
import type { MacroView } from '../server-api';
import { STRINGS } from '../strings';
import { formatWhen, h, idPart } from './dom';

export function optionId(connectorId: string): string {
  return `dc-option-${idPart(connectorId)}`;
}

export function macroOptionId(macroId: string): string {
  return `dc-macro-option-${idPart(macroId)}`;
}

function lastRunLine(connector: ConnectorView): HTMLElement {
  if (connector.unavailable) {
    // A pause is the admin's decision, not a fault: it says so instead of "Unavailable".
    const paused = connector.unavailable.code === 'CONNECTOR_PAUSED';
    return h(
      'span',
      {
        class: 'dc-badge dc-badge--danger',
        'data-testid': 'last-run',
        'data-outcome': paused ? 'paused' : 'unavailable',
        title: connector.unavailable.message,
      },
      paused ? STRINGS.paused : STRINGS.unavailable,
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

function connectorOption(
  connector: ConnectorView,
  active: boolean,
  onPick: () => void,
): HTMLElement {
  return optionElement(
    {
      id: optionId(connector.id),
      active,
      testId: 'connector-option',
      dataAttr: ['data-connector-id', connector.id],
      disabled: connector.unavailable !== null,
    },
    [
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
    ],
    onPick,
  );
}

function macroOption(macro: MacroView, active: boolean, onPick: () => void): HTMLElement {
  const connectors = macro.connectors.map((connector) => connector.name).join(', ');
  return optionElement(
    {
      id: macroOptionId(macro.id),
      active,
      testId: 'macro-option',
      dataAttr: ['data-macro-id', macro.id],
    },
    [
      h('span', { class: 'dc-option__name' }, macro.name),
      macro.description ? h('span', { class: 'dc-option__description' }, macro.description) : null,
      h(
        'span',
        { class: 'dc-option__meta' },
        macro.unavailable
          ? h(
              'span',
              {
                class: 'dc-badge dc-badge--danger',
                'data-testid': 'macro-unavailable',
                title: macro.unavailable.message,
              },
              STRINGS.unavailable,
            )
          : null,
        connectors
          ? h(
              'span',
              { class: 'dc-muted', 'data-testid': 'macro-connectors' },
              STRINGS.macroRuns(connectors),
            )
          : null,
      ),
    ],
    onPick,
  );
}

function optionElement(
  options: {
    id: string;
    active: boolean;
    testId: string;
    dataAttr: [string, string];
    /** Shown but not runnable (an unavailable connector): the reason is its badge's tooltip. */
    disabled?: boolean;
  },
  children: (HTMLElement | null)[],
  onPick: () => void,
): HTMLElement {
  const option = h(
    'li',
    {
      id: options.id,
      role: 'option',
      class: `dc-option${options.active ? ' dc-option--active' : ''}`,
      'aria-selected': options.active ? 'true' : 'false',
      'data-testid': options.testId,
      'aria-disabled': options.disabled ? 'true' : null,
      [options.dataAttr[0]]: options.dataAttr[1],
    },
    ...children,
  );
  // mousedown would steal focus from the search box; keep focus where the keyboard is.
  option.addEventListener('mousedown', (event) => event.preventDefault());
  option.addEventListener('click', onPick);
  return option;
}

function group(kind: string, label: string, options: HTMLElement[]): HTMLElement {
  const labelId = `dc-group-${kind}`;
  return h(
    'li',
    {
      role: 'group',
      class: 'dc-group',
      'aria-labelledby': labelId,
      'data-testid': `${kind}-group`,
    },
    h('span', { id: labelId, class: 'dc-group__label' }, label),
    h('ul', { class: 'dc-group__list', role: 'none' }, options),
  );
}

/**
 * One `role=option` per entry; the search box owns focus and points at the active one. Without
 * macros the connectors are the listbox's direct options; with macros both sit in labelled
 * groups, so a screen reader says which kind an option is.
 */
export function renderOptions(
  list: HTMLElement,
  entries: readonly ListEntry[],
  active: ListEntry | undefined,
  onPick: (entry: ListEntry) => void,
): void {
  const isActive = (entry: ListEntry) => entry.kind === active?.kind && entry.id === active.id;
  const options = (kind: ListEntry['kind']) =>
    entries
      .filter((entry) => entry.kind === kind)
      .map((entry) =>
        entry.kind === 'connector'
          ? connectorOption(entry.connector, isActive(entry), () => onPick(entry))
          : macroOption(entry.macro, isActive(entry), () => onPick(entry)),
      );
  const connectors = options('connector');
  const macros = options('macro');
  if (macros.length === 0) {
    list.replaceChildren(...connectors);
    return;
  }
  list.replaceChildren(
    ...(connectors.length ? [group('connectors', STRINGS.connectorsGroup, connectors)] : []),
    group('macros', STRINGS.macrosGroup, macros),
  );
}

/** The element id of an entry's option, for `aria-activedescendant`. */
export function entryOptionId(entry: ListEntry): string {
  return entry.kind === 'connector' ? optionId(entry.id) : macroOptionId(entry.id);
}
