import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { Express, Router } from 'express';
import type { Result } from '../../shared/src/result';
import { createApp } from './api/create-app';
import type { CompiledConfig } from './compile/compiled-model';
import { compileConfig } from './compile/compile-config';
import { createConfigStore } from './config/config-store';
import type { ConfigStore } from './config/config-store';
import type { SalesforceAuthEnv, ServerEnv } from './env/parse-env';
import { createLogger } from './logging/logger';
import type { Logger } from './logging/logger';
import { createRedactor } from './logging/redact';
import { createRuntimeSecrets } from './logging/runtime-secrets';
import type { HostLookup } from './request/request-types';
import type { RunLogStore } from './run-log/run-record';
import { createConnectionLimiter } from './runs/connection-limiter';
import {
  createResponseBufferBudget,
  estimateMaxJsonBodyBytes,
} from './request/response-buffer-budget';
import { createUpstreamSender } from './runs/send-upstream';
import type { DemoUpstream } from './sandbox/demo-upstream/demo-upstream';
import type { FakeZendesk } from './sandbox/fake-zendesk/fake-zendesk';
import type { FakeSalesforce } from './sandbox/fake-salesforce/fake-salesforce';
import type { Sandbox } from './sandbox/open-sandbox';
import { createSalesforceClient } from './salesforce/salesforce-client';
import type { SalesforceClientOptions } from './salesforce/salesforce-client';
import { createSalesforceHelpdesk } from './write-back/salesforce-helpdesk';
import type { SecretSource, SecretsLoadError } from './secrets/secret-source';
import { createReloadableSecrets } from './secrets/reloadable-secrets';
import type { ReloadableSecrets } from './secrets/reloadable-secrets';
import { watchSecretsFile } from './secrets/watch-secrets';
import { loadServerSecrets, serverSecretsFile } from './server-paths';
import { createZendeskHelpdesk } from './write-back/zendesk-helpdesk';
import { createZendeskClient } from './zendesk/zendesk-client';
import type { SignAppTokenOptions } from './sandbox/fake-zendesk/app-signing';
import { createAgentAccess } from './zendesk-identity/agent-access';
import { createAgentSessions, readOrCreateSessionKey } from './zendesk-identity/agent-session';
import { createAppKeySource, createZafTokenVerifier } from './zendesk-identity/zaf-token';
import type { ZendeskClient } from './zendesk/zendesk-client';
import { createWorkflowServices } from './workflows/workflow-services';
import { openStorage } from './storage/open-storage';
import type { WorkflowServices } from './workflows/workflow-services';

/**
 * Builds and starts the whole service from a parsed environment. main.ts calls it for
 * `npm start`; tests and benchmarks call it on port 0 with their own data folder.
 */
