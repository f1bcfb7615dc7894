import type { ConnectorView } from '../../../shared/src/api/answer-schemas';
import type { FieldError, FormField } from '../input-form';
import type { ResultView } from '../run-result';
import { safeLink } from '../run-result';
import type { CommentSummary } from '../ticket-comments';
import { STRINGS } from '../strings';
import { actionButton, formatWhen, h, idPart, panelHeadingText } from './dom';

/** The run panel's views: the inputs form, the confirmation, progress and the result. */

export function inputId(name: string): string {
  return `dc-input-${idPart(name)}`;
}

function panelHeading(connector: ConnectorView, text?: string): HTMLElement {
  return panelHeadingText(text ?? connector.name);
}

function commentNote(comment: CommentSummary | undefined): HTMLElement | null {
  if (!comment) return null;
  return h(
    'blockquote',
    { class: 'dc-comment-quote', 'data-testid': 'picked-comment', 'data-comment-id': comment.id },
    h(
      'span',
      { class: 'dc-muted' },
      STRINGS.commentBy(comment.authorName, formatWhen(comment.createdAt)),
    ),
    h('span', {}, comment.firstLine),
  );
}

/**
 * A long free text (a summary, a description) gets a field that wraps, so the agent sees all of
 * it at 320 px; short or patterned values (an order number, an email) stay one line.
 */
function isMultiline(field: FormField): boolean {
  return field.type === 'string' && field.pattern === null && (field.maxLength ?? 0) > 120;
}

export interface FormCallbacks {
  onSubmit: (values: Record<string, string>) => void;
  onCancel: () => void;
}

export function renderForm(
  connector: ConnectorView,
  fields: readonly FormField[],
  values: Readonly<Record<string, string>>,
  errors: readonly FieldError[],
  comment: CommentSummary | undefined,
  callbacks: FormCallbacks,
): HTMLElement {
  const errorFor = new Map(errors.map((error) => [error.name, error]));
  const editable = fields.filter((field) => field.editable);
  const readOnly = fields.filter((field) => !field.editable);
  const form = h('form', {
    id: 'dc-form',
    class: 'dc-form',
    novalidate: true,
    'data-testid': 'input-form',
  }) as HTMLFormElement;
  const controls = editable.map((field) => {
    const id = inputId(field.name);
    const error = errorFor.get(field.name);
    const help = [
      field.description,
      field.hint,
      field.example ? STRINGS.example(field.example) : '',
    ]
      .filter(Boolean)
      .join(' ');
    const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : '']
      .filter(Boolean)
      .join(' ');
    // What a typed value's field has, one line or several.
    const typed = {
      id,
      name: field.name,
      placeholder: field.example ? STRINGS.example(field.example) : null,
      autocomplete: 'off',
      required: field.required,
      'aria-required': field.required ? 'true' : null,
      'aria-invalid': error ? 'true' : null,
      'aria-describedby': describedBy || null,
      maxlength: field.maxLength,
      'data-testid': 'input-field',
    };
    const control =
      field.type === 'boolean'
        ? h(
            'select',
            {
              id,
              name: field.name,
              class: 'dc-input',
              'aria-invalid': error ? 'true' : null,
              'aria-describedby': describedBy || null,
            },
            h('option', { value: '' }, STRINGS.noValue),
            h(
              'option',
              { value: 'true', selected: (values[field.name] ?? field.value) === 'true' },
              STRINGS.yes,
            ),
            h(
              'option',
              { value: 'false', selected: (values[field.name] ?? field.value) === 'false' },
              STRINGS.no,
            ),
          )
        : isMultiline(field)
          ? h('textarea', { ...typed, class: 'dc-input dc-textarea', rows: 3 })
          : h('input', {
              ...typed,
              class: 'dc-input',
              type: field.type === 'date' ? 'date' : 'text',
              inputmode:
                field.type === 'number' || field.type === 'integer'
                  ? 'decimal'
                  : field.type === 'email'
                    ? 'email'
                    : null,
            });
    if (control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement)
      control.value = values[field.name] ?? field.value;
    // Enter runs, as in a one-line field; Shift+Enter is the line break for text that has them.
    if (control instanceof HTMLTextAreaElement) {
      control.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    }
    return h(
      'div',
      { class: 'dc-field' },
      h(
        'label',
        { for: id, class: 'dc-label' },
        field.label,
        field.required ? h('span', { class: 'dc-muted' }, ` ${STRINGS.requiredMark}`) : null,
      ),
      control,
      help ? h('p', { id: `${id}-help`, class: 'dc-help' }, help) : null,
      field.fromOpenTicket ? h('p', { class: 'dc-help' }, STRINGS.fromOpenTicket) : null,
      error
        ? h(
            'p',
            { id: `${id}-error`, class: 'dc-field-error', 'data-testid': 'field-error' },
            `${field.label} ${error.message}`,
          )
        : null,
    );
  });
  const readOnlyList = readOnly.length
    ? h(
        'dl',
        { class: 'dc-readonly', 'aria-label': STRINGS.fromTicket },
        readOnly.map((field) =>
          h(
            'div',
            { class: 'dc-readonly__row', title: STRINGS.readOnlyHint },
            h('dt', {}, field.label),
            h('dd', {}, field.value || STRINGS.noValue),
          ),
        ),
      )
    : null;
  const submit = h(
    'button',
    { type: 'submit', class: 'dc-button dc-button--primary', 'data-testid': 'run-button' },
    connector.confirm ? STRINGS.continue : STRINGS.run,
  );
  const cancel = actionButton('cancel-button', STRINGS.cancel, callbacks.onCancel);
  form.append(
    ...(errors.length
      ? [
          h(
            'p',
            { class: 'dc-field-error', role: 'alert' },
            STRINGS.validation.summary(errors.length),
          ),
        ]
      : []),
    ...controls,
    ...(readOnlyList ? [readOnlyList] : []),
    h('div', { class: 'dc-actions' }, submit, cancel),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data: Record<string, string> = {};
    for (const field of editable) {
      const element = form.elements.namedItem(field.name) as
        HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null;
      data[field.name] = element?.value ?? '';
    }
    callbacks.onSubmit(data);
  });
  return h(
    'div',
    { class: 'dc-panel__body' },
    panelHeading(connector),
    connector.description ? h('p', { class: 'dc-muted' }, connector.description) : null,
    commentNote(comment),
    form,
  );
}

