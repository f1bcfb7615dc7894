import type { ConnectorView } from '../../../shared/src/api/answer-schemas';
import {
  activeEntry,
  commentConnectors,
  createListState,
  isSearchShortcut,
  listKeyAction,
  moveActive,
  replaceItems,
  setActive,
  setQuery,
  visibleEntries,
} from '../connector-list';
import type { ListEntry, ListState } from '../connector-list';
import { describeFailure } from '../error-messages';
import type { ErrorView } from '../error-messages';
import {
  buildFormFields,
  livePathsFor,
  validateForm,
  zafChangeEventForSource,
} from '../input-form';
import type { FieldError, FormField } from '../input-form';
import { executeMacro, macroFirstStep } from '../macro-flow';
import type { MacroFlowOutcome } from '../macro-flow';
import { alreadyDone, executeRun, firstStep, stepAfterForm } from '../run-flow';
import type { RunFlowOutcome, RunPlan } from '../run-flow';
import { createIdempotencyKey } from '../server-api';
import type { MacroView, RunRecordView, ServerApi } from '../server-api';
import { describeSaved } from '../run-result';
import type { SavedChanges } from '../run-result';
import { STRINGS } from '../strings';
import { fetchComments } from '../ticket-comments';
import type { CommentSummary } from '../ticket-comments';
import type { IRequestOptions, ZafAdapter, ZafTicket, ZafUser } from '../zaf-client';
import { renderCommentConnectors, renderCommentPicker } from './comments-view';
import { byId, h } from './dom';
import { renderError } from './error-view';
import { entryOptionId, renderOptions } from './list-view';
import {
  renderMacroConfirm,
  renderMacroError,
  renderMacroResult,
  renderMacroRunning,
} from './macro-view';
import {
  inputId,
  renderAlreadyDone,
  renderConfirm,
  renderForm,
  renderPanelError,
  renderResult,
  renderRunning,
} from './panel-view';
import { renderRunDetail, renderRunList } from './runs-view';
import { renderShell } from './shell';

/**
 * The sidebar's controller: holds the view state, wires DOM events to the logic modules and
 * re-renders the region that changed. Decisions (what a key does, what to validate, what a run
 * came to) live in the plain modules; this file only connects them to the page.
 */

type Panel =
  | { kind: 'closed' }
  | {
      kind: 'form';
      connector: ConnectorView;
      fields: FormField[];
      values: Record<string, string>;
      errors: FieldError[];
      comment: CommentSummary | undefined;
    }
  | {
      kind: 'confirm';
      connector: ConnectorView;
      inputs: RunPlan['inputs'];
      comment: CommentSummary | undefined;
      backToForm: boolean;
    }
  | {
      kind: 'running';
      connector: ConnectorView;
      plan: RunPlan;
      comment: CommentSummary | undefined;
    }
  | {
      kind: 'done';
      connector: ConnectorView;
      plan: RunPlan;
      outcome: RunFlowOutcome;
      comment: CommentSummary | undefined;
    }
  | { kind: 'already-done'; connector: ConnectorView; comment: CommentSummary | undefined }
  | { kind: 'macro-confirm'; macro: MacroView }
  | { kind: 'macro-running'; macro: MacroView }
  | { kind: 'macro-done'; macro: MacroView; outcome: MacroFlowOutcome; idempotencyKey: string };

export interface SidebarDeps {
  zaf: ZafAdapter;
  /** The server the page was loaded from (same origin), with the agent's session. */
  api: ServerApi;
  /** Named in "could not reach" messages. */
  serverUrl: string;
  root: HTMLElement;
}

