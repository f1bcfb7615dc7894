import type { PreviewField, PreviewState, PreviewTicket, ProxyReply } from '../preview-contracts';
import { createZafHost } from './zaf-host';

/**
 * Browser entry of the preview page: wires the ZAF host protocol to the iframe, the ticket
 * form and the server's preview proxy. Bundled by esbuild when the page asks for host.js.
 */

const basePath = window.location.pathname.replace(/\/+$/, '');
const state = JSON.parse(
  document.getElementById('preview-state')?.textContent ?? 'null',
) as PreviewState;
const frame = document.getElementById('app-frame') as HTMLIFrameElement | null;

function fieldElement(fieldId: number): HTMLElement | null {
  return document.querySelector(`.field[data-field-id="${fieldId}"]`);
}

function fieldInput(fieldId: number): HTMLInputElement | HTMLSelectElement | null {
  return document.getElementById(`custom_field_${fieldId}`) as HTMLInputElement | null;
}

function showValue(field: PreviewField, value: unknown) {
  const input = fieldInput(field.id);
  if (!input) return;
  if (input instanceof HTMLInputElement && input.type === 'checkbox')
    input.checked = value === true;
  else input.value = value === null || value === undefined ? '' : String(value);
}

function markUnsaved(fieldId: number, unsaved: boolean) {
  const element = fieldElement(fieldId);
  if (!element) return;
  element.classList.toggle('unsaved', unsaved);
  element.dataset.unsaved = String(unsaved);
  const badge = element.querySelector<HTMLElement>('.unsaved-badge');
  if (badge) badge.hidden = !unsaved;
}

function toCssSize(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return `${Math.max(0, value)}px`;
  if (typeof value === 'string' && /^\d+(\.\d+)?(px)?$/.test(value.trim())) {
    return value.trim().endsWith('px') ? value.trim() : `${value.trim()}px`;
  }
  return null;
}