export interface RunningServer {
  url: string;
  app: Express;
  server: Server;
  logger: Logger;
  configStore: ConfigStore<CompiledConfig>;
  runLog: RunLogStore;
  sandbox: { zendesk: FakeZendesk; upstream: DemoUpstream; salesforce: FakeSalesforce } | undefined;
  /** Workflow deliveries: the queue and its worker. */
  workflows: WorkflowServices;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Where log lines go (default stdout). */
  writeLog?: (line: string) => void;
  /** Replaces DNS for outbound connector calls (tests). */
  lookup?: HostLookup;
  /** Replaces waits between retries (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Secrets to use instead of the environment and secrets file (tests). */
  secrets?: SecretSource;
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

/** Why the server did not start; the message is what `npm start` prints. */
export interface StartServerError {
  code: SecretsLoadError['code'] | 'STORAGE_OPEN_FAILED' | 'PORT_IN_USE' | 'LISTEN_FAILED';
  message: string;
}

export type StartServerResult = Result<RunningServer, StartServerError>;

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

export async function startServer(
  env: ServerEnv,
  options: StartServerOptions = {},
): Promise<StartServerResult> {
  let secretSource: SecretSource;
  let reloadableSecrets: ReloadableSecrets | undefined;
  if (options.secrets) {
    secretSource = options.secrets;
  } else {
    const loaded = createReloadableSecrets(() => loadServerSecrets(env));
    if (!loaded.ok) return loaded;
    secretSource = reloadableSecrets = loaded.value;
  }
  const zendeskSecrets =
    env.zendeskAuth.kind === 'apiToken'
      ? [env.zendeskAuth.apiToken]
      : [env.zendeskAuth.accessToken];
  // Credentials learnt while running (OAuth tokens), masked like the configured ones.
  const runtimeSecrets = createRuntimeSecrets();
  const configuredSecrets = () => [
    ...secretSource.values(),
    ...zendeskSecrets,
    env.adminToken,
    ...(env.sessionSecret === undefined ? [] : [env.sessionSecret]),
    ...[env.zendeskWebhookSecret, env.salesforceWebhookSecret].filter((v) => v !== undefined),
  ];
  const redactor = createRedactor(
    () => [...configuredSecrets(), ...runtimeSecrets.values()],
    () => `${configuredSecrets().join('\u0000')}\u0001${runtimeSecrets.version()}`,
  );
  const logger = createLogger({
    level: env.logLevel,
    redactor,
    ...(options.writeLog ? { write: options.writeLog } : {}),
  });

  const openedStorage = openStorage({
    dataDir: env.dataDir,
    runLogRetentionDays: env.runLogRetentionDays,
    logger,
  });
  if (!openedStorage.ok) return openedStorage;
  const storage = openedStorage.value;
  const { runLog, idempotency } = storage;

  // Once, while the heap is nearly empty: measured at each reload it would move with the load,
  // and the same config could warn on one reload and not the next.
  const maxJsonBodyBytes = estimateMaxJsonBodyBytes();
  const configStore = createConfigStore<CompiledConfig>({
    path: env.configPath,
    compile: (config) => compileConfig(config, { secrets: secretSource, maxJsonBodyBytes }),
    logger: logger.child({ component: 'config' }),
  });
  await configStore.reload();
  configStore.watch();
  const secretsFile = serverSecretsFile(env);
  const secretsWatcher =
    reloadableSecrets && secretsFile
      ? await watchSecretsFile({
          path: secretsFile,
          secrets: reloadableSecrets,
          logger: logger.child({ component: 'secrets' }),
          onChanged: () => void configStore.reload(),
        })
      : undefined;

  let sandbox: RunningServer['sandbox'];
  const mounts: { path: string; router: Router | Express }[] = [];
  let openedSandbox: Sandbox | undefined;
  if (env.mode === 'sandbox') {
    // Loaded only here: a live server never loads the fakes and their well-known credentials.
    const { openSandbox } = await import('./sandbox/open-sandbox');
    openedSandbox = openSandbox(env.dataDir);
    sandbox = {
      zendesk: openedSandbox.zendesk,
      upstream: openedSandbox.upstream,
      salesforce: openedSandbox.salesforce,
    };
    mounts.push(...openedSandbox.mounts);
  }

  const sender = createUpstreamSender({
    onCredential: (value) => runtimeSecrets.add(value),
    responseBudget: createResponseBufferBudget(env.responseBufferLimitBytes),
    ...(options.lookup ? { lookup: options.lookup } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  const limiter = createConnectionLimiter();
  // Listen before building the app: in sandbox mode the helpdesk is this same server, and its
  // address (port 0 in tests) is only known once it listens.
  const server = createServer();
  const listening = await new Promise<Result<null, StartServerError>>((resolve) => {
    server.once('listening', () => resolve({ ok: true, value: null }));
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve({
        ok: false,
        error:
          error.code === 'EADDRINUSE'
            ? {
                code: 'PORT_IN_USE',
                message: `port ${env.port} is already in use; set PORT to another port`,
              }
            : {
                code: 'LISTEN_FAILED',
                message: `cannot listen on ${env.host}:${env.port}: ${error.message}`,
              },
      }),
    );
    server.listen(env.port, env.host);
  });
  // --- Automations (server/src/workflows): the delivery queue, its worker, webhooks, macros. ---
  const workflows = createWorkflowServices({
    queue: storage.deliveries,
    config: () => configStore.current(),
    logger,
    secrets: { zendesk: env.zendeskWebhookSecret, salesforce: env.salesforceWebhookSecret },
    ...(env.workflowConcurrency === undefined ? {} : { concurrency: env.workflowConcurrency }),
  });
  // --- end automations ---
  const closeStores = async () => {
    await workflows.close();
    secretsWatcher?.close();
    configStore.close();
    await sender.close();
    await storage.close();
  };
  if (!listening.ok) {
    await closeStores();
    return listening;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  const url = `http://${env.host === '0.0.0.0' ? '127.0.0.1' : env.host}:${port}`;

  const zendeskBaseUrl =
    env.zendeskBaseUrl ?? (env.mode === 'sandbox' ? `${url}/sandbox/zendesk` : undefined);
  const zendesk =
    zendeskBaseUrl === undefined
      ? undefined
      : createZendeskClient({
          baseUrl: zendeskBaseUrl,
          auth: env.zendeskAuth,
          ...(options.sleep ? { sleep: options.sleep } : {}),
        });
  // --- The Zendesk sidebar's identity: Zendesk-signed loads, sessions, what agents may see. ---
  const access = zendesk
    ? createAgentAccess({
        zendesk,
        logger: logger.child({ component: 'agent-access' }),
        cacheSeconds: env.agentAccessCacheSeconds,
      })
    : undefined;
  const zendeskApp = env.zendeskApp;
  const identity =
    zendesk && access && zendeskApp
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
            key: readOrCreateSessionKey(env.dataDir, env.sessionSecret),
            accountHost: zendeskApp.accountHost,
            installationIds: zendeskApp.installationIds,
            appId: zendeskApp.appId,
          }),
        }
      : undefined;
  if (zendesk && !identity) {
    logger.warn(
      'the Zendesk sidebar is off: set ZENDESK_APP_ID and ZENDESK_APP_INSTALLATION_ID (docs/zendesk.md)',
    );
  }
  for (const name of env.obsolete) {
    logger.warn(`${name} is no longer used: the sidebar now proves agents with signed URLs`);
  }
  const previewSigner =
    options.preview?.signAppToken ?? sandbox?.zendesk.apps.signAppToken.bind(sandbox.zendesk.apps);
  const previewMounted = zendesk !== undefined && (env.mode === 'sandbox' || !!options.preview);
  const helpdesk = zendesk ? createZendeskHelpdesk(zendesk, access ? { access } : {}) : undefined;
  const salesforce = env.salesforce
    ? createSalesforceHelpdesk(
        createSalesforceClient({
          ...salesforceCredentials(env.salesforce.auth, openedSandbox, `${url}/sandbox/salesforce`),
          apiVersion: env.salesforce.apiVersion,
        }),
        {
          config: () => configStore.current(),
          ...(options.sleep ? { sleep: options.sleep } : {}),
        },
      )
    : undefined;
  if (zendesk && previewMounted && previewSigner) {
    const { createPreviewRouter } = await import('./preview/create-preview-router');
    // The preview plays Zendesk's agent workspace: it signs the sidebar's loads with the
    // sandbox account's own key, so only for the sandbox and tests, never in a deployment.
    mounts.push({
      path: '/preview',
      router: createPreviewRouter({
        zendesk,
        appAssetsDir: options.preview?.appAssetsDir ?? resolve('zendesk-app/assets'),
        serverUrl: () => url,
        signAppToken: previewSigner,
        logger,
      }),
    });
  }
  if (zendesk) mounts.push(...(options.mounts?.({ url, zendesk, logger }) ?? []));

  const app = createApp({
    mode: env.mode,
    rateLimits: env.rateLimits,
    configStore,
    ...(reloadableSecrets ? { secretsStatus: reloadableSecrets.status } : {}),
    runLog,
    idempotency,
    logger,
    mounts,
    workflows: (run, idempotencyStore, limiter) =>
      workflows.routers(run, idempotencyStore, limiter),
    auth: { adminToken: env.adminToken },
    ...(zendesk
      ? {
          zendeskSidebar: {
            identity,
            assetsDir: options.preview?.appAssetsDir ?? resolve('zendesk-app/assets'),
            // Zendesk frames the sidebar; the preview (same origin) does in the sandbox.
            frameAncestors: [
              ...(zendeskApp ? [`https://${zendeskApp.accountHost}`] : []),
              ...(previewMounted ? ["'self'"] : []),
            ],
          },
        }
      : {}),
    ...(env.salesforce ? { salesforce: { connectorKey: env.salesforce.connectorKey } } : {}),
    run: {
      config: () => configStore.current(),
      helpdesks: new Map(
        [helpdesk, salesforce].flatMap((port) => (port ? [[port.system, port] as const] : [])),
      ),
      secrets: (names) =>
        Object.fromEntries(
          names.flatMap((name) => {
            const value = secretSource.get(name);
            return value === undefined ? [] : [[name, value]];
          }),
        ),
      send: sender.send,
      acquireSlot: (connector) =>
        limiter.acquire(connector.connection.id, connector.connection.def.maxConcurrency),
      runLog,
      logger,
      redactor,
    },
  });

  server.on('request', app);
  // After the app is listening: a resumed delivery may call this server's own sandbox helpdesk.
  await workflows.start();

  return {
    ok: true,
    value: {
      url,
      app,
      server,
      logger,
      configStore,
      runLog,
      sandbox,
      workflows,
      close: async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await closeStores();
      },
    },
  };
}