export async function startSidebar(deps: SidebarDeps): Promise<void> {
  const { zaf, root } = deps;
  renderShell(root);
  const search = byId<HTMLInputElement>('dc-search');
  const listEl = byId('dc-connector-list');
  const listStatus = byId('dc-list-status');
  const panelEl = byId('dc-panel');
  const commentsToggle = byId('dc-comments-toggle');
  const commentsBody = byId('dc-comments-body');
  const runsToggle = byId('dc-runs-toggle');
  const runsBody = byId('dc-runs-body');
  const live = byId('dc-live');

  // Size the iframe to its content from the first paint, errors included.
  let lastHeight = 0;
  const resize = () => {
    const height = Math.ceil(root.getBoundingClientRect().height) + 16;
    if (Math.abs(height - lastHeight) < 2) return;
    lastHeight = height;
    zaf.resize(height).catch(() => undefined);
  };
  if (typeof ResizeObserver === 'function') new ResizeObserver(resize).observe(root);
  resize();

  root.setAttribute('aria-busy', 'true');
  let context: { ticket: ZafTicket; user: ZafUser | undefined };
  try {
    const ticket = await zaf.getTicket();
    const user = await zaf.getCurrentUser().catch(() => undefined);
    context = { ticket, user };
  } catch (error) {
    root.setAttribute('aria-busy', 'false');
    listStatus.replaceChildren(
      renderError({
        code: 'ZAF_UNAVAILABLE',
        title: STRINGS.errors.zaf.title,
        message: error instanceof Error ? error.message : String(error),
        hint: STRINGS.errors.zaf.hint,
        retryable: false,
        sameKeyOnRetry: false,
      }),
    );
    return;
  }
  const { ticket, user } = context;
  const { api, serverUrl } = deps;
  let list: ListState = createListState([]);
  let listError: ErrorView | undefined;
  let macrosError: ErrorView | undefined;
  let panel: Panel = { kind: 'closed' };
  /**
   * Nothing else starts while a connector or a macro runs: a second click would carry a new
   * Idempotency-Key, so the server would run it a second time.
   */
  const busy = () => panel.kind === 'running' || panel.kind === 'macro-running';
  const comments: {
    open: boolean;
    items: CommentSummary[] | undefined;
    error: ErrorView | undefined;
    picked: CommentSummary | undefined;
    forConnector: ConnectorView | undefined;
  } = {
    open: false,
    items: undefined,
    error: undefined,
    picked: undefined,
    forConnector: undefined,
  };
  const subscribed = new Set<string>();

  const announce = (text: string) => {
    // Clearing first makes screen readers announce a repeated message again.
    live.textContent = '';
    window.setTimeout(() => (live.textContent = text), 30);
  };

  // ---- the connector list -------------------------------------------------------------------
  /**
   * While a connector or macro is open, the list holds only that entry, so its panel opens right
   * under the option the agent clicked instead of below a long list (the sidebar is 320 px wide
   * and every option is several lines tall). Back to the list shows them all again.
   */
  const pinnedEntry = (): ListEntry | undefined => {
    if (panel.kind === 'closed') return undefined;
    const id = 'macro' in panel ? panel.macro.id : panel.connector.id;
    const kind = 'macro' in panel ? 'macro' : 'connector';
    return visibleEntries({ ...list, query: '' }).find(
      (entry) => entry.kind === kind && entry.id === id,
    );
  };

  const renderList = () => {
    const visible = visibleEntries(list);
    const active = activeEntry(list);
    const pinned = pinnedEntry();
    const shownActive = pinned ?? active;
    renderOptions(listEl, pinned ? [pinned] : visible, shownActive, pick);
    listEl.hidden = !pinned && visible.length === 0;
    if (shownActive) search.setAttribute('aria-activedescendant', entryOptionId(shownActive));
    else search.removeAttribute('aria-activedescendant');
    search.setAttribute('aria-expanded', visible.length ? 'true' : 'false');
    if (listError) {
      listStatus.replaceChildren(renderError(listError, () => void loadConnectors()));
    } else if (macrosError) {
      listStatus.replaceChildren(
        h('p', {}, STRINGS.macroListError),
        renderError(macrosError, () => void loadConnectors()),
      );
    } else if (list.connectors.length === 0 && list.macros.length === 0) {
      listStatus.replaceChildren(
        h(
          'div',
          { class: 'dc-empty', 'data-testid': 'empty-state' },
          h('p', {}, STRINGS.noConnectors),
          h('p', { class: 'dc-muted' }, STRINGS.noConnectorsHint),
        ),
      );
    } else if (visible.length === 0) {
      listStatus.replaceChildren(
        h('p', { class: 'dc-muted', 'data-testid': 'no-matches' }, STRINGS.noMatches(list.query)),
      );
    } else {
      listStatus.replaceChildren();
    }
    if (shownActive)
      document.getElementById(entryOptionId(shownActive))?.scrollIntoView?.({ block: 'nearest' });
  };

  async function loadConnectors(): Promise<void> {
    if (!Number.isSafeInteger(ticket.id) || ticket.id <= 0) {
      listStatus.replaceChildren(
        h('p', { class: 'dc-muted', 'data-testid': 'save-first' }, STRINGS.saveTicketFirst),
      );
      return;
    }
    const first = list.connectors.length === 0 && list.macros.length === 0 && !listError;
    const [result, macros] = await Promise.all([
      api.listConnectors(ticket.id),
      api.listMacros(ticket.id),
    ]);
    root.setAttribute('aria-busy', 'false');
    if (!result.ok) {
      // The macros call failed the same way: one message says it.
      listError = describeFailure(result.error, { serverUrl });
      macrosError = undefined;
      list = createListState([], list.query);
      renderList();
      return;
    }
    listError = undefined;
    macrosError = macros.ok ? undefined : describeFailure(macros.error, { serverUrl });
    list = replaceItems(list, result.value, macros.ok ? macros.value : []);
    renderList();
    watchSources(result.value);
    if (first) {
      const count = STRINGS.connectorCount(result.value.length);
      announce(list.macros.length ? `${count} ${STRINGS.macroCount(list.macros.length)}` : count);
    }
  }

  // ---- picking and running ------------------------------------------------------------------
  function pick(entry: ListEntry): void {
    if (busy()) return;
    list = setActive(list, entry.id, entry.kind);
    renderList();
    // An unavailable connector or macro is listed so agents know it exists, but never runs.
    const item = entry.kind === 'macro' ? entry.macro : entry.connector;
    if (item.unavailable) {
      announce(STRINGS.unavailableWhy(item.name, item.unavailable.message));
      return;
    }
    if (entry.kind === 'macro') beginMacro(entry.macro);
    else void begin(entry.connector, undefined);
  }

  // ---- macros -------------------------------------------------------------------------------
  function beginMacro(macro: MacroView): void {
    if (macroFirstStep(macro) === 'confirm') {
      panel = { kind: 'macro-confirm', macro };
      renderPanel();
      return;
    }
    void runMacro(macro);
  }

  async function runMacro(
    macro: MacroView,
    idempotencyKey: string = createIdempotencyKey(),
  ): Promise<void> {
    if (busy()) return;
    panel = { kind: 'macro-running', macro };
    renderPanel();
    announce(STRINGS.running(macro.name));
    const outcome = await executeMacro(
      { api, serverUrl },
      { macro, ticketId: ticket.id, idempotencyKey },
    );
    panel = { kind: 'macro-done', macro, outcome, idempotencyKey };
    renderPanel();
    announce(
      outcome.kind === 'result'
        ? STRINGS.macroResultAnnouncement(macro.name, outcome.view.title, outcome.view.message)
        : `${outcome.error.title}. ${outcome.error.message}`,
    );
    // The ticket changed: which connectors and macros apply, their last runs, and the run log.
    void loadConnectors();
    void loadRuns();
  }

  async function begin(
    connector: ConnectorView,
    comment: CommentSummary | undefined,
    seenDone = false,
  ): Promise<void> {
    if (!seenDone && alreadyDone(connector)) {
      panel = { kind: 'already-done', connector, comment };
      renderPanel();
      return;
    }
    const step = firstStep(connector, comment?.id);
    if (step === 'pick-comment') {
      comments.forConnector = connector;
      comments.picked = undefined;
      await openComments(true);
      return;
    }
    if (step === 'form') {
      const liveValues = await zaf.getValues(livePathsFor(connector)).catch(() => ({}));
      const fields = buildFormFields(connector, liveValues);
      panel = { kind: 'form', connector, fields, values: {}, errors: [], comment };
      renderPanel();
      focusFirstField();
      return;
    }
    if (step === 'confirm') {
      panel = { kind: 'confirm', connector, inputs: {}, comment, backToForm: false };
      renderPanel();
      return;
    }
    await run(connector, {}, comment, createIdempotencyKey());
  }

  function submitForm(values: Record<string, string>): void {
    if (panel.kind !== 'form') return;
    const checked = validateForm(panel.fields, values);
    if (!checked.ok) {
      panel = { ...panel, values, errors: checked.errors };
      renderPanel();
      const first = checked.errors[0];
      if (first) document.getElementById(inputId(first.name))?.focus();
      return;
    }
    const { connector, comment } = panel;
    if (stepAfterForm(connector) === 'confirm') {
      panel = { kind: 'confirm', connector, inputs: checked.inputs, comment, backToForm: true };
      renderPanel();
      return;
    }
    void run(connector, checked.inputs, comment, createIdempotencyKey());
  }

  async function run(
    connector: ConnectorView,
    inputs: RunPlan['inputs'],
    comment: CommentSummary | undefined,
    idempotencyKey: string,
  ): Promise<void> {
    if (busy()) return;
    const plan: RunPlan = {
      connector,
      ticketId: ticket.id,
      commentId: comment?.id,
      inputs,
      idempotencyKey,
    };
    panel = { kind: 'running', connector, plan, comment };
    renderPanel();
    announce(STRINGS.running(connector.name));
    const outcome = await executeRun({ api, serverUrl }, plan);
    panel = { kind: 'done', connector, plan, outcome, comment };
    renderPanel();
    if (outcome.kind === 'result') {
      announce(
        STRINGS.resultAnnouncement(connector.name, outcome.view.title, outcome.view.message),
      );
    } else {
      announce(`${outcome.error.title}. ${outcome.error.message}`);
    }
    void loadConnectors();
    void loadRuns();
  }

  function retry(): void {
    if (panel.kind === 'macro-done') {
      // The agent confirmed this macro and now asks again: run it without a second question.
      // After a lost answer the first request may have run: the same key replays it instead.
      const { outcome } = panel;
      void runMacro(
        panel.macro,
        outcome.kind === 'error' && outcome.error.sameKeyOnRetry
          ? panel.idempotencyKey
          : createIdempotencyKey(),
      );
      return;
    }
    if (panel.kind !== 'done') return;
    const { connector, plan, outcome, comment } = panel;
    // After a lost answer the first request may have run: the same key replays it instead.
    const key =
      outcome.kind === 'error' && outcome.error.sameKeyOnRetry
        ? plan.idempotencyKey
        : createIdempotencyKey();
    void run(connector, plan.inputs, comment, key);
  }

  function closePanel(): void {
    if (busy()) return;
    panel = { kind: 'closed' };
    renderPanel();
    search.focus();
  }

  function cancelConfirm(): void {
    if (panel.kind !== 'confirm') return;
    if (panel.backToForm) void begin(panel.connector, panel.comment, true);
    else closePanel();
  }

  function focusFirstField(): void {
    const first = panelEl.querySelector<HTMLElement>('input, select, button[type=submit]');
    first?.focus();
  }

  function resultNotes(outcome: { saved: SavedChanges }): string[] {
    const saved = describeSaved(outcome.saved);
    return saved ? [saved] : [];
  }

  function renderPanel(): void {
    renderList();
    panelEl.hidden = panel.kind === 'closed';
    panelEl.setAttribute('aria-busy', busy() ? 'true' : 'false');
    panelEl.dataset.state =
      panel.kind === 'done' || panel.kind === 'macro-done'
        ? panel.outcome.kind
        : panel.kind.replace('macro-', '');
    switch (panel.kind) {
      case 'closed':
        panelEl.replaceChildren();
        return;
      case 'form':
        panelEl.replaceChildren(
          renderForm(panel.connector, panel.fields, panel.values, panel.errors, panel.comment, {
            onSubmit: submitForm,
            onCancel: closePanel,
          }),
        );
        return;
      case 'confirm':
        panelEl.replaceChildren(
          renderConfirm(panel.connector, panel.inputs, panel.comment, {
            onConfirm: () => {
              if (panel.kind !== 'confirm') return;
              void run(panel.connector, panel.inputs, panel.comment, createIdempotencyKey());
            },
            onCancel: cancelConfirm,
          }),
        );
        panelEl.querySelector<HTMLElement>('[data-testid=confirm-button]')?.focus();
        return;
      case 'running':
        panelEl.replaceChildren(renderRunning(panel.connector));
        panelEl.focus();
        return;
      case 'done': {
        const { connector, outcome } = panel;
        if (outcome.kind === 'result') {
          panelEl.replaceChildren(
            renderResult(connector, outcome.view, resultNotes(outcome), {
              onRetry: retry,
              onClose: closePanel,
            }),
          );
        } else {
          panelEl.replaceChildren(
            renderPanelError(connector, renderError(outcome.error, retry), closePanel),
          );
        }
        byId('dc-panel-heading').focus();
        return;
      }
      case 'already-done':
        panelEl.replaceChildren(
          renderAlreadyDone(panel.connector, {
            onRunAgain: () => {
              if (panel.kind === 'already-done') void begin(panel.connector, panel.comment, true);
            },
            onCancel: closePanel,
          }),
        );
        byId('dc-panel-heading').focus();
        return;
      case 'macro-confirm':
        panelEl.replaceChildren(
          renderMacroConfirm(panel.macro, {
            onConfirm: () => {
              if (panel.kind === 'macro-confirm') void runMacro(panel.macro);
            },
            onCancel: closePanel,
          }),
        );
        panelEl.querySelector<HTMLElement>('[data-testid=confirm-button]')?.focus();
        return;
      case 'macro-running':
        panelEl.replaceChildren(renderMacroRunning(panel.macro));
        panelEl.focus();
        return;
      case 'macro-done': {
        const { macro, outcome } = panel;
        panelEl.replaceChildren(
          outcome.kind === 'result'
            ? renderMacroResult(macro, outcome.view, resultNotes(outcome), {
                onRetry: retry,
                onClose: closePanel,
              })
            : renderMacroError(macro, renderError(outcome.error, retry), closePanel),
        );
        byId('dc-panel-heading').focus();
        return;
      }
    }
  }

  // ---- run on a comment ---------------------------------------------------------------------
  async function openComments(focusList: boolean): Promise<void> {
    comments.open = true;
    renderComments();
    if (comments.items === undefined || comments.error) {
      commentsBody.replaceChildren(h('p', { class: 'dc-muted' }, STRINGS.commentsLoading));
      const names = new Map<number, string>();
      if (ticket.requester?.id && ticket.requester.name)
        names.set(ticket.requester.id, ticket.requester.name);
      if (user) names.set(user.id, user.name);
      const result = await fetchComments(
        (options: IRequestOptions) => zaf.request(options),
        ticket.id,
        names,
      );
      comments.items = result.ok ? result.value : undefined;
      comments.error = result.ok ? undefined : describeFailure(result.error);
      renderComments();
    }
    if (focusList) {
      commentsBody.querySelector<HTMLElement>('[data-testid=comment-option]')?.focus();
      byId('dc-comments').scrollIntoView?.({ block: 'nearest' });
    }
  }

  function renderComments(): void {
    commentsToggle.setAttribute('aria-expanded', comments.open ? 'true' : 'false');
    commentsBody.hidden = !comments.open;
    if (!comments.open) return;
    if (comments.error) {
      commentsBody.replaceChildren(
        h('p', {}, STRINGS.errors.comments),
        renderError(comments.error, () => void openComments(true)),
      );
      return;
    }
    if (!comments.items) return;
    const picker = renderCommentPicker(comments.items, comments.picked?.id, (comment) => {
      comments.picked = comment;
      const target = comments.forConnector;
      if (target) {
        comments.forConnector = undefined;
        renderComments();
        void begin(target, comment);
        return;
      }
      renderComments();
      commentsBody.querySelector<HTMLElement>('[data-testid=comment-connector]')?.focus();
    });
    const intro = comments.forConnector
      ? h(
          'p',
          { 'data-testid': 'comment-prompt' },
          `${STRINGS.pickComment}: ${comments.forConnector.name}`,
        )
      : null;
    commentsBody.replaceChildren(
      ...(intro ? [intro] : []),
      picker,
      ...(comments.picked && !comments.forConnector
        ? [
            renderCommentConnectors(
              comments.picked,
              commentConnectors(list.connectors),
              (connector) => {
                if (busy() || !comments.picked) return;
                list = setActive(list, connector.id);
                renderList();
                void begin(connector, comments.picked);
              },
            ),
          ]
        : []),
    );
  }

  // ---- recent runs --------------------------------------------------------------------------
  /** The labels the agent saw in the form, for the run log of that connector. */
  function runLabels(run: RunRecordView): Map<string, string> {
    const connectorId = run.kind === 'connector' ? run.connectorId : undefined;
    const connector = list.connectors.find((candidate) => candidate.id === connectorId);
    return new Map(
      [...(connector?.inputs ?? []), ...(connector?.outputs ?? [])].map((item) => [
        item.name,
        item.label,
      ]),
    );
  }
  let runsOpen = true;
  const expandedRuns = new Set<string>();
  const runDetails = new Map<string, RunRecordView>();
  let shownRuns = '';
  async function loadRuns(): Promise<void> {
    if (!runsOpen || !Number.isSafeInteger(ticket.id) || ticket.id <= 0) return;
    const result = await api.listRuns(ticket.id, 10);
    if (!result.ok) {
      const failure = describeFailure(result.error, { serverUrl });
      // The list above already explains the same failure; say it once.
      if (listError?.code === failure.code) {
        runsBody.replaceChildren(h('p', { class: 'dc-muted' }, STRINGS.errors.runs));
        return;
      }
      runsBody.replaceChildren(
        h('p', {}, STRINGS.errors.runs),
        renderError(failure, () => void loadRuns()),
      );
      return;
    }
    const names = new Map(list.connectors.map((connector) => [connector.id, connector.name]));
    // Every ticket change reloads the list; re-drawing an unchanged one would flicker and
    // move the agent's place.
    const shown = JSON.stringify([result.value, [...names]]);
    if (shown === shownRuns && runsBody.querySelector('[data-testid=run-list]')) return;
    shownRuns = shown;
    runsBody.replaceChildren(renderRunList(result.value, names, toggleRun));
    // The list refreshes whenever the ticket changes; a run the agent is reading stays open.
    for (const run of result.value) {
      if (!expandedRuns.has(run.id)) continue;
      const item = runsBody.querySelector<HTMLElement>(`[data-run-id="${CSS.escape(run.id)}"]`);
      const button = item?.querySelector<HTMLElement>('[data-testid=run-toggle]');
      const detail = item?.querySelector<HTMLElement>('[data-testid=run-detail]');
      if (button && detail) void toggleRun(run, button, detail);
    }
  }

  async function toggleRun(
    run: RunRecordView,
    button: HTMLElement,
    detail: HTMLElement,
  ): Promise<void> {
    const expanded = button.getAttribute('aria-expanded') === 'true';
    if (expanded) expandedRuns.delete(run.id);
    else expandedRuns.add(run.id);
    button.setAttribute('aria-expanded', expanded ? 'false' : 'true');
    detail.hidden = expanded;
    if (expanded || detail.dataset.loaded === 'true') return;
    // A finished run does not change; one fetch serves every refresh of the list.
    const known = runDetails.get(run.id);
    if (known) {
      detail.dataset.loaded = 'true';
      detail.replaceChildren(renderRunDetail(known, runLabels(known)));
      return;
    }
    detail.replaceChildren(h('p', { class: 'dc-muted' }, STRINGS.runDetailsLoading));
    const result = await api.getRun(run.id);
    if (result.ok) {
      runDetails.set(run.id, result.value);
      detail.dataset.loaded = 'true';
      detail.replaceChildren(renderRunDetail(result.value, runLabels(result.value)));
    } else {
      detail.replaceChildren(renderError(describeFailure(result.error, { serverUrl })));
    }
  }

  // ---- live ticket changes ------------------------------------------------------------------
  function watchSources(connectors: readonly ConnectorView[]): void {
    for (const connector of connectors) {
      for (const input of connector.inputs) {
        const event = input.prompt ? zafChangeEventForSource(input.source) : undefined;
        if (!event || subscribed.has(event)) continue;
        subscribed.add(event);
        zaf.on(event, () => void refreshOpenForm());
      }
    }
  }

  /** Follows edits in the ticket form into fields the agent has not touched in the sidebar. */
  async function refreshOpenForm(): Promise<void> {
    if (panel.kind !== 'form') return;
    const current = panel;
    const liveValues = await zaf.getValues(livePathsFor(current.connector)).catch(() => ({}));
    if (panel !== current) return;
    const fresh = buildFormFields(current.connector, liveValues);
    for (const field of fresh) {
      const before = current.fields.find((entry) => entry.name === field.name);
      const element = document.getElementById(inputId(field.name)) as HTMLInputElement | null;
      if (!before || !element || !field.editable || element.value !== before.value) continue;
      element.value = field.value;
      before.value = field.value;
    }
  }

  // ---- keyboard and layout ------------------------------------------------------------------
  document.addEventListener('keydown', (event) => {
    if (isSearchShortcut(event)) {
      event.preventDefault();
      search.focus();
      search.select();
      return;
    }
    if (event.key === 'Escape' && panelEl.contains(event.target as Node)) {
      event.preventDefault();
      if (panel.kind === 'confirm') cancelConfirm();
      else closePanel();
    }
  });
  search.addEventListener('input', () => {
    list = setQuery(list, search.value);
    renderList();
  });
  search.addEventListener('keydown', (event) => {
    const action = listKeyAction(event.key);
    if (!action) return;
    if (action === 'next' || action === 'previous') {
      event.preventDefault();
      list = moveActive(list, action === 'next' ? 1 : -1);
      renderList();
    } else if (action === 'run') {
      event.preventDefault();
      const active = activeEntry(list);
      if (active) pick(active);
    } else if (action === 'clear') {
      if (search.value) {
        event.preventDefault();
        search.value = '';
        list = setQuery(list, '');
        renderList();
      } else if (panel.kind !== 'closed') {
        event.preventDefault();
        closePanel();
      }
    }
  });
  commentsToggle.addEventListener('click', () => {
    if (comments.open) {
      comments.open = false;
      comments.forConnector = undefined;
      renderComments();
    } else {
      void openComments(false);
    }
  });
  runsToggle.addEventListener('click', () => {
    runsOpen = !runsOpen;
    runsToggle.setAttribute('aria-expanded', runsOpen ? 'true' : 'false');
    runsBody.hidden = !runsOpen;
    if (runsOpen) void loadRuns();
  });

  // ---- start --------------------------------------------------------------------------------
  zaf.on('ticket.updated', () => {
    void loadConnectors();
    void loadRuns();
  });
  // Connectors first: the run list names them.
  await loadConnectors();
  await loadRuns();
}
