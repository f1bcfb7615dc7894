import { resolve } from 'node:path';
import { createServer } from 'node:http';
import { createAppMessageClasses } from './http/app-message-classes';
import type { Server } from 'node:http';
import { Router } from 'express';
import type { Express } from 'express';
import type { Result } from '../../shared/src/result';
import { createApp } from './api/create-app';
import type { CompiledConfig } from './compile/compiled-model';
import { compileConfig } from './compile/compile-config';
import { BUILT_IN_HELPDESKS, configFormatOf } from './helpdesks/helpdesk-registry';
import { loadTemplates } from './templates/load-templates';
import type { HelpdeskModule } from './helpdesks/helpdesk-module';
import { createConfigStore } from './config/config-store';
import type { ConfigStore } from './config/config-store';
import { mailSecretsOf } from './env/parse-env';
import type { ServerEnv } from './env/parse-env';
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
import type { MailCatcher } from './sandbox/mail-catcher/mail-catcher';
import type { Sandbox } from './sandbox/open-sandbox';
import type { SecretSource, SecretsLoadError } from './secrets/secret-source';
import { createReloadableSecrets } from './secrets/reloadable-secrets';
import type { ReloadableSecrets } from './secrets/reloadable-secrets';
import { watchSecretsFile } from './secrets/watch-secrets';
import { loadServerSecrets, serverSecretsFile } from './server-paths';
import type { ZendeskStartOptions } from './helpdesks/zendesk/zendesk-module';
import type { HelpdeskPort } from './runs/helpdesk-port';
import type { HelpdeskRoutes } from './api/helpdesk-routes';
import { createWorkflowServices } from './workflows/workflow-services';
import { createBackfillService } from './backfills/backfill-service';
import type { BackfillService } from './backfills/backfill-service';
import { createBackfillRouter } from './backfills/backfill-routes';
import { resolveBackfillWorkflow } from './backfills/backfill-workflow';
import { openStorage } from './storage/open-storage';
import { databasePasswordOf } from './storage/postgres/database-password';
import { startInstanceRegistry } from './instances/instance-registry';
import { divideLimit } from './instances/divide-limit';
import {
  adoptNewestConfigVersion,
  announceNewVersions,
  followConfigVersions,
} from './config-versions/follow-config-versions';
import { createAgentKeys } from './agents/agent-keys';
import { createAlertMonitor } from './alerts/alert-monitor';
import type { AlertMonitor } from './alerts/alert-monitor';
import { observeRunLog } from './alerts/observe-run-log';
import { createAlertNotifier } from './alerts/send-alert-notice';
import { createEmailCodeVerification } from './verification/email-code-verification';
import type { EmailCodeVerification } from './verification/email-code-verification';
import { createConsoleSessions } from './http/console-sessions';
import { createPostgresSessionRevocations } from './http/postgres-session-revocations';
import { createBackfillNotifier } from './alerts/backfill-notices';
import { createConnectionNotifier } from './alerts/connection-notices';
import type { NotifierOptions } from './alerts/notice-sender';
import { createConnectionTokens } from './oauth/connection-tokens';
import { createConnectStates } from './oauth/connect-states';
import { createSharedConnectStates } from './oauth/postgres-connect-states';
import { OAUTH_CALLBACK_PATH } from './oauth/oauth-routes';
import type { OAuthRouteDeps } from './oauth/oauth-routes';
import { tokenCipherOf } from './secrets/token-cipher';
import type { ConsoleApiDeps } from './console/console-api-routes';
import { testConnector } from './runs/test-connector';
import type { RunDeps } from './runs/run-connector';
import type { RunLane } from './pacing/run-lane';
import { selectVerificationMailer } from './verification/select-verification-mailer';
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
  sandbox:
    | {
        zendesk: FakeZendesk;
        upstream: DemoUpstream;
        salesforce: FakeSalesforce;
        mail: MailCatcher;
      }
    | undefined;
  /** Workflow deliveries: the queue and its worker. */
  workflows: WorkflowServices;
  /**
   * Customer verification by email code (verification/), for the surfaces that act for a
   * customer; undefined on a live server without SMTP_HOST.
   */
  verification: EmailCodeVerification | undefined;
  /** Connector alerts (alerts/): incidents, notices and pauses. */
  alerts: AlertMonitor;
  /** OAuth connection notices (reconnect needed, reconnected): resolves once they are sent. */
  connectionNotices: { idle(): Promise<void> };
  close(): Promise<void>;
}

