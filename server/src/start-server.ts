import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Express, Router } from 'express';
import { createApp } from './api/create-app';
import type { CompiledConfig } from './compile/compile-config';
import { compileConfig } from './compile/compile-config';
import { createConfigStore } from './config/config-store';
import type { ConfigStore } from './config/config-store';
import type { ServerEnv } from './env/parse-env';
import { createLogger } from './logging/logger';
import type { Logger } from './logging/logger';
import { createRedactor } from './logging/redact';
import type { HostLookup } from './request/request-types';
import { openSqliteRunLogStore } from './run-log/sqlite-run-log-store';
import type { SqliteRunLogStore } from './run-log/sqlite-run-log-store';
import { createConnectionLimiter } from './runs/connection-limiter';
import { openIdempotencyStore } from './runs/idempotency-store';
import { createUpstreamSender } from './runs/send-upstream';
import { createDemoUpstream } from './sandbox/demo-upstream/demo-upstream';
import type { DemoUpstream } from './sandbox/demo-upstream/demo-upstream';
import { createFakeZendesk } from './sandbox/fake-zendesk/fake-zendesk';
import type { FakeZendesk } from './sandbox/fake-zendesk/fake-zendesk';
import type { SecretSource } from './secrets/secret-source';
import {
  IDEMPOTENCY_FILE,
  loadServerSecrets,
  RUN_LOG_FILE,
  SANDBOX_ZENDESK_FILE,
} from './server-paths';
import { createZendeskHelpdesk } from './write-back/zendesk-helpdesk';
import { createZendeskClient } from './zendesk/zendesk-client';
import type { ZendeskClient } from './zendesk/zendesk-client';

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
  runLog: SqliteRunLogStore;
  sandbox: { zendesk: FakeZendesk; upstream: DemoUpstream } | undefined;
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
   * Routers to mount before the API, built once the server knows its URL and Zendesk client
   * (the preview page, in tests).
   */
  mounts?: (context: { url: string; zendesk: ZendeskClient; logger: Logger }) => {
    path: string;
    router: Router | Express;
  }[];
}

export type StartServerResult =
  { ok: true; server: RunningServer } | { ok: false; message: string };

export async function startServer(
  env: ServerEnv,
  options: StartServerOptions = {},
): Promise<StartServerResult> {
  let secrets = options.secrets;
  if (!secrets) {
    const loaded = loadServerSecrets(env);
    if (!loaded.ok) return { ok: false, message: loaded.message };
    secrets = loaded.secrets;
  }
  const secretSource = secrets;
  const zendeskSecrets =
    env.zendeskAuth.kind === 'apiToken'
      ? [env.zendeskAuth.apiToken]
      : [env.zendeskAuth.accessToken];
  const redactor = createRedactor(() => [
    ...secretSource.values(),
    ...zendeskSecrets,
    env.adminToken,
    env.appSharedSecret,
  ]);
  const logger = createLogger({
    level: env.logLevel,
    redactor,
    ...(options.writeLog ? { write: options.writeLog } : {}),
  });

  mkdirSync(env.dataDir, { recursive: true });
  const opened = openSqliteRunLogStore({
    path: join(env.dataDir, RUN_LOG_FILE),
    retentionDays: env.runLogRetentionDays,
    onCorruptRow: (report) => logger.warn('skipped a corrupt run log row', { ...report }),
    onPruned: ({ deleted, olderThan }) =>
      deleted > 0 &&
      logger.info('pruned old runs', { deleted, olderThan: olderThan.toISOString() }),
    onPruneFailed: (error) => logger.error('pruning the run log failed', { error }),
  });
  if (!opened.ok) return { ok: false, message: opened.error.message };
  const runLog = opened.value;
  const idempotency = openIdempotencyStore({ path: join(env.dataDir, IDEMPOTENCY_FILE) });

  const configStore = createConfigStore<CompiledConfig>({
    path: env.configPath,
    compile: (config) => compileConfig(config, { secrets: secretSource }),
    logger: logger.child({ component: 'config' }),
  });
  await configStore.reload();
  configStore.watch();

  let sandbox: RunningServer['sandbox'];
  const mounts: { path: string; router: Router | Express }[] = [];
  if (env.mode === 'sandbox') {
    sandbox = {
      zendesk: createFakeZendesk({ filePath: join(env.dataDir, SANDBOX_ZENDESK_FILE) }),
      upstream: createDemoUpstream(),
    };
    mounts.push({ path: '/sandbox/zendesk', router: sandbox.zendesk.app });
    mounts.push({ path: '/sandbox/upstream', router: sandbox.upstream.app });
  }

  const sender = createUpstreamSender({
    ...(options.lookup ? { lookup: options.lookup } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  const limiter = createConnectionLimiter();
  // Listen before building the app: in sandbox mode the helpdesk is this same server, and its
  // address (port 0 in tests) is only known once it listens.
  const server = createServer();
  const listening = await new Promise<{ ok: true } | { ok: false; message: string }>((resolve) => {
    server.once('listening', () => resolve({ ok: true }));
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve({
        ok: false,
        message:
          error.code === 'EADDRINUSE'
            ? `port ${env.port} is already in use; set PORT to another port`
            : `cannot listen on ${env.host}:${env.port}: ${error.message}`,
      }),
    );
    server.listen(env.port, env.host);
  });
  const closeStores = async () => {
    configStore.close();
    await sender.close();
    await runLog.close();
    idempotency.close();
  };
  if (!listening.ok) {
    await closeStores();
    return { ok: false, message: listening.message };
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  const url = `http://${env.host === '0.0.0.0' ? '127.0.0.1' : env.host}:${port}`;

  const zendesk = createZendeskClient({
    baseUrl: env.zendeskBaseUrl ?? `${url}/sandbox/zendesk`,
    auth: env.zendeskAuth,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  const helpdesk = createZendeskHelpdesk(zendesk);
  mounts.push(...(options.mounts?.({ url, zendesk, logger }) ?? []));

  const app = createApp({
    mode: env.mode,
    configStore,
    runLog,
    idempotency,
    logger,
    mounts,
    auth: {
      sharedSecret: env.appSharedSecret,
      adminToken: env.adminToken,
      maxAgeSeconds: env.jwtMaxAgeSeconds,
      audience: env.jwtAudience,
    },
    run: {
      config: () => configStore.current(),
      helpdesk,
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

  return {
    ok: true,
    server: {
      url,
      app,
      server,
      logger,
      configStore,
      runLog,
      sandbox,
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
