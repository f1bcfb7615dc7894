import { join } from 'node:path';
import type { Express, Router } from 'express';
import type { SalesforceClientOptions } from '../helpdesks/salesforce/client/salesforce-client';
import { createDemoUpstream } from './demo-upstream/demo-upstream';
import type { DemoUpstream } from './demo-upstream/demo-upstream';
import { createFakeSalesforce } from './fake-salesforce/fake-salesforce';
import type { FakeSalesforce } from './fake-salesforce/fake-salesforce';
import { createFakeZendesk } from './fake-zendesk/fake-zendesk';
import type { FakeZendesk } from './fake-zendesk/fake-zendesk';
import { SANDBOX_SALESFORCE_CREDENTIALS } from './seed/salesforce-seed';

/** Files under DATA_DIR where the sandbox helpdesks keep their data between starts. */
const SANDBOX_ZENDESK_FILE = 'sandbox-zendesk.json';
const SANDBOX_SALESFORCE_FILE = 'sandbox-salesforce.json';

export interface Sandbox {
  zendesk: FakeZendesk;
  upstream: DemoUpstream;
  salesforce: FakeSalesforce;
  /** Mounted on the server itself: `/sandbox/zendesk`, `/sandbox/upstream`, `/sandbox/salesforce`. */
  mounts: { path: string; router: Router | Express }[];
  /** How the server signs in to the sandbox's Salesforce (the seeded connected app). */
  salesforceCredentials(sandboxUrl: string): SalesforceClientOptions;
}

/**
 * The local helpdesks and upstream that `npm start` runs with no accounts. Loaded by the server
 * only in sandbox mode (a dynamic import in start-server.ts), so a production bundle does not
 * load them: they hold well-known credentials and sign agents' sidebar loads.
 */
export function openSandbox(dataDir: string): Sandbox {
  const zendesk = createFakeZendesk({ filePath: join(dataDir, SANDBOX_ZENDESK_FILE) });
  const upstream = createDemoUpstream();
  const salesforce = createFakeSalesforce({ filePath: join(dataDir, SANDBOX_SALESFORCE_FILE) });
  return {
    zendesk,
    upstream,
    salesforce,
    mounts: [
      { path: '/sandbox/zendesk', router: zendesk.app },
      { path: '/sandbox/upstream', router: upstream.app },
      { path: '/sandbox/salesforce', router: salesforce.app },
    ],
    salesforceCredentials: (sandboxUrl) => ({
      kind: 'refreshToken',
      instanceUrl: sandboxUrl,
      loginUrl: sandboxUrl,
      clientId: SANDBOX_SALESFORCE_CREDENTIALS.clientId,
      clientSecret: SANDBOX_SALESFORCE_CREDENTIALS.clientSecret,
      refreshToken: SANDBOX_SALESFORCE_CREDENTIALS.refreshToken,
    }),
  };
}
