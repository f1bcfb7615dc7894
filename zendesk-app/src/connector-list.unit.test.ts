import { describe, expect, it } from 'vitest';
import {
  activeConnector,
  activeEntry,
  commentConnectors,
  createListState,
  isSearchShortcut,
  listKeyAction,
  moveActive,
  replaceItems,
  setActive,
  setQuery,
  takesComment,
  visibleConnectors,
  visibleEntries,
} from './connector-list';
import {
  ESCALATE,
  JIRA_CREATE,
  JIRA_FROM_COMMENT,
  NO_INPUTS,
  ORDER_LOOKUP,
  TIDY_UP,
} from './test-fixtures';

const ALL = [ORDER_LOOKUP, JIRA_CREATE, JIRA_FROM_COMMENT, NO_INPUTS];
const ids = (state: ReturnType<typeof createListState>) =>
  visibleConnectors(state).map((c) => c.id);

describe('searching the connector list', () => {
  it('shows every connector for an empty query, first one active', () => {
    const state = createListState(ALL);
    expect(ids(state)).toEqual(ALL.map((c) => c.id));
    expect(activeConnector(state)?.id).toBe('shopify_order_lookup');
  });

  it('keeps connectors whose name, description or id contain every word, in any order', () => {
    expect(ids(setQuery(createListState(ALL), 'issue jira'))).toEqual([
      'jira_create_issue',
      'jira_issue_from_comment',
    ]);
    expect(ids(setQuery(createListState(ALL), 'stock'))).toEqual(['ping']);
    expect(ids(setQuery(createListState(ALL), 'shopify_order'))).toEqual(['shopify_order_lookup']);
  });

  it('ignores case and accents', () => {
    expect(ids(setQuery(createListState(ALL), 'WAREHOUSÉ'))).toEqual(['ping']);
  });

  it('puts name matches before description-only matches', () => {
    // "comment" is in one name and in no other text; "order" is in a name and a description.
    const withOrderInDescription = { ...NO_INPUTS, description: 'Checks an order’s stock.' };
    const state = setQuery(createListState([withOrderInDescription, ORDER_LOOKUP]), 'order');
    expect(ids(state)).toEqual(['shopify_order_lookup', 'ping']);
  });

  it('has no active option when nothing matches', () => {
    const state = setQuery(createListState(ALL), 'zzz');
    expect(ids(state)).toEqual([]);
    expect(state.activeIndex).toBe(-1);
    expect(activeConnector(moveActive(state, 1))).toBeUndefined();
  });

  it('resets the active option to the first match when the query changes', () => {
    const moved = moveActive(createListState(ALL), 2);
    expect(activeConnector(setQuery(moved, 'jira'))?.id).toBe('jira_create_issue');
  });
});

describe('moving through the list with the arrow keys', () => {
  it('moves down and up and wraps at both ends', () => {
    let state = createListState(ALL);
    state = moveActive(state, 1);
    expect(activeConnector(state)?.id).toBe('jira_create_issue');
    state = moveActive(moveActive(state, 1), 1);
    expect(activeConnector(state)?.id).toBe('ping');
    expect(activeConnector(moveActive(state, 1))?.id).toBe('shopify_order_lookup');
    expect(activeConnector(moveActive(createListState(ALL), -1))?.id).toBe('ping');
  });

  it('makes a clicked connector the active one', () => {
    expect(activeConnector(setActive(createListState(ALL), 'ping'))?.id).toBe('ping');
    expect(setActive(createListState(ALL), 'unknown').activeIndex).toBe(0);
  });

  it('maps keys to list actions and leaves other keys to the text box', () => {
    expect(['ArrowDown', 'ArrowUp', 'Enter', 'Escape', 'Home', 'a'].map(listKeyAction)).toEqual([
      'next',
      'previous',
      'run',
      'clear',
      undefined,
      undefined,
    ]);
  });

  it('treats Cmd+K and Ctrl+K as the search shortcut, not K with other modifiers', () => {
    const key = { key: 'k', metaKey: false, ctrlKey: false, altKey: false, shiftKey: false };
    expect(isSearchShortcut({ ...key, metaKey: true })).toBe(true);
    expect(isSearchShortcut({ ...key, key: 'K', ctrlKey: true })).toBe(true);
    expect(isSearchShortcut(key)).toBe(false);
    expect(isSearchShortcut({ ...key, ctrlKey: true, shiftKey: true })).toBe(false);
    expect(isSearchShortcut({ ...key, key: 'j', ctrlKey: true })).toBe(false);
  });
});

