import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rateLimitOf } from '../../server/src/http/rate-limit';
import type { ServerEnv } from '../../server/src/env/parse-env';
import { startDemoUpstream } from '../../server/src/sandbox/demo-upstream/demo-upstream';
import type { RunningDemoUpstream } from '../../server/src/sandbox/demo-upstream/demo-upstream';
import { startFakeZendesk } from '../../server/src/sandbox/fake-zendesk/fake-zendesk';
import type {
  FakeZendeskOptions,
  RunningFakeZendesk,
} from '../../server/src/sandbox/fake-zendesk/fake-zendesk';
import type { SignAppTokenOptions } from '../../server/src/sandbox/fake-zendesk/app-signing';
import {
  SANDBOX_USER_IDS,
  SANDBOX_ZENDESK_APP,
  SANDBOX_ZENDESK_CREDENTIALS,
} from '../../server/src/sandbox/seed/zendesk-seed';
import { startFakeSalesforce } from '../../server/src/sandbox/fake-salesforce/fake-salesforce';
import { startMailCatcher } from '../../server/src/sandbox/mail-catcher/mail-catcher';
import type { MailCatcher } from '../../server/src/sandbox/mail-catcher/mail-catcher';
import { createMailCatcherRouter } from '../../server/src/sandbox/mail-catcher/mail-catcher-routes';
import type { RunningFakeSalesforce } from '../../server/src/sandbox/fake-salesforce/fake-salesforce';
import { SANDBOX_SALESFORCE_CREDENTIALS } from '../../server/src/sandbox/seed/salesforce-seed';
import { createSecretSource } from '../../server/src/secrets/secret-source';
import { startServer } from '../../server/src/start-server';
import type { RunningServer, StartServerOptions } from '../../server/src/start-server';

/**
 * The whole service as a deployment runs it (live mode, talking HTTP to a Zendesk and to an
 * external API), with both of those played by the local fakes on their own ports.
 */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const TEST_CONNECTOR_KEY = 'test-salesforce-connector-key-0123456789';
export const SANDBOX_SECRETS = JSON.parse(
  readFileSync('config/sandbox.secrets.json', 'utf8'),
) as Record<string, string>;

