import type { PreviewField, PreviewState, PreviewTicket } from './preview-contracts';
import { embedJson, escapeHtml } from '../http/html';

/**
 * HTML of the preview: a ticket in the agent workspace (properties and ticket form on the left,
 * the conversation in the middle, the apps panel with the sidebar iframe on the right), laid
 * out like Zendesk's so the app is seen where agents will see it.
 */

/** Tickets the picker links to: the sandbox seed's. */
export const PICKER_TICKET_IDS = [1, 2, 3, 4, 5, 6] as const;

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace('T', ' ').slice(0, 16);
}

export function renderTags(ticket: PreviewTicket): string {
  return ticket.tags.map((tag) => `<li class="tag">${escapeHtml(tag)}</li>`).join('');
}

export function renderConversation(ticket: PreviewTicket): string {
  if (ticket.comments.length === 0) {
    return `<article class="comment"><p>${escapeHtml(ticket.description)}</p></article>`;
  }
  return ticket.comments
    .map(
      (comment) => `
      <article class="comment${comment.public ? '' : ' internal'}" data-comment-id="${comment.id}">
        <header><strong>${escapeHtml(comment.authorName)}</strong>
          <span class="muted">${comment.public ? '' : 'Internal note · '}${escapeHtml(formatTime(comment.createdAt))}</span>
        </header>
        <p>${escapeHtml(comment.body)}</p>
      </article>`,
    )
    .join('');
}

function renderFieldInput(field: PreviewField, value: unknown): string {
  const id = `custom_field_${field.id}`;
  if (field.type === 'checkbox') {
    return `<input type="checkbox" id="${id}" name="${id}"${value === true ? ' checked' : ''}>`;
  }
  if (field.type === 'tagger') {
    const options = field.options
      .map(
        (option) =>
          `<option value="${escapeHtml(option.value)}"${option.value === value ? ' selected' : ''}>${escapeHtml(option.name)}</option>`,
      )
      .join('');
    return `<select id="${id}" name="${id}"><option value="">-</option>${options}</select>`;
  }
  return `<input type="text" id="${id}" name="${id}" value="${escapeHtml(value ?? '')}">`;
}

function renderFields(state: PreviewState): string {
  return state.fields
    .map(
      (field) => `
      <div class="field" data-field-id="${field.id}">
        <label for="custom_field_${field.id}">${escapeHtml(field.title)}
          <span class="unsaved-badge" hidden>Unsaved</span></label>
        ${renderFieldInput(field, state.ticket.customFields[String(field.id)])}
      </div>`,
    )
    .join('');
}

export interface PickerState {
  ticketId: number | null;
  agentId: number | null;
  forged: boolean;
  agents: { id: number; name: string }[];
}

function pageHref(basePath: string, ticketId: number, agentId: number | null, forged: boolean) {
  const query = new URLSearchParams({ ticket: String(ticketId) });
  if (agentId !== null) query.set('agent', String(agentId));
  if (forged) query.set('signature', 'forged');
  return `${basePath}?${query.toString()}`;
}

function renderPicker(basePath: string, picker: PickerState): string {
  const { ticketId, agentId, forged } = picker;
  const tabs = PICKER_TICKET_IDS.map(
    (id) =>
      `<a class="ticket-tab${id === ticketId ? ' current' : ''}" href="${escapeHtml(pageHref(basePath, id, agentId, forged))}"${id === ticketId ? ' aria-current="page"' : ''}>#${id}</a>`,
  ).join('');
  if (ticketId === null) {
    return `<nav class="topbar" aria-label="Tickets"><span class="brand">Support · app preview</span>${tabs}</nav>`;
  }
  // A plain GET form: picking another agent reloads the page signed for them.
  const options = picker.agents
    .map(
      (agent) =>
        `<option value="${agent.id}"${agent.id === agentId ? ' selected' : ''}>${escapeHtml(agent.name)}</option>`,
    )
    .join('');
  const agentForm = `<form class="agent-picker" method="get" action="${escapeHtml(basePath)}">
    <input type="hidden" name="ticket" value="${ticketId}">
    ${forged ? '<input type="hidden" name="signature" value="forged">' : ''}
    <label for="preview-agent">Signed in as</label>
    <select id="preview-agent" name="agent">${options}</select>
    <noscript><button type="submit">Switch</button></noscript>
  </form>`;
  const signatureLink = forged
    ? `<a class="secret-toggle" href="${escapeHtml(pageHref(basePath, ticketId, agentId, false))}">Use Zendesk's signature</a>`
    : `<a class="secret-toggle" href="${escapeHtml(pageHref(basePath, ticketId, agentId, true))}">Simulate a forged signature</a>`;
  return `<nav class="topbar" aria-label="Tickets"><span class="brand">Support · app preview</span>${tabs}${agentForm}${signatureLink}</nav>`;
}