async function proxy(options: unknown): Promise<ProxyReply> {
  try {
    const response = await fetch(`${basePath}/proxy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticketId: state.ticket.id, options }),
    });
    if (!response.ok) throw new Error(`preview proxy answered ${response.status}`);
    return (await response.json()) as ProxyReply;
  } catch {
    // The server itself is unreachable: to the app this is a network failure, as in Zendesk.
    return { status: 0, statusText: 'error', headers: {}, responseText: '' };
  }
}

const host = createZafHost({
  state,
  post: (message) =>
    frame?.contentWindow?.postMessage(JSON.stringify(message), window.location.origin),
  proxy,
  onResize: ({ height }) => {
    const css = toCssSize(height);
    if (frame && css) {
      frame.style.height = css;
      frame.dataset.height = css;
    }
  },
  onFieldSet: (fieldId, value, by) => {
    const field = state.fields.find((candidate) => candidate.id === fieldId);
    if (field && by === 'app') {
      showValue(field, value);
      const element = fieldElement(fieldId);
      element?.classList.remove('changed-by-app');
      void element?.offsetWidth; // restart the highlight animation
      element?.classList.add('changed-by-app');
    }
    unsaved.add(fieldId);
    markUnsaved(fieldId, true);
  },
  onNotify: (message, kind) => {
    const note = document.createElement('p');
    note.className = `note ${kind}`;
    note.textContent = message;
    document.getElementById('notifications')?.append(note);
    setTimeout(() => note.remove(), 6000);
  },
});

for (const field of state.fields) {
  const input = fieldInput(field.id);
  input?.addEventListener('change', () => {
    const value =
      input instanceof HTMLInputElement && input.type === 'checkbox'
        ? input.checked
        : input.value === ''
          ? null
          : input.value;
    host.setFieldByAgent(field.id, value);
  });
}

/** Fields the agent changed in this form and has not saved: Zendesk's "Unsaved" badges. */
const unsaved = new Set<number>();

interface SavedTicket {
  ticket: PreviewTicket;
  html: { conversation: string; tags: string };
}

async function readSavedTicket(): Promise<SavedTicket> {
  const response = await fetch(`${basePath}/ticket.json?ticket=${state.ticket.id}`);
  if (!response.ok) throw new Error(`answered ${response.status}`);
  return (await response.json()) as SavedTicket;
}

/**
 * Shows the ticket as Zendesk has it saved. A reload drops the agent's unsaved edits; a live
 * update (what Zendesk's agent interface does when the API changes an open ticket) keeps them
 * and updates everything else in place, without marking anything unsaved.
 */
function showSavedTicket(data: SavedTicket, keepAgentEdits: boolean) {
  const keep = keepAgentEdits ? new Set(unsaved) : new Set<number>();
  const changed = data.ticket.updatedAt !== state.ticket.updatedAt;
  host.replaceTicket(data.ticket, keep);
  for (const field of state.fields) {
    if (keep.has(field.id)) continue;
    const element = fieldElement(field.id);
    const value = data.ticket.customFields[String(field.id)] ?? null;
    const input = fieldInput(field.id);
    const before = input ? input.value : '';
    showValue(field, value);
    unsaved.delete(field.id);
    markUnsaved(field.id, false);
    element?.classList.remove('changed-by-app');
    if (keepAgentEdits && changed && input && input.value !== before) {
      element?.classList.remove('updated-live');
      void element?.offsetWidth; // restart the highlight animation
      element?.classList.add('updated-live');
    }
  }
  const conversation = document.getElementById('ticket-conversation');
  if (conversation && conversation.innerHTML !== data.html.conversation)
    conversation.innerHTML = data.html.conversation;
  const tags = document.getElementById('ticket-tags');
  if (tags && tags.innerHTML !== data.html.tags) tags.innerHTML = data.html.tags;
  const status = document.getElementById('ticket-status');
  if (status) status.textContent = data.ticket.status;
}

const reloadButton = document.getElementById('reload-ticket');
const reloadStatus = document.getElementById('reload-status');
reloadButton?.addEventListener('click', async () => {
  if (reloadStatus) {
    reloadStatus.textContent = 'Reloading…';
    reloadStatus.dataset.state = 'loading';
  }
  try {
    showSavedTicket(await readSavedTicket(), false);
    if (reloadStatus) {
      reloadStatus.textContent = `Reloaded from Zendesk at ${new Date().toLocaleTimeString()}`;
      reloadStatus.dataset.state = 'done';
    }
  } catch (error) {
    if (reloadStatus) {
      reloadStatus.textContent = `Reload failed: ${(error as Error).message}`;
      reloadStatus.dataset.state = 'failed';
    }
  }
});

// Zendesk pushes changes made through its API to an open ticket; the preview asks once a second.
const LIVE_UPDATE_MS = 1000;
let liveBusy = false;
window.setInterval(async () => {
  if (liveBusy || document.hidden) return;
  liveBusy = true;
  try {
    const data = await readSavedTicket();
    if (data.ticket.updatedAt !== state.ticket.updatedAt) showSavedTicket(data, true);
  } catch {
    // The next tick tries again; the Reload button says what failed.
  } finally {
    liveBusy = false;
  }
}, LIVE_UPDATE_MS);

window.addEventListener('message', (event) => {
  // Only the app's own frame speaks the protocol with this page.
  if (!frame || event.source !== frame.contentWindow) return;
  host.receive(event.data);
});

// Picking another agent reloads the page, signed for them.
const agentPicker = document.getElementById('preview-agent') as HTMLSelectElement | null;
agentPicker?.addEventListener('change', () => agentPicker.form?.submit());

// As Zendesk loads a signed location: POST the signed token into the frame, with the ZAF query
// the SDK reads (where the host is, and which app instance the frame is).
const signedLoad = document.getElementById('signed-load') as HTMLFormElement | null;
if (frame && signedLoad) {
  const query = new URLSearchParams({ origin: window.location.origin, app_guid: state.appGuid });
  signedLoad.action = `${signedLoad.getAttribute('action') ?? ''}?${query.toString()}`;
  signedLoad.submit();
}
