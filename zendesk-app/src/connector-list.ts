import type { ConnectorView } from '../../shared/src/api/answer-schemas';
import type { MacroView } from './server-api';

/**
 * The list the agent searches: connectors, then the macros that apply (a second group of the same
 * listbox, so one search box and the same arrow keys reach both). Which entries show for a query,
 * which one is active for the keyboard, and which connectors take a comment. Pure state, so the
 * keyboard behaviour is tested without a DOM.
 */

export type ListEntry =
  | { kind: 'connector'; id: string; connector: ConnectorView }
  | { kind: 'macro'; id: string; macro: MacroView };

export type EntryKind = ListEntry['kind'];

export interface ListState {
  connectors: readonly ConnectorView[];
  macros: readonly MacroView[];
  query: string;
  /** Index into `visibleEntries(state)`; -1 when nothing is visible. */
  activeIndex: number;
}

export function createListState(
  connectors: readonly ConnectorView[],
  query = '',
  macros: readonly MacroView[] = [],
): ListState {
  const state = { connectors, macros, query, activeIndex: 0 };
  return { ...state, activeIndex: visibleEntries(state).length ? 0 : -1 };
}

function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

function queryWords(query: string): string[] {
  return normalize(query).split(/\s+/).filter(Boolean);
}

/** Every word of the query must appear in the name, description or id (any order). */
export function matchesQuery(connector: ConnectorView, query: string): boolean {
  return matchesText(`${connector.name} ${connector.description} ${connector.id}`, query);
}

/** A macro also matches the names of the connectors it runs ("jira" finds "Escalate…"). */
export function macroMatchesQuery(macro: MacroView, query: string): boolean {
  const connectors = macro.connectors.map((connector) => connector.name).join(' ');
  return matchesText(`${macro.name} ${macro.description} ${macro.id} ${connectors}`, query);
}

function matchesText(text: string, query: string): boolean {
  const words = queryWords(query);
  const haystack = normalize(text);
  return words.every((word) => haystack.includes(word));
}

/** Name matches first, so typing a name puts it at the top of its group. */
function byNameFirst<T extends { name: string }>(items: T[], query: string): T[] {
  const words = queryWords(query);
  if (words.length === 0) return items;
  const rank = (item: T) => (words.every((word) => normalize(item.name).includes(word)) ? 0 : 1);
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
    .map((entry) => entry.item);
}

export function visibleConnectors(state: Pick<ListState, 'connectors' | 'query'>): ConnectorView[] {
  return byNameFirst(
    state.connectors.filter((connector) => matchesQuery(connector, state.query)),
    state.query,
  );
}

export function visibleMacros(state: Pick<ListState, 'macros' | 'query'>): MacroView[] {
  return byNameFirst(
    state.macros.filter((macro) => macroMatchesQuery(macro, state.query)),
    state.query,
  );
}

/** What the listbox shows, in order: the connectors group, then the macros group. */
export function visibleEntries(
  state: Pick<ListState, 'connectors' | 'macros' | 'query'>,
): ListEntry[] {
  return [
    ...visibleConnectors(state).map((connector): ListEntry => ({
      kind: 'connector',
      id: connector.id,
      connector,
    })),
    ...visibleMacros(state).map((macro): ListEntry => ({ kind: 'macro', id: macro.id, macro })),
  ];
}

export function setQuery(state: ListState, query: string): ListState {
  return createListState(state.connectors, query, state.macros);
}

/** New connectors and macros from the server, keeping the query and, if still there, the active one. */
export function replaceItems(
  state: ListState,
  connectors: readonly ConnectorView[],
  macros: readonly MacroView[],
): ListState {
  const active = activeEntry(state);
  const next = createListState(connectors, state.query, macros);
  return active ? setActive(next, active.id, active.kind) : next;
}

/** Moves the active option by `delta`, wrapping at both ends like Zendesk's own menus. */
export function moveActive(state: ListState, delta: number): ListState {
  const count = visibleEntries(state).length;
  if (count === 0) return { ...state, activeIndex: -1 };
  const from = state.activeIndex < 0 ? (delta > 0 ? -1 : 0) : state.activeIndex;
  return { ...state, activeIndex: (((from + delta) % count) + count) % count };
}

export function setActive(state: ListState, id: string, kind: EntryKind = 'connector'): ListState {
  const index = visibleEntries(state).findIndex((entry) => entry.kind === kind && entry.id === id);
  return index < 0 ? state : { ...state, activeIndex: index };
}

export function activeEntry(state: ListState): ListEntry | undefined {
  return visibleEntries(state)[state.activeIndex];
}

export function activeConnector(state: ListState): ConnectorView | undefined {
  const entry = activeEntry(state);
  return entry?.kind === 'connector' ? entry.connector : undefined;
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
