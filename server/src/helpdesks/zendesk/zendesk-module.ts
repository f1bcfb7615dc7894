import { resolve } from 'node:path';
import type { Express, Router } from 'express';
import { createConnectorRunHandler, createHelpdeskRouter } from '../../api/helpdesk-routes';
import type { Logger } from '../../logging/logger';
import type { SignAppTokenOptions } from '../../sandbox/fake-zendesk/app-signing';
import type { HelpdeskModule } from '../helpdesk-module';
import { createZendeskClient } from './client/zendesk-client';
import type { RunLane } from '../../pacing/run-lane';
import type { ZendeskAuth, ZendeskClient } from './client/zendesk-client';
import { createZendeskOAuthRefresher } from './client/zendesk-oauth-refresh';
import type { ZendeskOAuthRefresher } from './client/zendesk-oauth-refresh';
import { createSealedZendeskTokenStore } from './zendesk-token-store';
import { createPostgresZendeskTokenStore } from './postgres-zendesk-token-store';
import { tokenCipherOf } from '../../secrets/token-cipher';
import { createAgentAccess } from './identity/agent-access';
import {
  createAgentSessions,
  readOrCreateSessionKey,
  readOrCreateSharedSessionKey,
} from './identity/agent-session';
import { createSessionRouter } from './identity/session-routes';
import { createSidebarRouter } from './identity/sidebar-routes';
import { createAppKeySource, createZafTokenVerifier } from './identity/zaf-token';
import { zendeskApi } from './zendesk-api';
import { zendeskConfig } from './zendesk-config';
import { createZendeskHelpdesk } from './zendesk-helpdesk';
import { createZendeskBatchWrites } from './zendesk-batch-writes';
import { createZendeskRateBudget, TICKET_UPDATES_BUCKET } from './client/zendesk-rate-limits';
import { createBatchChooser } from '../../pacing/choose-batching';
import { createRunsRouter } from './zendesk-runs-routes';
import { zendeskWebhook } from './zendesk-webhook';

/** What tests and the preview may pass to startServer for Zendesk. */
export interface ZendeskStartOptions {
  /**
   * Mount the /preview page even outside sandbox mode (tests), optionally with another build of
   * the app.
   */
  preview?: {
    appAssetsDir?: string;
    /**
     * Signs the preview's sidebar loads as Zendesk would (the sandbox uses its own fake's key;
     * tests pass the fake Zendesk they started).
     */
    signAppToken?: (options: SignAppTokenOptions) => Promise<string>;
  };
  /** Routers to mount before the API, built once the server knows its URL and Zendesk client. */
  mounts?: (context: { url: string; zendesk: ZendeskClient; logger: Logger }) => {
    path: string;
    router: Router | Express;
  }[];
}

/**
 * Zendesk: tickets through the REST API, the sidebar app (Zendesk-signed loads, sessions, what
 * each agent may see), the /preview page in the sandbox, and trigger webhooks.
 */