/** A preview page: its title, its stylesheet (served next to it), and the body. */
export function renderPreviewShell(options: {
  basePath: string;
  stylesheet: string;
  title: string;
  body: string;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${options.basePath}/${options.stylesheet}">
</head>
<body>
${options.body}
</body>
</html>`;
}

function renderShell(basePath: string, title: string, body: string): string {
  return renderPreviewShell({ basePath, stylesheet: 'preview.css', title, body });
}

export function renderPreviewPage(options: {
  basePath: string;
  state: PreviewState;
  agents: { id: number; name: string }[];
  /** The token the page posts to /zendesk/sidebar, as Zendesk posts a signed location's. */
  signedLoad: { token: string };
  appBuilt: boolean;
}): string {
  const { basePath, state, appBuilt } = options;
  const { ticket } = state;
  const requester = ticket.requester
    ? `${escapeHtml(ticket.requester.name)} <span class="muted">${escapeHtml(ticket.requester.email ?? '')}</span>`
    : '<span class="muted">none</span>';
  const banner = state.forgedSignature
    ? `<p class="banner" role="status">This preview signs the app's load with a key Zendesk never published, as a forged request would be: the server must refuse it.</p>`
    : '';
  // Zendesk loads a signed location by POSTing the token into the app's frame; the host script
  // adds the ZAF query (origin, app_guid) and submits this form once it listens for the app.
  const sidebar = appBuilt
    ? `<iframe id="app-frame" name="app-frame" title="Data Connectors app" width="320" height="200"></iframe>
    <form id="signed-load" method="post" action="/zendesk/sidebar" target="app-frame" hidden>
      <input type="hidden" name="token" value="${escapeHtml(options.signedLoad.token)}">
    </form>`
    : `<p class="app-missing">The app is not built yet: run <code>npm run zendesk:build</code> and reload.</p>`;
  const body = `
${renderPicker(basePath, { ticketId: ticket.id, agentId: state.currentUser.id, forged: state.forgedSignature, agents: options.agents })}
${banner}
<main class="workspace">
  <aside class="properties" aria-label="Ticket properties">
    <div class="prop"><span class="prop-label">Requester</span><span id="ticket-requester">${requester}</span></div>
    <div class="prop"><span class="prop-label">Assignee</span><span>${escapeHtml(ticket.assignee?.name ?? '-')}</span></div>
    <div class="prop"><span class="prop-label">Tags</span><ul class="tags" id="ticket-tags">${renderTags(ticket)}</ul></div>
    <div class="prop-row">
      <div class="prop"><span class="prop-label">Type</span><span>${escapeHtml(ticket.type ?? '-')}</span></div>
      <div class="prop"><span class="prop-label">Priority</span><span>${escapeHtml(ticket.priority ?? '-')}</span></div>
    </div>
    <form id="ticket-form" aria-label="Ticket fields">${renderFields(state)}</form>
    <div class="form-actions">
      <button type="button" id="reload-ticket">Reload ticket</button>
      <span id="reload-status" class="muted" role="status"></span>
    </div>
  </aside>
  <section class="conversation" aria-label="Conversation">
    <h1 id="ticket-subject">${escapeHtml(ticket.subject)}</h1>
    <p class="ticket-meta"><span class="status-badge status-${escapeHtml(ticket.status)}" id="ticket-status">${escapeHtml(ticket.status)}</span>
      <span class="muted">Ticket #${ticket.id}</span></p>
    <div id="ticket-conversation">${renderConversation(ticket)}</div>
  </section>
  <aside class="apps" aria-label="Apps">
    <h2>Apps</h2>
    ${sidebar}
    <div id="notifications" aria-live="polite"></div>
  </aside>
</main>
<script type="application/json" id="preview-state">${embedJson(state)}</script>
<script src="${basePath}/host.js"></script>`;
  return renderShell(basePath, `#${ticket.id} ${ticket.subject} · preview`, body);
}

export function renderPreviewProblem(options: {
  basePath: string;
  title: string;
  message: string;
}): string {
  const body = `${renderPicker(options.basePath, { ticketId: null, agentId: null, forged: false, agents: [] })}
<main class="problem"><h1>${escapeHtml(options.title)}</h1><p>${escapeHtml(options.message)}</p></main>`;
  return renderShell(options.basePath, options.title, body);
}