/**
 * The confirmation step's frame, the same for a connector and a macro: a group named by the
 * panel heading and described by its intro (`dc-confirm-intro`), so screen readers say both.
 */
export function renderConfirmStep(
  attrs: Record<string, string>,
  ...children: Parameters<typeof h>[2][]
): HTMLElement {
  return h(
    'div',
    {
      id: 'dc-confirm',
      class: 'dc-panel__body dc-confirm',
      role: 'group',
      'aria-labelledby': 'dc-panel-heading',
      'aria-describedby': 'dc-confirm-intro',
      'data-testid': 'confirm-step',
      ...attrs,
    },
    ...children,
  );
}

export function renderConfirm(
  connector: ConnectorView,
  inputs: Readonly<Record<string, string | number | boolean>>,
  comment: CommentSummary | undefined,
  callbacks: { onConfirm: () => void; onCancel: () => void },
): HTMLElement {
  const labels = new Map(connector.inputs.map((input) => [input.name, input.label]));
  const confirm = actionButton('confirm-button', STRINGS.confirm, callbacks.onConfirm, true);
  const cancel = actionButton('cancel-button', STRINGS.cancel, callbacks.onCancel);
  const entries = Object.entries(inputs);
  return renderConfirmStep(
    {},
    panelHeading(connector, STRINGS.confirmHeading(connector.name)),
    h('p', { id: 'dc-confirm-intro' }, STRINGS.confirmIntro),
    h(
      'ul',
      { class: 'dc-confirm__list' },
      connector.description ? h('li', {}, connector.description) : null,
      h('li', {}, STRINGS.confirmMethod(connector.method)),
      h('li', {}, STRINGS.confirmWrites),
    ),
    commentNote(comment),
    entries.length
      ? h(
          'dl',
          { class: 'dc-readonly' },
          entries.map(([name, value]) =>
            h(
              'div',
              { class: 'dc-readonly__row' },
              h('dt', {}, labels.get(name) ?? name),
              h('dd', {}, String(value)),
            ),
          ),
        )
      : null,
    h('div', { class: 'dc-actions' }, confirm, cancel),
  );
}

/** The progress indicator while a connector or a macro runs. */
export function renderProgress(name: string): HTMLElement {
  return h(
    'div',
    {
      class: 'dc-progress',
      id: 'dc-progress',
      role: 'progressbar',
      'aria-label': STRINGS.running(name),
      'data-testid': 'progress',
    },
    h('span', { class: 'dc-spinner', 'aria-hidden': 'true' }),
    h('span', {}, STRINGS.running(name)),
  );
}

