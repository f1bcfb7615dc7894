import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { SalesforceCredentials } from '../salesforce/salesforce-auth';
import type { ZendeskAuth } from '../zendesk/zendesk-client';

/**
 * The environment is parsed once at boot into a frozen object; nothing else reads process.env.
 * With no Zendesk account configured the server runs in sandbox mode: a local Zendesk-compatible
 * API, a demo upstream and well-known development credentials, so `npm start` needs nothing.
 */

const SANDBOX_SHARED_SECRET = 'sandbox-shared-secret-change-me-0001';
const SANDBOX_ADMIN_TOKEN = 'sandbox-admin-token';
/** Zendesk's documented test signing secret, used as UTF-8 text (it is not decoded). */
const SANDBOX_ZENDESK_WEBHOOK_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
const SANDBOX_SALESFORCE_WEBHOOK_SECRET = 'sandbox-salesforce-webhook-secret';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: optionalText,
  CONNECTORS_CONFIG: z.string().default('config/connectors.json'),
  SECRETS_FILE: optionalText,
  DATA_DIR: z.string().default('data'),
  RUN_LOG_RETENTION_DAYS: z.coerce.number().min(0.001).max(3650).default(7),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  ZENDESK_SUBDOMAIN: optionalText.pipe(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use the subdomain only, e.g. "acme"')
      .optional(),
  ),
  ZENDESK_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ZENDESK_EMAIL: optionalText,
  ZENDESK_API_TOKEN: optionalText,
  ZENDESK_OAUTH_TOKEN: optionalText,
  ZENDESK_APP_SHARED_SECRET: optionalText,
  ADMIN_TOKEN: optionalText,
  // The app asks Zendesk for 60-second tokens; a shorter maximum would refuse every one of them.
  JWT_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(900).default(120),
  JWT_AUDIENCE: optionalText,
  ZENDESK_WEBHOOK_SECRET: optionalText,
  SALESFORCE_WEBHOOK_SECRET: optionalText,
  WORKFLOW_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  RESPONSE_BUFFER_LIMIT_MB: z.coerce.number().int().min(1).max(4096).default(64),
  SALESFORCE_AUTH: optionalText.pipe(z.enum(['jwt', 'refresh_token']).optional()),
  SALESFORCE_LOGIN_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  SALESFORCE_INSTANCE_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  SALESFORCE_CLIENT_ID: optionalText,
  SALESFORCE_CLIENT_SECRET: optionalText,
  SALESFORCE_USERNAME: optionalText,
  SALESFORCE_PRIVATE_KEY: optionalText,
  SALESFORCE_PRIVATE_KEY_FILE: optionalText,
  SALESFORCE_JWT_AUDIENCE: optionalText,
  SALESFORCE_REFRESH_TOKEN: optionalText,
  SALESFORCE_ACCESS_TOKEN: optionalText,
  SALESFORCE_API_VERSION: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9]{2}\.0$/, 'use a version such as 62.0')
      .optional(),
  ),
  SALESFORCE_CONNECTOR_KEY: optionalText,
});

const SANDBOX_SALESFORCE_CONNECTOR_KEY = 'sandbox-salesforce-connector-key';

/** How the server signs in to Salesforce: the client's credentials, or the sandbox's own org. */
export type SalesforceAuthEnv =
  | SalesforceCredentials
  /** The sandbox's fake Salesforce, mounted on this server. */
  | { kind: 'sandbox' };

/** How the server signs in to Zendesk: the client's own auth options. */
export type ZendeskAuthEnv = ZendeskAuth;

