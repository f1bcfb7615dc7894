import { STRINGS } from '../strings';

/**
 * A tiny element builder: text always goes in as text nodes (never innerHTML), so values from
 * tickets, comments and external systems cannot inject markup into the sidebar.
 */

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

export function h(tag: string, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: HTMLElement, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function replaceChildren(parent: HTMLElement, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing element #${id}`);
  return element as T;
}

/** A short, local "when": relative for today, a date otherwise. */
export function formatWhen(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (seconds >= 0 && seconds < 60) return STRINGS.justNow;
  if (seconds >= 0 && seconds < 3600) return STRINGS.minutesAgo(Math.floor(seconds / 60));
  if (seconds >= 0 && seconds < 86_400 && date.getDate() === now.getDate()) {
    return STRINGS.today(date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  }
  return date.toLocaleString([], {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** Element ids must be safe tokens; connector and input names are, but do not rely on it. */
export function idPart(value: string | number): string {
  return String(value).replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A button of the run panel: primary or plain, named for tests, wired to its action. */
export function actionButton(
  testId: string,
  text: string,
  onClick: () => void,
  primary = false,
): HTMLElement {
  const element = h(
    'button',
    {
      type: 'button',
      class: primary ? 'dc-button dc-button--primary' : 'dc-button',
      'data-testid': testId,
    },
    text,
  );
  element.addEventListener('click', onClick);
  return element;
}

/** The run panel's heading, which takes focus when the panel changes. */
export function panelHeadingText(text: string): HTMLElement {
  return h('h2', { id: 'dc-panel-heading', class: 'dc-panel__heading', tabindex: -1 }, text);
}
