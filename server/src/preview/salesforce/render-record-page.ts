import { embedJson, escapeHtml } from '../../http/html';
import { renderPreviewShell } from '../render-preview-page';

/**
 * HTML of the Salesforce preview: a Lightning record page (the record's highlights, its details
 * on the left, the dataConnectors component in the right-hand column), close enough to Lightning
 * Experience that the component is seen where reps will see it.
 */

/** One field of the record as the details section shows it. */
export interface PreviewRecordField {
  name: string;
  label: string;
  value: unknown;
  type: string;
}

export interface PreviewRecord {
  objectApiName: string;
  objectLabel: string;
  id: string;
  title: string;
  fields: PreviewRecordField[];
}

export interface PickerEntry {
  id: string;
  label: string;
}

/** What the component's page script reads (`#record-page-state`). */
export interface RecordPageState {
  recordId: string;
  objectApiName: string;
  /** Where the Apex stand-in answers, for the running user. */
  apexUrl: string;
  /** The record's fields as HTML, reloaded after a write. */
  recordUrl: string;
}

function formatValue(field: PreviewRecordField): string {
  if (field.type === 'boolean') {
    return `<input type="checkbox" disabled${field.value === true ? ' checked' : ''} aria-label="${escapeHtml(field.label)}">`;
  }
  if (field.value === null || field.value === undefined || field.value === '') return '';
  if (field.type === 'datetime' && typeof field.value === 'string') {
    const date = new Date(field.value);
    if (!Number.isNaN(date.getTime())) {
      return escapeHtml(date.toISOString().replace('T', ' ').slice(0, 19));
    }
  }
  return escapeHtml(typeof field.value === 'object' ? JSON.stringify(field.value) : field.value);
}

/** The details section's fields (also sent alone when the component asks for a refresh). */
export function renderRecordFields(record: PreviewRecord): string {
  return record.fields
    .map(
      (field) => `
    <div class="record-field" data-field="${escapeHtml(field.name)}">
      <dt>${escapeHtml(field.label)}</dt>
      <dd data-value>${formatValue(field)}</dd>
    </div>`,
    )
    .join('');
}

function pageHref(basePath: string, recordId: string, userId: string): string {
  return `${basePath}?record=${encodeURIComponent(recordId)}&user=${encodeURIComponent(userId)}`;
}

function renderPicker(
  basePath: string,
  options: {
    recordId: string | null;
    userId: string;
    records: PickerEntry[];
    users: PickerEntry[];
  },
): string {
  const tabs = options.records
    .map(
      (record) =>
        `<a class="record-tab${record.id === options.recordId ? ' current' : ''}" href="${escapeHtml(pageHref(basePath, record.id, options.userId))}"${record.id === options.recordId ? ' aria-current="page"' : ''}>${escapeHtml(record.label)}</a>`,
    )
    .join('');
  const users = options.users
    .map(
      (user) =>
        `<option value="${escapeHtml(user.id)}"${user.id === options.userId ? ' selected' : ''}>${escapeHtml(user.label)}</option>`,
    )
    .join('');
  // A plain GET form: switching the running user reloads the page as that user.
  const userForm = `<form class="user-form" method="get" action="${escapeHtml(basePath)}">
    ${options.recordId ? `<input type="hidden" name="record" value="${escapeHtml(options.recordId)}">` : ''}
    <label for="preview-user">Running user</label>
    <select id="preview-user" name="user">${users}</select>
    <button type="submit">Switch</button>
  </form>`;
  return `<nav class="topbar" aria-label="Records"><span class="brand">Salesforce · component preview</span>${tabs}${userForm}</nav>`;
}

function renderShell(basePath: string, title: string, body: string): string {
  return renderPreviewShell({ basePath, stylesheet: 'record-page.css', title, body });
}

export function renderRecordPage(options: {
  basePath: string;
  record: PreviewRecord;
  userId: string;
  records: PickerEntry[];
  users: PickerEntry[];
  state: RecordPageState;
}): string {
  const { basePath, record } = options;
  const body = `
${renderPicker(basePath, { recordId: record.id, userId: options.userId, records: options.records, users: options.users })}
<div id="toasts" class="toasts" role="status" aria-live="polite"></div>
<header class="highlights" aria-label="Record">
  <p class="object-label">${escapeHtml(record.objectLabel)}</p>
  <h1 id="record-title">${escapeHtml(record.title)}</h1>
</header>
<main class="record-page">
  <section class="details" aria-labelledby="details-heading">
    <h2 id="details-heading">Details</h2>
    <dl id="record-fields">${renderRecordFields(record)}</dl>
  </section>
  <aside class="sidebar" aria-label="Components">
    <div id="component"></div>
  </aside>
</main>
<script type="application/json" id="record-page-state">${embedJson(options.state)}</script>
<script src="${basePath}/record-page.js"></script>`;
  return renderShell(basePath, `${record.title} · ${record.objectLabel} · preview`, body);
}

export function renderRecordPageProblem(options: {
  basePath: string;
  userId: string;
  records: PickerEntry[];
  users: PickerEntry[];
  title: string;
  message: string;
}): string {
  const body = `${renderPicker(options.basePath, { recordId: null, userId: options.userId, records: options.records, users: options.users })}
<main class="problem"><h1>${escapeHtml(options.title)}</h1><p>${escapeHtml(options.message)}</p></main>`;
  return renderShell(options.basePath, options.title, body);
}
