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