export function renderRunning(connector: ConnectorView): HTMLElement {
  return h(
    'div',
    { class: 'dc-panel__body' },
    panelHeading(connector),
    renderProgress(connector.name),
  );
}

export function renderResult(
  connector: ConnectorView,
  view: ResultView,
  notes: string[],
  callbacks: { onRetry: () => void; onClose: () => void },
): HTMLElement {
  const retry = view.retryable
    ? actionButton('retry-button', STRINGS.retry, callbacks.onRetry, true)
    : actionButton('run-again-button', STRINGS.runAgain, callbacks.onRetry);
  const close = actionButton('close-button', STRINGS.back, callbacks.onClose);
  return h(
    'div',
    {
      id: 'dc-result',
      class: `dc-panel__body dc-result dc-result--${view.tone}`,
      'data-testid': 'run-result',
      'data-outcome': view.outcome,
    },
    panelHeading(connector),
    h(
      'p',
      { class: `dc-badge dc-badge--${view.outcome}`, 'data-testid': 'result-outcome' },
      view.title,
    ),
    h('p', { class: 'dc-result__message', 'data-testid': 'result-message' }, view.message),
    view.outputs.length
      ? h(
          'dl',
          { class: 'dc-outputs', 'aria-label': STRINGS.outputsHeading, 'data-testid': 'outputs' },
          view.outputs.map((output) =>
            h(
              'div',
              {
                class: 'dc-outputs__row',
                'data-output': output.name,
                'data-redacted': output.redacted ? 'true' : null,
              },
              h('dt', {}, output.label),
              h('dd', { title: output.redacted ? STRINGS.redactedHint : null }, output.value),
            ),
          ),
        )
      : null,
    view.link ? renderLink(view.link, 'result-link') : null,
    view.writeProblem
      ? h('p', { class: 'dc-field-error', 'data-testid': 'write-problem' }, view.writeProblem)
      : null,
    notes.map((note) => h('p', { class: 'dc-help', 'data-testid': 'result-note' }, note)),
    view.replayed ? h('p', { class: 'dc-help' }, STRINGS.replayed) : null,
    h('div', { class: 'dc-actions' }, retry, close),
  );
}

export function renderPanelError(
  connector: ConnectorView,
  errorElement: HTMLElement,
  onClose: () => void,
): HTMLElement {
  const close = actionButton('close-button', STRINGS.back, onClose);
  return h(
    'div',
    { class: 'dc-panel__body' },
    panelHeading(connector),
    errorElement,
    h('div', { class: 'dc-actions' }, close),
  );
}

/** A link to what a run made, opened in a new tab (the sidebar is a small iframe). */
function renderLink(link: { label: string; url: string }, testId: string): HTMLElement {
  return h(
    'p',
    { class: 'dc-link-line' },
    h(
      'a',
      {
        href: link.url,
        target: '_blank',
        rel: 'noopener noreferrer',
        class: 'dc-link',
        'data-testid': testId,
      },
      STRINGS.openLink(link.label),
      h('span', { class: 'dc-visually-hidden' }, ` ${STRINGS.newTab}`),
    ),
  );
}

/**
 * Shown before a connector with side effects runs again on a ticket where it already did its
 * job: what it did, when and by whom, a link to what it made, and a deliberate second step.
 */
export function renderAlreadyDone(
  connector: ConnectorView,
  callbacks: { onRunAgain: () => void; onCancel: () => void },
): HTMLElement {
  const done = connector.lastSuccess;
  const link = safeLink(done?.link);
  const again = actionButton('run-anyway-button', STRINGS.runAnyway, callbacks.onRunAgain);
  const cancel = actionButton('cancel-button', STRINGS.back, callbacks.onCancel, true);
  return h(
    'div',
    {
      class: 'dc-panel__body dc-result dc-result--warning',
      role: 'group',
      'aria-labelledby': 'dc-panel-heading',
      'aria-describedby': 'dc-already-done-intro',
      'data-testid': 'already-done',
    },
    panelHeadingText(STRINGS.alreadyDoneHeading(connector.name)),
    h(
      'p',
      { id: 'dc-already-done-intro' },
      done
        ? `${done.message} ${STRINGS.alreadyDoneWhen(formatWhen(done.startedAt), done.actorName)}`
        : '',
    ),
    link ? renderLink(link, 'already-done-link') : null,
    h('p', { class: 'dc-help' }, STRINGS.alreadyDoneRisk),
    h('div', { class: 'dc-actions' }, cancel, again),
  );
}
