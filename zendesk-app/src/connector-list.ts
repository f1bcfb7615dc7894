import type { ConnectorView } from '../../shared/src/api/api-contracts';

/**
 * The list the agent searches: which connectors show for a query, which one is active for the
 * keyboard, and which take a comment. Pure state, so the keyboard behaviour is tested without a
 * DOM.
 */

export interface ListState {
  connectors: readonly ConnectorView[];
  query: string;
  /** Index into `visibleConnectors(state)`; -1 when nothing is visible. */
  activeIndex: number;
}

export function createListState(connectors: readonly ConnectorView[], query = ''): ListState {
  const state = { connectors, query, activeIndex: 0 };
  return { ...state, activeIndex: visibleConnectors(state).length ? 0 : -1 };
}

function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** Every word of the query must appear in the name, description or id (any order). */
export function matchesQuery(connector: ConnectorView, query: string): boolean {
  const words = normalize(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = normalize(`${connector.name} ${connector.description} ${connector.id}`);
  return words.every((word) => haystack.includes(word));
}

/** Name matches first, so typing a connector's name puts it at the top. */
export function visibleConnectors(state: Pick<ListState, 'connectors' | 'query'>): ConnectorView[] {
  const matching = state.connectors.filter((connector) => matchesQuery(connector, state.query));
  const words = normalize(state.query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return matching;
  const byName = (connector: ConnectorView) =>
    words.every((word) => normalize(connector.name).includes(word)) ? 0 : 1;
  return matching
    .map((connector, index) => ({ connector, index }))
    .sort((a, b) => byName(a.connector) - byName(b.connector) || a.index - b.index)
    .map((entry) => entry.connector);
}

export function setQuery(state: ListState, query: string): ListState {
  return createListState(state.connectors, query);
}

/** Moves the active option by `delta`, wrapping at both ends like Zendesk's own menus. */
export function moveActive(state: ListState, delta: number): ListState {
  const count = visibleConnectors(state).length;
  if (count === 0) return { ...state, activeIndex: -1 };
  const from = state.activeIndex < 0 ? (delta > 0 ? -1 : 0) : state.activeIndex;
  return { ...state, activeIndex: (((from + delta) % count) + count) % count };
}

export function setActive(state: ListState, connectorId: string): ListState {
  const index = visibleConnectors(state).findIndex((connector) => connector.id === connectorId);
  return index < 0 ? state : { ...state, activeIndex: index };
}

export function activeConnector(state: ListState): ConnectorView | undefined {
  return visibleConnectors(state)[state.activeIndex];
}

/** A connector "takes a comment" when one of its inputs reads from the chosen comment. */
export function takesComment(connector: ConnectorView): boolean {
  return connector.inputs.some((input) => input.source?.startsWith('comment.') ?? false);
}

export function commentConnectors(connectors: readonly ConnectorView[]): ConnectorView[] {
  return connectors.filter(takesComment);
}

export type ListKeyAction = 'next' | 'previous' | 'run' | 'clear' | undefined;

/** What a key in the search box means for the list (Home/End stay with the text caret). */
export function listKeyAction(key: string): ListKeyAction {
  switch (key) {
    case 'ArrowDown':
      return 'next';
    case 'ArrowUp':
      return 'previous';
    case 'Enter':
      return 'run';
    case 'Escape':
      return 'clear';
    default:
      return undefined;
  }
}

/** Cmd+K on macOS, Ctrl+K elsewhere; both are accepted everywhere so nobody has to think. */
export function isSearchShortcut(event: {
  key: string;
  metaKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}): boolean {
  return (
    event.key.toLowerCase() === 'k' &&
    (event.metaKey || event.ctrlKey) &&
    !event.altKey &&
    !event.shiftKey
  );
}