describe('connectors that run on a comment', () => {
  it('are those with an input read from comment.*', () => {
    expect(takesComment(JIRA_FROM_COMMENT)).toBe(true);
    expect(takesComment(ORDER_LOOKUP)).toBe(false);
    expect(commentConnectors(ALL).map((c) => c.id)).toEqual(['jira_issue_from_comment']);
  });
});

describe('macros in the same list', () => {
  const MACROS = [ESCALATE, TIDY_UP];
  const keys = (state: ReturnType<typeof createListState>) =>
    visibleEntries(state).map((entry) => `${entry.kind}:${entry.id}`);

  it('come after the connectors, and the arrow keys move through both', () => {
    let state = createListState([ORDER_LOOKUP, NO_INPUTS], '', MACROS);
    expect(keys(state)).toEqual([
      'connector:shopify_order_lookup',
      'connector:ping',
      'macro:escalate_to_engineering',
      'macro:tidy_up',
    ]);
    state = moveActive(moveActive(state, 1), 1);
    expect(activeEntry(state)).toMatchObject({ kind: 'macro', id: 'escalate_to_engineering' });
    // Not a connector, so nothing that expects one picks it up.
    expect(activeConnector(state)).toBeUndefined();
    expect(activeEntry(moveActive(moveActive(state, 1), 1))?.id).toBe('shopify_order_lookup');
    expect(activeEntry(moveActive(createListState([], '', MACROS), -1))?.id).toBe('tidy_up');
  });

  it('are searched by name, description, id and the names of the connectors they run', () => {
    const all = createListState(ALL, '', MACROS);
    expect(keys(setQuery(all, 'escalate'))).toEqual(['macro:escalate_to_engineering']);
    expect(keys(setQuery(all, 'weekly review'))).toEqual(['macro:tidy_up']);
    expect(keys(setQuery(all, 'create jira'))).toEqual([
      'connector:jira_create_issue',
      'connector:jira_issue_from_comment',
      'macro:escalate_to_engineering',
    ]);
    expect(setQuery(all, 'tidy').activeIndex).toBe(0);
    expect(setQuery(all, 'nothing like it').activeIndex).toBe(-1);
  });

  it('keep their own ids apart from connectors’ when made active', () => {
    const clash = { ...TIDY_UP, id: 'ping' };
    const state = createListState([NO_INPUTS], '', [clash]);
    expect(activeEntry(setActive(state, 'ping', 'macro'))?.kind).toBe('macro');
    expect(activeEntry(setActive(state, 'ping'))?.kind).toBe('connector');
  });

  it('keep the query and the active entry when the server sends the lists again', () => {
    let state = setQuery(createListState(ALL, '', MACROS), 'e');
    state = setActive(state, 'tidy_up', 'macro');
    const refreshed = replaceItems(state, [ORDER_LOOKUP], MACROS);
    expect(refreshed.query).toBe('e');
    expect(activeEntry(refreshed)).toMatchObject({ kind: 'macro', id: 'tidy_up' });
    // The escalated ticket no longer offers the macro that was active: the first entry is.
    const gone = replaceItems(
      setActive(state, 'escalate_to_engineering', 'macro'),
      [ORDER_LOOKUP],
      [],
    );
    expect(activeEntry(gone)?.id).toBe('shopify_order_lookup');
  });
});
