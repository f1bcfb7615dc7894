/** The must-haves skeleton's bearer token (SKELETON_MUST_HAVES in skeleton-child.ts). */
export const SKELETON_TOKEN = 'bench-skeleton-token-0123456789abcdef';
/** What its redaction masks: the secrets the server's redactor holds in the benchmark. */
export const SKELETON_SECRETS: readonly string[] = [
  SKELETON_TOKEN,
  'sandbox-shopify-token',
  'sandbox-zendesk-token',
  'admin@sandbox.local',
  'sandbox-jira-token',
  'jira@sandbox.local',
];