export interface ServerEnv {
  mode: 'sandbox' | 'live';
  port: number;
  host: string;
  configPath: string;
  secretsFile: string | undefined;
  dataDir: string;
  runLogRetentionDays: number;
  /** Server-wide cap on upstream response bytes being received at once (all runs together). */
  responseBufferLimitBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * Undefined in sandbox mode (the server's own /sandbox/zendesk, known once it listens), and in
   * a Salesforce-only deployment.
   */
  zendeskBaseUrl: string | undefined;
  zendeskAuth: ZendeskAuthEnv;
  appSharedSecret: string;
  adminToken: string;
  jwtMaxAgeSeconds: number;
  jwtAudience: string | undefined;
  /**
   * Signing secrets of the workflow webhooks (docs/automations.md); a system without one refuses
   * deliveries. Sandbox mode defaults them: Zendesk's documented test secret, and a demo value.
   */
  zendeskWebhookSecret?: string | undefined;
  salesforceWebhookSecret?: string | undefined;
  /** Workflow deliveries run at the same time (default 4). */
  workflowConcurrency?: number;
  salesforce: { auth: SalesforceAuthEnv; apiVersion: string; connectorKey: string } | undefined;
}

export type ParseEnvResult = { ok: true; env: ServerEnv } | { ok: false; problems: string[] };

function parseSalesforce(
  e: z.infer<typeof envSchema>,
  live: boolean,
  problems: string[],
): ServerEnv['salesforce'] {
  const apiVersion = e.SALESFORCE_API_VERSION ?? '62.0';
  if (!e.SALESFORCE_AUTH) {
    return live
      ? undefined
      : { auth: { kind: 'sandbox' }, apiVersion, connectorKey: SANDBOX_SALESFORCE_CONNECTOR_KEY };
  }
  const missing = (names: string[]) =>
    names
      .filter((name) => !e[name as keyof typeof e])
      .map((name) => `${name}: required when SALESFORCE_AUTH=${e.SALESFORCE_AUTH}`);
  if (!e.SALESFORCE_CONNECTOR_KEY || e.SALESFORCE_CONNECTOR_KEY.length < 24) {
    problems.push(
      "SALESFORCE_CONNECTOR_KEY: required, at least 24 characters; the same value goes into the External Credential principal's ApiKey",
    );
  }
  const loginUrl = e.SALESFORCE_LOGIN_URL ?? 'https://login.salesforce.com';
  if (e.SALESFORCE_AUTH === 'jwt') {
    let privateKeyPem = e.SALESFORCE_PRIVATE_KEY?.replaceAll('\\n', '\n');
    if (!privateKeyPem && e.SALESFORCE_PRIVATE_KEY_FILE) {
      try {
        privateKeyPem = readFileSync(e.SALESFORCE_PRIVATE_KEY_FILE, 'utf8');
      } catch (error) {
        problems.push(
          `SALESFORCE_PRIVATE_KEY_FILE: cannot read ${e.SALESFORCE_PRIVATE_KEY_FILE} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    }
    const absent = missing(['SALESFORCE_CLIENT_ID', 'SALESFORCE_USERNAME']);
    if (!privateKeyPem && !e.SALESFORCE_PRIVATE_KEY_FILE) {
      absent.push(
        'SALESFORCE_PRIVATE_KEY or SALESFORCE_PRIVATE_KEY_FILE: required when SALESFORCE_AUTH=jwt',
      );
    }
    problems.push(...absent);
    if (absent.length || !privateKeyPem || !e.SALESFORCE_CONNECTOR_KEY) return undefined;
    return {
      auth: {
        kind: 'jwtBearer',
        loginUrl,
        clientId: e.SALESFORCE_CLIENT_ID as string,
        username: e.SALESFORCE_USERNAME as string,
        privateKeyPem,
        ...(e.SALESFORCE_JWT_AUDIENCE ? { audience: e.SALESFORCE_JWT_AUDIENCE } : {}),
      },
      apiVersion,
      connectorKey: e.SALESFORCE_CONNECTOR_KEY,
    };
  }
  const absent = missing([
    'SALESFORCE_INSTANCE_URL',
    'SALESFORCE_REFRESH_TOKEN',
    'SALESFORCE_CLIENT_ID',
  ]);
  problems.push(...absent);
  if (absent.length || !e.SALESFORCE_CONNECTOR_KEY) return undefined;
  return {
    auth: {
      kind: 'refreshToken',
      instanceUrl: e.SALESFORCE_INSTANCE_URL as string,
      loginUrl,
      clientId: e.SALESFORCE_CLIENT_ID as string,
      refreshToken: e.SALESFORCE_REFRESH_TOKEN as string,
      ...(e.SALESFORCE_CLIENT_SECRET ? { clientSecret: e.SALESFORCE_CLIENT_SECRET } : {}),
      ...(e.SALESFORCE_ACCESS_TOKEN ? { accessToken: e.SALESFORCE_ACCESS_TOKEN } : {}),
    },
    apiVersion,
    connectorKey: e.SALESFORCE_CONNECTOR_KEY,
  };
}

export function parseEnv(raw: NodeJS.ProcessEnv): ParseEnvResult {
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    };
  }
  const e = parsed.data;
  const zendeskConfigured = e.ZENDESK_SUBDOMAIN !== undefined || e.ZENDESK_BASE_URL !== undefined;
  const live = zendeskConfigured || e.SALESFORCE_AUTH !== undefined;
  const problems: string[] = [];
  let zendeskAuth: ZendeskAuthEnv = {
    kind: 'apiToken',
    email: 'admin@sandbox.local',
    apiToken: 'sandbox-zendesk-token',
  };
  if (zendeskConfigured) {
    if (e.ZENDESK_OAUTH_TOKEN) zendeskAuth = { kind: 'oauth', accessToken: e.ZENDESK_OAUTH_TOKEN };
    else if (e.ZENDESK_EMAIL && e.ZENDESK_API_TOKEN) {
      zendeskAuth = { kind: 'apiToken', email: e.ZENDESK_EMAIL, apiToken: e.ZENDESK_API_TOKEN };
    } else {
      problems.push(
        'ZENDESK_EMAIL and ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN): required to reach Zendesk',
      );
    }
    if (!e.ZENDESK_APP_SHARED_SECRET || e.ZENDESK_APP_SHARED_SECRET.length < 32) {
      problems.push(
        'ZENDESK_APP_SHARED_SECRET: required, at least 32 characters; the same value goes into the app\'s "Shared secret" setting',
      );
    }
  }
  if (live && (!e.ADMIN_TOKEN || e.ADMIN_TOKEN.length < 24)) {
    problems.push('ADMIN_TOKEN: required, at least 24 characters (e.g. `openssl rand -hex 24`)');
  }
  const salesforce = parseSalesforce(e, live, problems);
  if (problems.length) return { ok: false, problems };
  const env: ServerEnv = {
    mode: live ? 'live' : 'sandbox',
    port: e.PORT,
    host: e.HOST ?? (live ? '0.0.0.0' : '127.0.0.1'),
    configPath: e.CONNECTORS_CONFIG,
    secretsFile: e.SECRETS_FILE,
    dataDir: e.DATA_DIR,
    runLogRetentionDays: e.RUN_LOG_RETENTION_DAYS,
    responseBufferLimitBytes: e.RESPONSE_BUFFER_LIMIT_MB * 1024 * 1024,
    logLevel: e.LOG_LEVEL,
    zendeskBaseUrl:
      e.ZENDESK_BASE_URL ??
      (e.ZENDESK_SUBDOMAIN ? `https://${e.ZENDESK_SUBDOMAIN}.zendesk.com` : undefined),
    zendeskAuth,
    appSharedSecret: e.ZENDESK_APP_SHARED_SECRET ?? SANDBOX_SHARED_SECRET,
    adminToken: e.ADMIN_TOKEN ?? SANDBOX_ADMIN_TOKEN,
    jwtMaxAgeSeconds: e.JWT_MAX_AGE_SECONDS,
    jwtAudience: e.JWT_AUDIENCE,
    zendeskWebhookSecret:
      e.ZENDESK_WEBHOOK_SECRET ?? (live ? undefined : SANDBOX_ZENDESK_WEBHOOK_SECRET),
    salesforceWebhookSecret:
      e.SALESFORCE_WEBHOOK_SECRET ?? (live ? undefined : SANDBOX_SALESFORCE_WEBHOOK_SECRET),
    workflowConcurrency: e.WORKFLOW_CONCURRENCY,
    salesforce,
  };
  return { ok: true, env: Object.freeze(env) };
}
