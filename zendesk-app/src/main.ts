import ZAFClient from 'zendesk_app_framework_sdk';
import { createServerApi } from './server-api';
import { STRINGS } from './strings';
import { startSidebar } from './render/sidebar';
import { ZafAdapter } from './zaf-client';
import type { IClient } from './zaf-client';

/**
 * Entry point of assets/app.js. The SDK is bundled from node_modules (no CDN: the app must work
 * offline in the preview and in tests). ZAFClient.init returns false outside a Zendesk-hosted
 * iframe (no `origin`/`app_guid` in the URL); the page then says so instead of staying blank.
 */
const HANDSHAKE_TIMEOUT_MS = 15_000;

const root = document.getElementById('dc-app');
if (root) {
  const client = ZAFClient.init() as IClient | false;
  if (!client) {
    root.setAttribute('aria-busy', 'false');
    root.textContent = STRINGS.errors.notInZendesk;
  } else {
    const zaf = new ZafAdapter(client);
    root.textContent = STRINGS.loading;
    // Never a blank panel: if Zendesk does not answer the handshake, say so.
    const silence = window.setTimeout(() => {
      root.setAttribute('aria-busy', 'false');
      root.textContent = STRINGS.errors.hostSilent;
    }, HANDSHAKE_TIMEOUT_MS);
    let started = false;
    client.on('app.registered', () => {
      window.clearTimeout(silence);
      // Once: the sidebar adds document-wide listeners.
      if (started) return;
      started = true;
      void startSidebar({
        zaf,
        root,
        createApi: (serverUrl) =>
          createServerApi({ request: (options) => client.request(options), serverUrl }),
      });
    });
  }
}
