import express, { Router } from 'express';
import { createConnectorKeyAuthenticator } from '../../../server/src/http/authenticate';
import { createHelpdeskRouter } from '../../../server/src/api/helpdesk-routes';
import type { HelpdeskModule } from '../../../server/src/helpdesks/helpdesk-module';
import { helpnestApi } from './helpnest-api';
import { helpnestConfig } from './helpnest-config';
import { createHelpnestHelpdesk } from './helpnest-helpdesk';
import type { HelpnestStore } from './helpnest-store';
import { helpnestWebhook } from './helpnest-webhook';

/**
 * Helpnest as a helpdesk module: its config part, its adapter over the store, its app's API at
 * /api/helpnest behind its app key, and its signed webhooks.
 */
export function createHelpnestModule(options: {
  store: HelpnestStore;
  appKey: string;
  webhookSecret: string;
}): HelpdeskModule {
  return {
    system: 'helpnest',
    config: helpnestConfig,
    secretsOf: () => [options.appKey, options.webhookSecret],
    webhook: { check: helpnestWebhook, secretOf: () => options.webhookSecret },
    async connect() {
      return {
        port: createHelpnestHelpdesk(options.store),
        routes: {
          mounts: (context) => {
            const router = Router();
            router.use(
              createConnectorKeyAuthenticator({
                system: 'helpnest',
                connectorKey: options.appKey,
                adminToken: context.adminToken,
              }),
            );
            router.use(express.json({ limit: '100kb', strict: true }));
            router.use(createHelpdeskRouter(context, helpnestApi, { runs: true }));
            return [{ path: '/api/helpnest', router }];
          },
        },
      };
    },
  };
}
