import { buildZendeskApp } from '../../zendesk-app/scripts/build-app';

/**
 * Vitest global setup: builds zendesk-app/assets/ once per run, so the /preview page, the
 * browser tests and the app's own tests always load the sidebar built from the current sources.
 */
export async function setup(): Promise<void> {
  await buildZendeskApp();
}
