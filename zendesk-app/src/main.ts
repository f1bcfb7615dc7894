import ZAFClient from 'zendesk_app_framework_sdk';
import { createFetchTransport, createServerApi } from './server-api';
import { createAgentSession, readSessionState } from './session';
import { STRINGS } from './strings';
import { startSidebar } from './render/sidebar';
import { ZafAdapter } from './zaf-client';
import type { IClient } from './zaf-client';

/**
 * Entry point of app.js. The server serves this page to Zendesk, signed (signed URLs), with the
 * agent's session in it; the SDK is bundled from node_modules (no CDN: the app must work offline
 * in the preview and in tests). ZAFClient.init returns false outside a Zendesk-hosted iframe (no
 * `origin`/`app_guid` in the URL); the page then says so instead of staying blank, and without a
 * session (a page not loaded through Zendesk's signature) it says that.
 */
const HANDSHAKE_TIMEOUT_MS = 15_000;

function showMessage(root: HTMLElement, message: string): void {
  root.setAttribute('aria-busy', 'false');
  root.textContent = message;
}

const root = document.getElementById('dc-app');
if (root) {
  const client = ZAFClient.init() as IClient | false;
  const state = readSessionState(document);
  if (!client) {
    showMessage(root, STRINGS.errors.notInZendesk);
  } else if (!state) {
    showMessage(root, STRINGS.errors.notSigned);
  } else {
    const zaf = new ZafAdapter(client);
    const transport = createFetchTransport();
    const session = createAgentSession(state, {
      transport,
      onEnded: () => showMessage(root, STRINGS.errors.sessionEnded),
    });
    root.textContent = STRINGS.loading;
    // Never a blank panel: if Zendesk does not answer the handshake, say so.
    const silence = window.setTimeout(
      () => showMessage(root, STRINGS.errors.hostSilent),
      HANDSHAKE_TIMEOUT_MS,
    );
    let started = false;
    client.on('app.registered', () => {
      window.clearTimeout(silence);
      // Once: the sidebar adds document-wide listeners.
      if (started) return;
      started = true;
      void startSidebar({
        zaf,
        root,
        api: createServerApi({ transport, session }),
        serverUrl: window.location.origin,
      });
    });
  }
}
