import type { Router } from 'express';
import type { SalesforceAuthEnv } from '../../env/parse-env';
import type { Sandbox } from '../../sandbox/open-sandbox';
import type { HelpdeskModule } from '../helpdesk-module';
import { createSalesforceClient } from './client/salesforce-client';
import type { SalesforceClientOptions } from './client/salesforce-client';
import { salesforceConfig } from './salesforce-config';
import { createSalesforceHelpdesk } from './salesforce-helpdesk';
import { createSalesforceBatchWrites } from './salesforce-batch-writes';
import { createSalesforceRateBudget, DAILY_API_BUCKET } from './client/salesforce-rate-limits';
import { createBatchChooser } from '../../pacing/choose-batching';
import { createSalesforceRouter } from './salesforce-routes';
import { salesforceWebhook } from './salesforce-webhook';

/** What tests may pass to startServer for Salesforce. */
export interface SalesforceStartOptions {
  /** Mount the previews even outside sandbox mode (tests): any value does, as for Zendesk's. */
  preview?: object;
}

/** The sandbox signs in to its own fake Salesforce with the seeded connected app. */
function salesforceCredentials(
  auth: SalesforceAuthEnv,
  sandbox: Sandbox | undefined,
  sandboxUrl: string,
): SalesforceClientOptions {
  if (auth.kind !== 'sandbox') return auth;
  if (!sandbox) throw new Error('sandbox Salesforce credentials outside sandbox mode');
  return sandbox.salesforceCredentials(sandboxUrl);
}

/**
 * Salesforce: records through the REST API (jsforce), the Lightning component through its Apex
 * controller (`/api/salesforce`, behind the connector key), and flow webhooks.
 */
export const salesforceModule: HelpdeskModule = {
  system: 'salesforce',
  config: salesforceConfig,
  secretsOf: (env) => [
    ...(env.salesforce ? [env.salesforce.connectorKey] : []),
    ...(env.salesforceWebhookSecret === undefined ? [] : [env.salesforceWebhookSecret]),
  ],
  webhook: { check: salesforceWebhook, secretOf: (env) => env.salesforceWebhookSecret },

  async connect({ env, url, sandbox, config, sleep, logger, options }) {
    const settings = env.salesforce;
    if (!settings) return undefined;
    // One budget per org: every call this server makes to it is counted there.
    const budget = createSalesforceRateBudget();
    const client = createSalesforceClient({
      ...salesforceCredentials(settings.auth, sandbox, `${url}/sandbox/salesforce`),
      apiVersion: settings.apiVersion,
      budget,
    });
    const port = createSalesforceHelpdesk(client, { config, ...(sleep ? { sleep } : {}) });
    // Background work's: the same session and budget, behind agents' calls, writes batched.
    const automationClient = client.inLane('automation');
    const automationPort = createSalesforceHelpdesk(automationClient, {
      config,
      ...(sleep ? { sleep } : {}),
      ...(env.bulkWrites === false
        ? {}
        : {
            batchWrites: {
              batcher: createSalesforceBatchWrites(automationClient),
              chooser: createBatchChooser({ budget, bucket: DAILY_API_BUCKET }),
            },
          }),
    });
    const previewMounts: { path: string; router: Router }[] = [];
    if (env.mode === 'sandbox' || (options as SalesforceStartOptions).preview !== undefined) {
      const { createSalesforcePreviewRouter } =
        await import('../../preview/salesforce/create-salesforce-preview-router');
      // The preview runs the component as any sandbox rep and adds the connector key itself:
      // only for the sandbox and tests, never in a deployment.
      previewMounts.push({
        path: '/preview/salesforce',
        router: createSalesforcePreviewRouter({
          salesforce: client,
          connectorKey: settings.connectorKey,
          serverUrl: () => url,
          logger,
        }),
      });
    }
    return {
      port,
      automationPort,
      routes: {
        health: () => ({ system: 'salesforce', ok: true, apiLimits: budget.snapshot() }),
        mounts: (context) => [
          ...previewMounts,
          {
            path: '/api/salesforce',
            router: createSalesforceRouter({
              ...context,
              connectorKey: settings.connectorKey,
              onRejected: (reason) =>
                context.logger.warn('Salesforce request not authenticated', { reason }),
            }),
          },
        ],
      },
    };
  },
};
