/**
 * API docs write the customer's own host as a placeholder (`your-domain.atlassian.net`,
 * `{site}.example.com`). Such a label names nobody's service, so drafts skip it when naming the
 * connection and its secrets, and tell the admin to put their own address in.
 */
const PLACEHOLDER_LABEL = /^(\{.*\}|%7b.*%7d|your[-_]?[a-z0-9-_]*|example|x)$/i;

export function isPlaceholderLabel(label: string): boolean {
  return PLACEHOLDER_LABEL.test(label);
}

export function hasPlaceholderHost(host: string): boolean {
  return host.split('.').some(isPlaceholderLabel);
}

/** Host labels that say nothing about whose API it is (`api.`, `app.`, `.com`…). */
export const GENERIC_HOST_LABELS: ReadonlySet<string> = new Set([
  'www',
  'api',
  'com',
  'net',
  'org',
  'io',
  'co',
  'app',
  'dev',
  'v1',
  'v2',
]);