export interface TestStack {
  server: RunningServer;
  url: string;
  zendesk: RunningFakeZendesk;
  /** The SMTP server the stack's verification codes are mailed to (any mail is caught). */
  mail: MailCatcher;
  upstream: RunningDemoUpstream;
  /** A Salesforce org, played by the fake on its own port. */
  salesforce: RunningFakeSalesforce;
  salesforceAuth: { 'X-Connector-Key': string };
  logLines: string[];
  sleeps: number[];
  configPath: string;
  dataDir: string;
  adminAuth: { Authorization: string };
  /**
   * Signs an agent in the way Zendesk loads the sidebar: the fake Zendesk signs a token for
   * the user, it is POSTed to /zendesk/sidebar, and the session the page carries comes back.
   */
  signInAgent(userId?: number): Promise<AgentSignIn>;
  /** A token as the fake Zendesk signs it for the app's signed location. */
  signAppToken(options: SignAppTokenOptions): Promise<string>;
  /** Reads a ticket straight from the fake Zendesk's store. */
  ticket(id: number): { customFields: Record<string, unknown>; tags: string[]; notes: string[] };
  /**
   * Another instance of the server with the same env and fakes, its own DATA_DIR and a copy of
   * the config file as it is now (several instances on PostgreSQL: docs/deploy.md).
   */
  startInstance(): Promise<TestInstance>;
  /**
   * Stops the server and starts it again on the same DATA_DIR and config, as a restart does;
   * `server` and `url` then name the new one (the fakes keep running).
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestInstance {
  server: RunningServer;
  url: string;
  configPath: string;
  dataDir: string;
  logLines: string[];
  close(): Promise<void>;
}

export interface AgentSignIn {
  token: string;
  expiresAt: string;
  auth: { Authorization: string };
}

/** Reads the session the sidebar page carries (server/src/helpdesks/zendesk/identity/sidebar-routes.ts). */
export function readPageSession(html: string): { token: string; expiresAt: string } | undefined {
  const match = /<script type="application\/json" id="dc-session">(.*?)<\/script>/s.exec(html);
  return match
    ? (JSON.parse(match[1] as string) as { token: string; expiresAt: string })
    : undefined;
}

export interface StackFakes {
  zendesk: RunningFakeZendesk;
  salesforce: RunningFakeSalesforce;
  upstream: RunningDemoUpstream;
}

export interface TestStackOptions {
  /** The fake Zendesk's own options: its plan's limits, its clock. */
  zendesk?: FakeZendeskOptions;
  /** Edits the example config before the server loads it (the fakes are already listening). */
  editConfig?: (config: Record<string, unknown>, fakes: StackFakes) => void;
  secrets?: Record<string, string>;
  /**
   * Read the secrets from this file, as a deployment does (and re-read it when it changes),
   * instead of handing `secrets` to the server.
   */
  secretsFile?: string;
  /** How long the server reuses what Zendesk says an agent may see (default 60). */
  agentAccessCacheSeconds?: number;
  /** Routers to mount before the API. */
  mounts?: StartServerOptions['mounts'];
  /** Serve the stack's mail catcher at /sandbox/mail, as the sandbox server does. */
  mailPage?: boolean;
  /** The helpdesks to run with (default: the built-in ones). */
  helpdesks?: StartServerOptions['helpdesks'];
  /** Instances on PostgreSQL: heartbeat interval (default the server's 5 s). */
  heartbeatMs?: number;
  /** Mount the /preview page (it is on by default only in sandbox mode). */
  preview?: StartServerOptions['preview'];
  /**
   * Also point the example config's sandbox Zendesk API URL at the fake Zendesk. Off by default,
   * so the suites written against the config as it ships keep seeing it unchanged.
   */
  rewriteSandboxZendeskUrl?: boolean;
  /**
   * Merged over the env built here (webhook secrets, tokens, Salesforce…). A function receives
   * the built env, for overrides that depend on the fakes' ports.
   */
  env?:
    | Partial<ServerEnv>
    | ((built: ServerEnv, fakes: { zendesk: RunningFakeZendesk }) => Partial<ServerEnv>);
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const zendesk = await startFakeZendesk(options.zendesk);
  const upstream = await startDemoUpstream();
  const salesforce = await startFakeSalesforce();
  const mail = await startMailCatcher();
  const dataDir = mkdtempSync(join(tmpdir(), 'dc-test-'));
  const configPath = join(dataDir, 'connectors.json');
  let text = readFileSync('config/connectors.json', 'utf8').replaceAll(
    'http://127.0.0.1:3000/sandbox/upstream',
    upstream.baseUrl,
  );
  if (options.rewriteSandboxZendeskUrl) {
    text = text.replaceAll('http://127.0.0.1:3000/sandbox/zendesk', zendesk.baseUrl);
  }
  const config = JSON.parse(text) as Record<string, unknown>;
  delete config.$schema;
  options.editConfig?.(config, { zendesk, salesforce, upstream });
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const built: ServerEnv = {
    mode: 'live',
    port: 0,
    host: '127.0.0.1',
    configPath,
    secretsFile: options.secretsFile,
    dataDir,
    runLogRetentionDays: 7,
    responseBufferLimitBytes: 64 * 1024 * 1024,
    logLevel: 'debug',
    zendeskBaseUrl: zendesk.baseUrl,
    zendeskAuth: {
      kind: 'apiToken',
      email: SANDBOX_ZENDESK_CREDENTIALS.email,
      apiToken: SANDBOX_ZENDESK_CREDENTIALS.apiToken,
    },
    zendeskApp: {
      appId: SANDBOX_ZENDESK_APP.appId,
      installationIds: [SANDBOX_ZENDESK_APP.installationId],
      accountHost: zendesk.apps.accountHost,
    },
    sessionSecret: undefined,
    agentAccessCacheSeconds: options.agentAccessCacheSeconds ?? 60,
    // Suites fire many requests a second as one caller; the limits have their own tests.
    rateLimits: {
      read: rateLimitOf(1_000_000),
      run: rateLimitOf(1_000_000),
      webhook: rateLimitOf(1_000_000),
    },
    adminToken: TEST_ADMIN_TOKEN,
    obsolete: [],
    // A real SMTP exchange with a local server, as a deployment with SMTP_HOST has.
    mail: {
      kind: 'smtp',
      host: mail.smtp.host,
      port: mail.smtp.port,
      secure: false,
      from: 'Support <support@test.local>',
    },
    salesforce: {
      auth: {
        kind: 'refreshToken',
        instanceUrl: salesforce.instanceUrl,
        loginUrl: salesforce.instanceUrl,
        clientId: SANDBOX_SALESFORCE_CREDENTIALS.clientId,
        clientSecret: SANDBOX_SALESFORCE_CREDENTIALS.clientSecret,
        refreshToken: SANDBOX_SALESFORCE_CREDENTIALS.refreshToken,
      },
      apiVersion: '62.0',
      connectorKey: TEST_CONNECTOR_KEY,
    },
  };
  const env: ServerEnv = {
    ...built,
    ...(typeof options.env === 'function' ? options.env(built, { zendesk }) : options.env),
  };
  const sleeps: number[] = [];
  const launch = (instance: { dataDir: string; configPath: string }, logLines: string[]) =>
    startServer(
      { ...env, ...instance },
      {
        writeLog: (line) => logLines.push(line),
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        ...(options.secretsFile === undefined
          ? { secrets: createSecretSource(options.secrets ?? SANDBOX_SECRETS) }
          : {}),
        ...(options.mounts || options.mailPage
          ? {
              mounts: (context: Parameters<NonNullable<StartServerOptions['mounts']>>[0]) => [
                ...(options.mounts?.(context) ?? []),
                ...(options.mailPage
                  ? [{ path: '/sandbox/mail', router: createMailCatcherRouter(mail) }]
                  : []),
              ],
            }
          : {}),
        ...(options.helpdesks ? { helpdesks: options.helpdesks } : {}),
        ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
        ...(options.preview
          ? { preview: { ...options.preview, signAppToken: (o) => zendesk.apps.signAppToken(o) } }
          : {}),
      },
    );
  const logLines: string[] = [];
  const started = await launch({ dataDir, configPath }, logLines);
  if (!started.ok) throw new Error(`test server did not start: ${started.error.message}`);
  const instances: TestInstance[] = [];
  let server = started.value;
  const stack: TestStack = {
    server,
    url: server.url,
    zendesk,
    mail,
    upstream,
    salesforce,
    salesforceAuth: { 'X-Connector-Key': env.salesforce?.connectorKey ?? TEST_CONNECTOR_KEY },
    logLines,
    sleeps,
    configPath,
    dataDir,
    adminAuth: { Authorization: `Bearer ${env.adminToken}` },
    signAppToken: (signOptions) => zendesk.apps.signAppToken(signOptions),
    signInAgent: async (userId = SANDBOX_USER_IDS.agent) => {
      const token = await zendesk.apps.signAppToken({ userId });
      const response = await fetch(
        `${server.url}/zendesk/sidebar?origin=${encodeURIComponent(server.url)}&app_guid=test`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token }).toString(),
        },
      );
      const html = await response.text();
      const session = readPageSession(html);
      if (response.status !== 200 || !session) {
        throw new Error(
          `agent ${userId} could not sign in (${response.status}): ${html.slice(0, 300)}`,
        );
      }
      return { ...session, auth: { Authorization: `Bearer ${session.token}` } };
    },
    ticket: (id) => {
      const stored = zendesk.store.findTicket(id);
      if (!stored) throw new Error(`no ticket ${id}`);
      return {
        customFields: Object.fromEntries(
          stored.custom_fields.map((field) => [String(field.id), field.value]),
        ),
        tags: [...stored.tags],
        notes: zendesk.store
          .listComments(id)
          .filter((comment) => !comment.public)
          .map((comment) => comment.body),
      };
    },
    startInstance: async () => {
      const instanceDir = mkdtempSync(join(tmpdir(), 'dc-test-instance-'));
      const instanceConfig = join(instanceDir, 'connectors.json');
      writeFileSync(instanceConfig, readFileSync(configPath, 'utf8'));
      const instanceLog: string[] = [];
      const opened = await launch(
        { dataDir: instanceDir, configPath: instanceConfig },
        instanceLog,
      );
      if (!opened.ok) throw new Error(`instance did not start: ${opened.error.message}`);
      let closed = false;
      const instance: TestInstance = {
        server: opened.value,
        url: opened.value.url,
        configPath: instanceConfig,
        dataDir: instanceDir,
        logLines: instanceLog,
        close: async () => {
          if (closed) return;
          closed = true;
          await opened.value.close();
          rmSync(instanceDir, { recursive: true, force: true });
        },
      };
      instances.push(instance);
      return instance;
    },
    restart: async () => {
      await server.close();
      const again = await launch({ dataDir, configPath }, logLines);
      if (!again.ok) throw new Error(`test server did not restart: ${again.error.message}`);
      server = again.value;
      stack.server = server;
      stack.url = server.url;
    },
    close: async () => {
      for (const instance of instances) await instance.close();
      await server.close();
      await zendesk.close();
      await upstream.close();
      await salesforce.close();
      await mail.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}
