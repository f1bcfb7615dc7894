import { buildConsole } from '../../admin-console/scripts/build-console';
import { buildZendeskApp } from '../../zendesk-app/scripts/build-app';

/**
 * Vitest global setup: builds zendesk-app/assets/ and admin-console/assets/ once per run, so the
 * /preview page, the console, the browser tests and the app's own tests always load what the
 * current sources build.
 */
export async function setup(): Promise<void> {
  await Promise.all([buildZendeskApp(), buildConsole()]);
}