export interface StartServerOptions extends ZendeskStartOptions {
  /** The template library the console offers (default: templates/ in the working directory). */
  templatesDir?: string;
  /** The helpdesks to run with (default: the built-in ones, helpdesks/helpdesk-registry.ts). */
  helpdesks?: readonly HelpdeskModule[];
  /** Where log lines go (default stdout). */
  writeLog?: (line: string) => void;
  /** Replaces DNS for outbound connector calls (tests). */
  lookup?: HostLookup;
  /** Replaces waits between retries (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** The built admin console (admin-console/assets unless a test builds its own). */
  consoleAssetsDir?: string;
  /** Secrets to use instead of the environment and secrets file (tests). */
  secrets?: SecretSource;
  /** How often each instance on PostgreSQL writes its heartbeat (default 5 s; tests shorten it). */
  heartbeatMs?: number;
}

/** Why the server did not start; the message is what `npm start` prints. */
export interface StartServerError {
  code: SecretsLoadError['code'] | 'STORAGE_OPEN_FAILED' | 'PORT_IN_USE' | 'LISTEN_FAILED';
  message: string;
}

export type StartServerResult = Result<RunningServer, StartServerError>;

export async function startServer(
  env: ServerEnv,
  options: StartServerOptions = {},
): Promise<StartServerResult> {
  const helpdeskModules = options.helpdesks ?? BUILT_IN_HELPDESKS;
  let secretSource: SecretSource;
  let reloadableSecrets: ReloadableSecrets | undefined;
  if (options.secrets) {
    secretSource = options.secrets;
  } else {
    const loaded = createReloadableSecrets(() => loadServerSecrets(env));
    if (!loaded.ok) return loaded;
    secretSource = reloadableSecrets = loaded.value;
  }
  // Credentials learnt while running (OAuth tokens), masked like the configured ones.
  const runtimeSecrets = createRuntimeSecrets();
  // The environment is parsed once at boot, so its secrets are listed once; only the secrets
  // file can change while running (reloads).
  const environmentSecrets = [
    env.adminToken,
    ...[databasePasswordOf(env)].filter((password) => password !== undefined),
    ...mailSecretsOf(env),
    ...helpdeskModules.flatMap((helpdesk) => helpdesk.secretsOf(env)),
  ];
  const configuredSecrets = () => [...secretSource.values(), ...environmentSecrets];
  const redactor = createRedactor(
    () => [...configuredSecrets(), ...runtimeSecrets.values()],
    // Asked before every redaction pass (each log line, each run record): versions, not values.
    () => `${secretSource.version()}\u0001${runtimeSecrets.version()}`,
  );
  const logger = createLogger({
    level: env.logLevel,
    redactor,
    ...(options.writeLog ? { write: options.writeLog } : {}),
  });

  const openedStorage = await openStorage({
    dataDir: env.dataDir,
    runLogRetentionDays: env.runLogRetentionDays,
    ...(env.database ? { database: env.database } : {}),
    logger,
  });
  if (!openedStorage.ok) return openedStorage;
  const storage = openedStorage.value;
  const { idempotency } = storage;
  // --- Several instances on PostgreSQL (docs/deploy.md): limits divide, config follows. ---
  const shared = storage.postgres;
  // pg is loaded only by a server on PostgreSQL (docs/performance.md, "Memory").
  const channels = shared ? await import('./storage/postgres/listen-channel') : undefined;
  const instances = shared
    ? await startInstanceRegistry({
        pool: shared.pool,
        instanceId: shared.instanceId,
        ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
        logger: logger.child({ component: 'instances' }),
      })
    : undefined;
  const liveInstances = () => instances?.count() ?? 1;
  const configChannel = shared && channels ? channels.channelName(shared.schema, 'config') : '';
  const configVersions =
    shared && channels
      ? announceNewVersions(
          storage.configVersions,
          (id) => channels.notifyChannel(shared.pool, configChannel, String(id)),
          logger,
        )
      : storage.configVersions;
  if (shared) {
    await adoptNewestConfigVersion({
      store: configVersions,
      configPath: env.configPath,
      logger: logger.child({ component: 'config' }),
    }).catch((error: unknown) =>
      logger.warn('could not compare the config with the newest version', {
        message: error instanceof Error ? error.message : String(error),
      }),
    );
  }

  // Once, while the heap is nearly empty: measured at each reload it would move with the load,
  // and the same config could warn on one reload and not the next.
  const maxJsonBodyBytes = estimateMaxJsonBodyBytes();
  const configFormat = configFormatOf(helpdeskModules);
  const configStore = createConfigStore<CompiledConfig>({
    path: env.configPath,
    schema: configFormat.schemas.connectorConfigSchema,
    compile: (config) =>
      compileConfig(config, { format: configFormat, secrets: secretSource, maxJsonBodyBytes }),
    logger: logger.child({ component: 'config' }),
    // Every config the server accepts is kept, with its text, for history and rollback.
    onChange: (result) => {
      if (!result.ok) return;
      void configVersions
        .record({
          author: 'file',
          connectors: result.value.config.connectors.length,
          files: result.value.sources,
        })
        .catch((error: unknown) =>
          logger.error('could not keep the config version', {
            message: error instanceof Error ? error.message : String(error),
          }),
        );
    },
  });
  await configStore.reload();
  configStore.watch();
  const configFollower = shared
    ? followConfigVersions({
        store: configVersions,
        configPath: env.configPath,
        served: () => configStore.sources(),
        reload: () => configStore.reload(),
        logger: logger.child({ component: 'config' }),
      })
    : undefined;
  const configNotices =
    channels && env.database && configFollower
      ? channels.listenToChannel({
          url: env.database.url,
          channel: configChannel,
          onNotice: () => void configFollower.check(),
          logger: logger.child({ component: 'config' }),
        })
      : undefined;
  // --- end several instances ---
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
    openedSandbox = await openSandbox(env.dataDir);
    sandbox = {
      zendesk: openedSandbox.zendesk,
      upstream: openedSandbox.upstream,
      salesforce: openedSandbox.salesforce,
      mail: openedSandbox.mail,
    };
    mounts.push(...openedSandbox.mounts);
  }

  const verificationMailer = selectVerificationMailer(env.mail, openedSandbox?.mail.smtp);
  const verificationLogger = logger.child({ component: 'verification' });
  const verification = verificationMailer
    ? createEmailCodeVerification({
        store: storage.verification,
        mailer: verificationMailer,
        ...(env.verification ? { settings: env.verification } : {}),
        // The server log names ids, not people: the requester's address stays out of it. The
        // surface that acts for the customer records the whole event in its run.
        onEvent: (event) =>
          verificationLogger.info('customer verification', {
            outcome: event.kind,
            ticketKey: event.ticketKey,
          }),
      })
    : undefined;

  // --- Connector alerts (server/src/alerts): every recorded run is counted after it is stored. ---
  // The server's own address, for the admin console's link in each notice; known once it listens.
  let url = '';
  // Behind a proxy, browsers reach the server at PUBLIC_URL: links and redirect URIs use it.
  const publicUrl = () => env.publicUrl ?? url;
  const alertNotifier = createAlertNotifier({
    mailer: verificationMailer,
    secret: (name) => secretSource.get(name),
    logger: logger.child({ component: 'alerts' }),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  // The alert monitor and the notifiers read the same config and send through the same channels.
  const noticeOptions: NotifierOptions = {
    config: () => configStore.current(),
    send: alertNotifier,
    logger: logger.child({ component: 'alerts' }),
    serverUrl: () => publicUrl(),
  };
  const alerts = createAlertMonitor({ store: storage.alerts, ...noticeOptions });
  await alerts.start();
  const runLog = observeRunLog(storage.runLog, (run) => alerts.observe(run));
  const connectionNotices = createConnectionNotifier(noticeOptions);
  const backfillNotices = createBackfillNotifier(noticeOptions);
  // --- end alerts ---

  // --- OAuth authorization code connections (server/src/oauth): sealed tokens, connect flow. ---
  const connectionTokens = createConnectionTokens({
    store: storage.oauthTokens,
    cipher: tokenCipherOf(env.tokenEncryption),
    logger: logger.child({ component: 'oauth' }),
    // Registered with the redactor before any use: no token reaches a log, answer or run record.
    onSecret: (value) => runtimeSecrets.add(value),
    onEvent: (event) => connectionNotices.notify(event),
  });
  // With a database, the callback may land on any instance.
  const connectStates = storage.postgres
    ? await createSharedConnectStates(storage.postgres.pool)
    : createConnectStates();
  // --- end OAuth ---

  const sender = createUpstreamSender({
    onCredential: (value) => runtimeSecrets.add(value),
    connectionTokens,
    responseBudget: createResponseBufferBudget(env.responseBufferLimitBytes),
    ...(options.lookup ? { lookup: options.lookup } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  const limiter = createConnectionLimiter();
  // Listen before building the app: in sandbox mode the helpdesk is this same server, and its
  // address (port 0 in tests) is only known once it listens.
  const messageClasses = createAppMessageClasses();
  const server = createServer({
    IncomingMessage: messageClasses.IncomingMessage,
    ServerResponse: messageClasses.ServerResponse,
  });
  // Keep clients' idle connections longer than load balancers keep theirs (AWS ALB: 60 s), so a
  // balancer never sends on a socket this server is closing (502s). Node's 5 s default also made
  // every burst after a few idle seconds reconnect at once: in the CPU benchmark those first
  // requests took 1-2 s against 0.2 s for the rest (docs/performance.md, "Where the p99 tail at
  // concurrency 100 came from").
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
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
    webhooks: helpdeskModules.flatMap((helpdesk) =>
      helpdesk.webhook
        ? [{ webhook: helpdesk.webhook.check, secret: helpdesk.webhook.secretOf(env) }]
        : [],
    ),
    ...(env.workflowConcurrency === undefined ? {} : { concurrency: env.workflowConcurrency }),
    ...(env.workflowLeaseMs === undefined ? {} : { leaseMs: env.workflowLeaseMs }),
    resolveWorkflow: resolveBackfillWorkflow,
  });
  // Backfills (server/src/backfills): built with the routers, once the run dependencies exist.
  let backfills: BackfillService | undefined;
  // --- end automations ---
  const closeStores = async () => {
    await backfills?.close();
    await workflows.close();
    secretsWatcher?.close();
    configFollower?.close();
    await configNotices?.close();
    configStore.close();
    await sender.close();
    // After the worker: its last runs are counted, and their notices sent, before the mailer closes.
    await alerts.close();
    await connectionNotices.idle();
    await backfillNotices.idle();
    verificationMailer?.close();
    await openedSandbox?.close();
    await instances?.close();
    await storage.close();
  };
  if (!listening.ok) {
    await closeStores();
    return listening;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  url = `http://${env.host === '0.0.0.0' ? '127.0.0.1' : env.host}:${port}`;

  // The admin console's sessions: its own sign-in at /admin, and Zendesk's nav_bar for admins.
  const consoleSessions = createConsoleSessions({
    adminToken: env.adminToken,
    // With a database, a sign-out holds on every instance.
    ...(storage.postgres
      ? { revocations: createPostgresSessionRevocations(storage.postgres.pool) }
      : {}),
  });
  const consoleAssetsDir = options.consoleAssetsDir ?? resolve('admin-console/assets');

  // --- The helpdesks (helpdesks/<name>/): each connects itself from the environment. ---
  const ports: HelpdeskPort[] = [];
  const automationPorts: HelpdeskPort[] = [];
  const helpdeskRoutes: HelpdeskRoutes[] = [];
  for (const helpdesk of helpdeskModules) {
    const connected = await helpdesk.connect({
      env,
      url,
      console: { sessions: consoleSessions, assetsDir: consoleAssetsDir },
      sandbox: openedSandbox,
      config: () => configStore.current(),
      logger,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      options,
      onCredential: (value) => runtimeSecrets.add(value),
      ...(storage.postgres ? { sharedDatabase: storage.postgres.pool } : {}),
    });
    if (!connected) continue;
    ports.push(connected.port);
    automationPorts.push(connected.automationPort ?? connected.port);
    helpdeskRoutes.push(connected.routes);
  }

  const slotsIn =
    (lane: RunLane): RunDeps['acquireSlot'] =>
    (connector) =>
      limiter.acquire(
        connector.connection.id,
        divideLimit(connector.connection.def.maxConcurrency, liveInstances()),
        lane,
      );
  const runDeps: RunDeps = {
    config: () => configStore.current(),
    helpdesks: new Map(ports.map((port) => [port.system, port])),
    secrets: (names) =>
      Object.fromEntries(
        names.flatMap((name) => {
          const value = secretSource.get(name);
          return value === undefined ? [] : [[name, value]];
        }),
      ),
    send: sender.send,
    acquireSlot: slotsIn('agent'),
    runLog,
    logger,
    redactor,
    pauses: alerts,
  };
  // The workflow worker's: background work, behind agents for slots and helpdesk limits, its
  // writes batched (pacing/run-lane.ts).
  const automationRunDeps: RunDeps = {
    ...runDeps,
    helpdesks: new Map(automationPorts.map((port) => [port.system, port])),
    acquireSlot: slotsIn('automation'),
  };
  const consoleApi: ConsoleApiDeps = {
    pausedReason: (connectorId) =>
      alerts.isPaused(connectorId)
        ? 'Paused by its alert: agents see "paused by the admin" until it is resumed (Alerts).'
        : undefined,
    test: (request) => testConnector(runDeps, request),
    helpdesks: runDeps.helpdesks,
    templates: () => loadTemplates(options.templatesDir),
    hasSecret: (name) => secretSource.get(name) !== undefined,
    config: () => configStore.current(),
    status: () => configStore.status(),
    runLog,
    sources: {
      configPath: env.configPath,
      sources: () => configStore.sources(),
      validate: (overrides) => configStore.validate(overrides),
      reload: () => configStore.reload(),
      versions: configVersions,
    },
    settings: {
      mode: env.mode,
      retentionDays: env.runLogRetentionDays,
      configPath: env.configPath,
      helpdesks: ports.map((port) => port.system),
      sandbox: openedSandbox !== undefined,
    },
  };
  const oauthRoutes: OAuthRouteDeps = {
    config: () => configStore.current(),
    tokens: connectionTokens,
    states: connectStates,
    secret: (name) => secretSource.get(name),
    redirectUri: () => `${publicUrl()}${OAUTH_CALLBACK_PATH}`,
    secureCookie: env.mode === 'live',
    egressOf: (connection) => ({
      timeoutMs: connection.def.timeoutMs,
      allowPrivateNetwork: connection.def.allowPrivateNetwork,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    }),
    logger: logger.child({ component: 'oauth' }),
  };
  const app = createApp({
    mode: env.mode,
    oauth: oauthRoutes,
    console: {
      sessions: consoleSessions,
      assetsDir: consoleAssetsDir,
      // A live server is reached over HTTPS (docs/deploy.md); the sandbox over http://localhost.
      secureCookie: env.mode === 'live',
      api: consoleApi,
    },
    agentKeys: createAgentKeys(storage.agentKeys),
    configVersions: { store: configVersions, configPath: env.configPath },
    alerts,
    ...(verification ? { verification } : {}),
    serverUrl: () => url,
    rateLimits: env.rateLimits,
    instances: liveInstances,
    ...(instances
      ? { database: () => ({ ok: instances.reachable(), instances: instances.count() }) }
      : {}),
    configStore,
    ...(reloadableSecrets ? { secretsStatus: reloadableSecrets.status } : {}),
    runLog,
    idempotency,
    logger,
    mounts,
    workflows: (limiter) => {
      const routers = workflows.routers(automationRunDeps, limiter);
      // Background work: its page reads, count and dry run wait behind agents (run-lane.ts).
      backfills = createBackfillService({
        store: storage.backfills,
        queue: storage.deliveries,
        config: () => configStore.current(),
        run: automationRunDeps,
        kick: () => workflows.worker?.kick(),
        logger: logger.child({ component: 'backfills' }),
        onEnded: (event) => backfillNotices.notify(event),
      });
      const api = Router();
      api.use(routers.api, createBackfillRouter(backfills));
      return { webhooks: routers.webhooks, api };
    },
    auth: { adminToken: env.adminToken },
    helpdesks: helpdeskRoutes,
    run: runDeps,
  });

  messageClasses.adopt(app);
  server.on('request', app);
  // After the app is listening: a resumed delivery may call this server's own sandbox helpdesk.
  await workflows.start();
  // Backfills that were running when the server stopped continue from their saved cursor.
  await backfills?.continueRunning();

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
      verification,
      alerts,
      connectionNotices,
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
