// Lightning Experience renders components with synthetic shadow, which is why the page's SLDS
// styles reach inside them; the preview does the same. It must load before the engine.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import DataConnectors from 'c/dataConnectors';
import { setRecordRefresher } from 'lightning/uiRecordApi';
import { setApexUrl } from 'preview/apex';

/**
 * The preview's record page: mounts the real dataConnectors component on the record the page
 * shows, reloads the record's fields when the component says it changed, and shows toasts.
 */
const TOAST_MS = 8000;

function readPageState() {
  const element = document.getElementById('record-page-state');
  return JSON.parse(element ? element.textContent : '{}');
}

async function reloadRecord(recordUrl) {
  const response = await fetch(recordUrl, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`The record could not be reloaded (HTTP ${response.status}).`);
  }
  const body = await response.json();
  const fields = document.getElementById('record-fields');
  // Rendered and escaped by the preview server, as the page itself is.
  fields.innerHTML = body.html;
  fields.dataset.refreshedAt = String(Date.now());
}

function showToast(toast) {
  const region = document.getElementById('toasts');
  const item = document.createElement('div');
  const variant = ['success', 'error', 'warning', 'info'].includes(toast.variant)
    ? toast.variant
    : 'info';
  item.className = `toast toast_${variant}`;
  item.setAttribute('data-variant', variant);
  const title = document.createElement('strong');
  title.textContent = toast.title || '';
  const message = document.createElement('p');
  message.textContent = toast.message || '';
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'toast__close';
  close.setAttribute('aria-label', 'Close');
  close.textContent = '×';
  close.addEventListener('click', () => item.remove());
  item.append(title, message, close);
  region.append(item);
  setTimeout(() => item.remove(), TOAST_MS);
}

function mount() {
  const state = readPageState();
  setApexUrl(state.apexUrl);
  setRecordRefresher(() => reloadRecord(state.recordUrl));
  const component = createElement('c-data-connectors', { is: DataConnectors });
  component.recordId = state.recordId;
  component.objectApiName = state.objectApiName;
  component.addEventListener('lightning__showtoast', (event) => showToast(event.detail || {}));
  document.getElementById('component').append(component);
}

mount();
