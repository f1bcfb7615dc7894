import { join } from 'node:path';
import type { Express, Router } from 'express';
import type { SalesforceClientOptions } from '../helpdesks/salesforce/client/salesforce-client';
import { createDemoUpstream } from './demo-upstream/demo-upstream';
import type { DemoUpstream } from './demo-upstream/demo-upstream';
import { createFakeSalesforce } from './fake-salesforce/fake-salesforce';
import type { FakeSalesforce } from './fake-salesforce/fake-salesforce';
import { createFakeZendesk } from './fake-zendesk/fake-zendesk';
import type { FakeZendesk } from './fake-zendesk/fake-zendesk';
import { startMailCatcher } from './mail-catcher/mail-catcher';
import type { MailCatcher } from './mail-catcher/mail-catcher';
import { createMailCatcherRouter } from './mail-catcher/mail-catcher-routes';
import { SANDBOX_SALESFORCE_CREDENTIALS } from './seed/salesforce-seed';

/** Files under DATA_DIR where the sandbox helpdesks keep their data between starts. */
const SANDBOX_ZENDESK_FILE = 'sandbox-zendesk.json';
const SANDBOX_SALESFORCE_FILE = 'sandbox-salesforce.json';

export interface Sandbox {
  zendesk: FakeZendesk;
  upstream: DemoUpstream;
  salesforce: FakeSalesforce;
  /** The SMTP server that catches the mail the sandbox server sends (verification codes). */
  mail: MailCatcher;
  /**
   * Mounted on the server itself: `/sandbox/zendesk`, `/sandbox/upstream`, `/sandbox/salesforce`,
   * `/sandbox/mail`.
   */
  mounts: { path: string; router: Router | Express }[];
  /** How the server signs in to the sandbox's Salesforce (the seeded connected app). */
  salesforceCredentials(sandboxUrl: string): SalesforceClientOptions;
  /** Stops what the sandbox runs beside the server (the mail catcher's SMTP port). */
  close(): Promise<void>;
}

/**
 * The local helpdesks and upstream that `npm start` runs with no accounts. Loaded by the server
 * only in sandbox mode (a dynamic import in start-server.ts), so a production bundle does not
 * load them: they hold well-known credentials and sign agents' sidebar loads.
 */
export async function openSandbox(dataDir: string): Promise<Sandbox> {
  const zendesk = createFakeZendesk({ filePath: join(dataDir, SANDBOX_ZENDESK_FILE) });
  const upstream = createDemoUpstream();
  const salesforce = createFakeSalesforce({ filePath: join(dataDir, SANDBOX_SALESFORCE_FILE) });
  const mail = await startMailCatcher();
  return {
    zendesk,
    upstream,
    salesforce,
    mail,
    mounts: [
      { path: '/sandbox/zendesk', router: zendesk.app },
      { path: '/sandbox/upstream', router: upstream.app },
      { path: '/sandbox/salesforce', router: salesforce.app },
      { path: '/sandbox/mail', router: createMailCatcherRouter(mail) },
    ],
    salesforceCredentials: (sandboxUrl) => ({
      kind: 'refreshToken',
      instanceUrl: sandboxUrl,
      loginUrl: sandboxUrl,
      clientId: SANDBOX_SALESFORCE_CREDENTIALS.clientId,
      clientSecret: SANDBOX_SALESFORCE_CREDENTIALS.clientSecret,
      refreshToken: SANDBOX_SALESFORCE_CREDENTIALS.refreshToken,
    }),
    close: async () => {
      await mail.close();
      await Promise.all([zendesk.close(), salesforce.close()]);
    },
  };
}
