import { STRINGS } from '../strings';
import { h } from './dom';

/** Whether to show ⌘K or Ctrl+K in the placeholder; both work everywhere. */
function isMac(): boolean {
  return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}

/** The static frame of the sidebar; the views fill its regions. */
export function renderShell(root: HTMLElement): void {
  root.replaceChildren(
    h(
      'div',
      { class: 'dc-search' },
      h('label', { for: 'dc-search', class: 'dc-visually-hidden' }, STRINGS.searchLabel),
      h('input', {
        id: 'dc-search',
        class: 'dc-input dc-search__input',
        type: 'text',
        role: 'combobox',
        'aria-autocomplete': 'list',
        'aria-expanded': 'true',
        'aria-controls': 'dc-connector-list',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: isMac() ? STRINGS.searchPlaceholderMac : STRINGS.searchPlaceholder,
        'data-testid': 'connector-search',
      }),
    ),
    h(
      'section',
      { id: 'dc-list-area', class: 'dc-list-area', 'aria-label': STRINGS.listLabel },
      h('ul', {
        id: 'dc-connector-list',
        class: 'dc-list',
        role: 'listbox',
        'aria-label': STRINGS.listLabel,
        'data-testid': 'connector-list',
      }),
      h(
        'div',
        { id: 'dc-list-status', class: 'dc-list-status', 'data-testid': 'list-status' },
        STRINGS.loading,
      ),
    ),
    h('section', {
      id: 'dc-panel',
      class: 'dc-panel',
      hidden: true,
      tabindex: -1,
      'aria-labelledby': 'dc-panel-heading',
      'data-testid': 'run-panel',
    }),
    h(
      'section',
      {
        id: 'dc-comments',
        class: 'dc-section',
        'aria-labelledby': 'dc-comments-heading',
        'data-testid': 'comments-section',
      },
      h(
        'h2',
        { id: 'dc-comments-heading', class: 'dc-section__heading' },
        h(
          'button',
          {
            id: 'dc-comments-toggle',
            type: 'button',
            class: 'dc-disclosure',
            'aria-expanded': 'false',
            'aria-controls': 'dc-comments-body',
            'data-testid': 'comments-toggle',
          },
          STRINGS.commentsHeading,
        ),
      ),
      h('div', { id: 'dc-comments-body', class: 'dc-section__body', hidden: true }),
    ),
    h(
      'section',
      {
        id: 'dc-runs',
        class: 'dc-section',
        'aria-labelledby': 'dc-runs-heading',
        'data-testid': 'recent-runs',
      },
      h(
        'h2',
        { id: 'dc-runs-heading', class: 'dc-section__heading' },
        h(
          'button',
          {
            id: 'dc-runs-toggle',
            type: 'button',
            class: 'dc-disclosure',
            'aria-expanded': 'true',
            'aria-controls': 'dc-runs-body',
            'data-testid': 'runs-toggle',
          },
          STRINGS.runsHeading,
        ),
      ),
      h('div', { id: 'dc-runs-body', class: 'dc-section__body' }, STRINGS.runsLoading),
    ),
    h('div', {
      id: 'dc-live',
      class: 'dc-visually-hidden',
      role: 'status',
      'aria-live': 'polite',
      'aria-atomic': 'true',
      'data-testid': 'live',
    }),
  );
}
