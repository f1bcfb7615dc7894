import * as z from 'zod';

/**
 * The environment is parsed once at boot into a frozen object; nothing else reads process.env.
 * With no Zendesk account configured the server runs in sandbox mode: a local Zendesk-compatible
 * API, a demo upstream and well-known development credentials, so `npm start` needs nothing.
 */

const SANDBOX_SHARED_SECRET = 'sandbox-shared-secret-change-me-0001';
const SANDBOX_ADMIN_TOKEN = 'sandbox-admin-token';

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
});

export type ZendeskAuthEnv =
  { kind: 'apiToken'; email: string; apiToken: string } | { kind: 'oauth'; accessToken: string };

export interface ServerEnv {
  mode: 'sandbox' | 'live';
  port: number;
  host: string;
  configPath: string;
  secretsFile: string | undefined;
  dataDir: string;
  runLogRetentionDays: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Undefined in sandbox mode until the server knows its own port. */
  zendeskBaseUrl: string | undefined;
  zendeskAuth: ZendeskAuthEnv;
  appSharedSecret: string;
  adminToken: string;
  jwtMaxAgeSeconds: number;
  jwtAudience: string | undefined;
}

export type ParseEnvResult = { ok: true; env: ServerEnv } | { ok: false; problems: string[] };

export function parseEnv(raw: NodeJS.ProcessEnv): ParseEnvResult {
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    };
  }
  const e = parsed.data;
  const live = e.ZENDESK_SUBDOMAIN !== undefined || e.ZENDESK_BASE_URL !== undefined;
  const problems: string[] = [];
  let zendeskAuth: ZendeskAuthEnv = {
    kind: 'apiToken',
    email: 'admin@sandbox.local',
    apiToken: 'sandbox-zendesk-token',
  };
  if (live) {
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
    if (!e.ADMIN_TOKEN || e.ADMIN_TOKEN.length < 24) {
      problems.push('ADMIN_TOKEN: required, at least 24 characters (e.g. `openssl rand -hex 24`)');
    }
  }
  if (problems.length) return { ok: false, problems };
  const env: ServerEnv = {
    mode: live ? 'live' : 'sandbox',
    port: e.PORT,
    host: e.HOST ?? (live ? '0.0.0.0' : '127.0.0.1'),
    configPath: e.CONNECTORS_CONFIG,
    secretsFile: e.SECRETS_FILE,
    dataDir: e.DATA_DIR,
    runLogRetentionDays: e.RUN_LOG_RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
    zendeskBaseUrl:
      e.ZENDESK_BASE_URL ??
      (e.ZENDESK_SUBDOMAIN ? `https://${e.ZENDESK_SUBDOMAIN}.zendesk.com` : undefined),
    zendeskAuth,
    appSharedSecret: e.ZENDESK_APP_SHARED_SECRET ?? SANDBOX_SHARED_SECRET,
    adminToken: e.ADMIN_TOKEN ?? SANDBOX_ADMIN_TOKEN,
    jwtMaxAgeSeconds: e.JWT_MAX_AGE_SECONDS,
    jwtAudience: e.JWT_AUDIENCE,
  };
  return { ok: true, env: Object.freeze(env) };
}
