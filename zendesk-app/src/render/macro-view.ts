import type { MacroResultView } from '../macro-flow';
import type { MacroView } from '../server-api';
import { STRINGS } from '../strings';
import { actionButton, h, panelHeadingText } from './dom';
import { renderConfirmStep, renderProgress } from './panel-view';

/** The run panel's views for a macro: one confirmation, progress, and the result per step. */

export function renderMacroConfirm(
  macro: MacroView,
  callbacks: { onConfirm: () => void; onCancel: () => void },
): HTMLElement {
  return renderConfirmStep(
    { 'data-macro-id': macro.id },
    panelHeadingText(STRINGS.macroConfirmHeading(macro.name)),
    macro.description ? h('p', { class: 'dc-muted' }, macro.description) : null,
    h('p', { id: 'dc-confirm-intro' }, STRINGS.macroConfirmIntro),
    h(
      'ul',
      { class: 'dc-confirm__list', 'data-testid': 'macro-plan' },
      macro.connectors.map((connector) =>
        h(
          'li',
          { 'data-connector-id': connector.id },
          STRINGS.macroConfirmConnector(connector.name),
        ),
      ),
      h('li', {}, STRINGS.macroConfirmWrites),
    ),
    h(
      'div',
      { class: 'dc-actions' },
      actionButton('confirm-button', STRINGS.confirm, callbacks.onConfirm, true),
      actionButton('cancel-button', STRINGS.cancel, callbacks.onCancel),
    ),
  );
}

export function renderMacroRunning(macro: MacroView): HTMLElement {
  return h(
    'div',
    { class: 'dc-panel__body' },
    panelHeadingText(macro.name),
    renderProgress(macro.name),
  );
}

export function renderMacroResult(
  macro: MacroView,
  view: MacroResultView,
  notes: string[],
  callbacks: { onRetry: () => void; onClose: () => void },
): HTMLElement {
  return h(
    'div',
    {
      id: 'dc-result',
      class: `dc-panel__body dc-result dc-result--${view.tone}`,
      'data-testid': 'macro-result',
      'data-macro-id': macro.id,
      'data-outcome': view.outcome,
    },
    panelHeadingText(macro.name),
    h(
      'p',
      { class: `dc-badge dc-badge--${view.outcome}`, 'data-testid': 'result-outcome' },
      view.title,
    ),
    h('p', { class: 'dc-result__message', 'data-testid': 'result-message' }, view.message),
    view.steps.length
      ? h(
          'ol',
          {
            class: 'dc-steps',
            'aria-label': STRINGS.macroStepsHeading,
            'data-testid': 'macro-steps',
          },
          view.steps.map((step) =>
            h(
              'li',
              {
                class: 'dc-step',
                'data-testid': 'macro-step',
                'data-step-id': step.stepId,
                'data-outcome': step.outcome,
              },
              h('span', { class: `dc-badge dc-badge--${step.outcome}` }, step.title),
              h('span', { class: 'dc-step__name' }, step.label),
              h('span', { class: 'dc-step__message', 'data-testid': 'step-message' }, step.message),
            ),
          ),
        )
      : null,
    notes.map((note) => h('p', { class: 'dc-help', 'data-testid': 'result-note' }, note)),
    h(
      'div',
      { class: 'dc-actions' },
      view.retryable ? actionButton('retry-button', STRINGS.retry, callbacks.onRetry, true) : null,
      actionButton('close-button', STRINGS.back, callbacks.onClose),
    ),
  );
}

export function renderMacroError(
  macro: MacroView,
  errorElement: HTMLElement,
  onClose: () => void,
): HTMLElement {
  return h(
    'div',
    { class: 'dc-panel__body', 'data-testid': 'macro-error', 'data-macro-id': macro.id },
    panelHeadingText(macro.name),
    errorElement,
    h('div', { class: 'dc-actions' }, actionButton('close-button', STRINGS.back, onClose)),
  );
}