export const zendeskModule: HelpdeskModule = {
  system: 'zendesk',
  config: zendeskConfig,
  secretsOf: (env) => [
    ...(env.zendeskAuth.kind === 'apiToken'
      ? [env.zendeskAuth.apiToken]
      : env.zendeskAuth.kind === 'oauth'
        ? [env.zendeskAuth.accessToken]
        : [
            env.zendeskAuth.refreshToken,
            env.zendeskAuth.clientSecret,
            ...(env.zendeskAuth.accessToken ? [env.zendeskAuth.accessToken] : []),
          ]),
    ...(env.sessionSecret === undefined ? [] : [env.sessionSecret]),
    ...(env.zendeskWebhookSecret === undefined ? [] : [env.zendeskWebhookSecret]),
  ],
  webhook: { check: zendeskWebhook, secretOf: (env) => env.zendeskWebhookSecret },

  async connect({
    env,
    url,
    sandbox,
    logger,
    sleep,
    options,
    console: adminConsole,
    onCredential,
    sharedDatabase,
  }) {
    const { preview, mounts } = options as ZendeskStartOptions;
    const baseUrl =
      env.zendeskBaseUrl ?? (env.mode === 'sandbox' ? `${url}/sandbox/zendesk` : undefined);
    if (baseUrl === undefined) return undefined;
    let refresher: ZendeskOAuthRefresher | undefined;
    let auth: ZendeskAuth;
    if (env.zendeskAuth.kind === 'oauthRefresh') {
      const cipher = tokenCipherOf(env.tokenEncryption);
      if (!cipher) {
        throw new Error('zendeskAuth oauthRefresh needs tokenEncryption (parseEnv checks it)');
      }
      const oauthLogger = logger.child({ component: 'zendesk-oauth' });
      refresher = createZendeskOAuthRefresher({
        baseUrl,
        clientId: env.zendeskAuth.clientId,
        clientSecret: env.zendeskAuth.clientSecret,
        refreshToken: env.zendeskAuth.refreshToken,
        ...(env.zendeskAuth.accessToken ? { accessToken: env.zendeskAuth.accessToken } : {}),
        // Several instances share one rotated refresh token: it lives in their database.
        store: sharedDatabase
          ? createPostgresZendeskTokenStore(sharedDatabase, cipher)
          : createSealedZendeskTokenStore(env.dataDir, cipher),
        log: (level, message, fields) => oauthLogger[level](message, fields),
        ...(onCredential ? { onCredential } : {}),
      });
      auth = { kind: 'oauthRefresh', source: refresher };
    } else {
      auth = env.zendeskAuth;
    }
    // One budget per account: every call this server makes to it is counted and paced there.
    const budget = createZendeskRateBudget();
    const clientIn = (lane: RunLane) =>
      createZendeskClient({ baseUrl, auth, budget, ...(sleep ? { sleep } : {}), lane });
    const zendesk = clientIn('agent');
    // Background work's calls: the same account, budget and credentials, behind agents' calls.
    const automationZendesk = clientIn('automation');
    // --- The sidebar's identity: Zendesk-signed loads, sessions, what agents may see. ---
    const access = createAgentAccess({
      zendesk,
      logger: logger.child({ component: 'agent-access' }),
      cacheSeconds: env.agentAccessCacheSeconds,
    });
    const zendeskApp = env.zendeskApp;
    const identity = zendeskApp
      ? {
          access,
          verifier: createZafTokenVerifier({
            accountHost: zendeskApp.accountHost,
            appId: zendeskApp.appId,
            installationIds: zendeskApp.installationIds,
            key: createAppKeySource({
              fetchPem: async () => {
                const pem = await zendesk.getAppPublicKey(zendeskApp.appId);
                return pem.ok ? pem : { ok: false, error: { message: pem.error.message } };
              },
              ...(zendeskApp.publicKeyPem === undefined
                ? {}
                : { pinnedPem: zendeskApp.publicKeyPem }),
            }),
          }),
          sessions: createAgentSessions({
            key: sharedDatabase
              ? await readOrCreateSharedSessionKey(sharedDatabase, env.sessionSecret)
              : readOrCreateSessionKey(env.dataDir, env.sessionSecret),
            accountHost: zendeskApp.accountHost,
            installationIds: zendeskApp.installationIds,
            appId: zendeskApp.appId,
          }),
        }
      : undefined;
    if (!identity) {
      logger.warn(
        'the Zendesk sidebar is off: set ZENDESK_APP_ID and ZENDESK_APP_INSTALLATION_ID (docs/zendesk.md)',
      );
    }
    for (const name of env.obsolete) {
      logger.warn(`${name} is no longer used: the sidebar now proves agents with signed URLs`);
    }
    const appAssetsDir = preview?.appAssetsDir ?? resolve('zendesk-app/assets');
    const previewSigner =
      preview?.signAppToken ?? sandbox?.zendesk.apps.signAppToken.bind(sandbox.zendesk.apps);
    const previewMounted = env.mode === 'sandbox' || !!preview;
    const extraMounts: { path: string; router: Router | Express }[] = [];
    if (previewMounted && previewSigner) {
      const { createPreviewRouter } = await import('../../preview/create-preview-router');
      // The preview plays Zendesk's agent workspace: it signs the sidebar's loads with the
      // sandbox account's own key, so only for the sandbox and tests, never in a deployment.
      extraMounts.push({
        path: '/preview',
        router: createPreviewRouter({
          zendesk,
          appAssetsDir,
          serverUrl: () => url,
          signAppToken: previewSigner,
          logger,
        }),
      });
    }
    extraMounts.push(...(mounts?.({ url, zendesk, logger }) ?? []));
    const port = createZendeskHelpdesk(zendesk, { access });
    const automationPort = createZendeskHelpdesk(automationZendesk, {
      access,
      ...(env.bulkWrites === false
        ? {}
        : {
            batchWrites: {
              batcher: createZendeskBatchWrites(automationZendesk),
              chooser: createBatchChooser({ budget, bucket: TICKET_UPDATES_BUCKET }),
            },
          }),
    });

    return {
      port,
      automationPort,
      routes: {
        ...(identity ? { sessions: identity.sessions } : {}),
        health: () => ({
          system: 'zendesk',
          ...(refresher ? refresher.state() : { ok: true as const }),
          apiLimits: budget.snapshot(),
        }),
        mounts: (context) => [
          ...extraMounts.map((mount) => ({ path: mount.path, router: mount.router as Router })),
          {
            path: '/zendesk',
            router: createSidebarRouter({
              identity,
              assetsDir: appAssetsDir,
              // Zendesk frames the sidebar; the preview (same origin) does in the sandbox.
              frameAncestors: [
                ...(zendeskApp ? [`https://${zendeskApp.accountHost}`] : []),
                ...(previewMounted ? ["'self'"] : []),
              ],
              logger: context.logger,
              ...(adminConsole ? { console: adminConsole } : {}),
            }),
          },
        ],
        // The connector run is routed by the app itself (apiRun), not by this router.
        api: (context) => {
          const router = createHelpdeskRouter(context, zendeskApi, { runs: false });
          router.use(createRunsRouter({ runLog: context.runLog, helpdesk: port }));
          if (identity) router.use(createSessionRouter(identity));
          return router;
        },
        apiRun: (context) => createConnectorRunHandler(context, zendeskApi),
      },
    };
  },
};
