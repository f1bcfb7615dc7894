import type { ErrorView } from '../error-messages';
import { STRINGS } from '../strings';
import { h } from './dom';

/** The one way an error shows: a titled alert with the message, a hint and maybe Retry. */
export function renderError(error: ErrorView, onRetry?: () => void): HTMLElement {
  const retry =
    error.retryable && onRetry
      ? h(
          'button',
          { type: 'button', class: 'dc-button', 'data-testid': 'retry-button' },
          STRINGS.retry,
        )
      : null;
  retry?.addEventListener('click', onRetry as () => void);
  return h(
    'div',
    { class: 'dc-error', role: 'alert', 'data-testid': 'error', 'data-code': error.code },
    h('p', { class: 'dc-error__title' }, error.title),
    error.message ? h('p', { class: 'dc-error__message' }, error.message) : null,
    error.hint ? h('p', { class: 'dc-error__hint' }, error.hint) : null,
    retry,
  );
}
