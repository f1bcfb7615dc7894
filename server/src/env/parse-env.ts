import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { rateLimitOf } from '../http/rate-limit';
import type { RateLimits } from '../http/rate-limit';
import type { SalesforceCredentials } from '../helpdesks/salesforce/client/salesforce-auth';
import { SANDBOX_ZENDESK_APP } from './sandbox-defaults';
import type { ZendeskAuth } from '../helpdesks/zendesk/client/zendesk-client';
import type { Result } from '../../../shared/src/result';
import { decodeTokenKey, deriveSandboxTokenKey } from '../secrets/token-cipher';
import type { TokenEncryption } from '../secrets/token-cipher';

/**
 * The environment is parsed once at boot into a frozen object; nothing else reads process.env.
 * With no Zendesk account configured the server runs in sandbox mode: a local Zendesk-compatible
 * API, a demo upstream and well-known development credentials, so `npm start` needs nothing.
 */

const SANDBOX_ADMIN_TOKEN = 'sandbox-admin-token';
/** Zendesk's documented test signing secret, used as UTF-8 text (it is not decoded). */
const SANDBOX_ZENDESK_WEBHOOK_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
const SANDBOX_SALESFORCE_WEBHOOK_SECRET = 'sandbox-salesforce-webhook-secret';

/** `support@acme.com` or `Acme Support <support@acme.com>`: what a From header may hold. */
function isMailbox(value: string): boolean {
  const address = /^[^<>]*<([^<>]+)>$/.exec(value)?.[1] ?? value;
  return z.email().safeParse(address).success;
}

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
  // Several instances share one PostgreSQL (docs/deploy.md); unset, every store is SQLite in DATA_DIR.
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(
        /^postgres(ql)?:\/\/\S+$/,
        'use a PostgreSQL connection URL, e.g. postgres://connectors:PASSWORD@db:5432/connectors',
      )
      .optional(),
  ),
  // Connections each instance may hold; the instances together must stay under max_connections.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  DATABASE_SCHEMA: optionalText.pipe(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'use a lower-case SQL identifier, e.g. "connectors"')
      .optional(),
  ),
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
  // Expiring OAuth tokens: the server refreshes them itself (docs/zendesk.md).
  ZENDESK_OAUTH_REFRESH_TOKEN: optionalText,
  ZENDESK_OAUTH_CLIENT_ID: optionalText,
  ZENDESK_OAUTH_CLIENT_SECRET: optionalText,
  // The sidebar app as installed in Zendesk (signed URLs): its id, its installation(s), and,
  // optionally, its public key pinned instead of fetched from Zendesk.
  ZENDESK_APP_ID: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9]{1,16}$/, 'use the numeric app id zcli apps:create printed')
      .transform(Number)
      .optional(),
  ),
  ZENDESK_APP_INSTALLATION_ID: optionalText.pipe(
    z
      .string()
      .regex(
        /^[0-9]{1,16}(,[0-9]{1,16})*$/,
        'use the numeric installation id (or ids, comma-separated)',
      )
      .transform((value) => value.split(',').map(Number))
      .optional(),
  ),
  ZENDESK_APP_PUBLIC_KEY: optionalText,
  ZENDESK_APP_PUBLIC_KEY_FILE: optionalText,
  ZENDESK_ACCOUNT_HOST: optionalText.pipe(
    z
      .string()
      .regex(/^[a-z0-9.-]+$/, 'use the account host only, e.g. "acme.zendesk.com"')
      .optional(),
  ),
  APP_SESSION_SECRET: optionalText.pipe(
    z.string().min(32, 'use at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  ),
  ZENDESK_ACCESS_CACHE_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
  ZENDESK_APP_SHARED_SECRET: optionalText,
  JWT_MAX_AGE_SECONDS: optionalText,
  JWT_AUDIENCE: optionalText,
  ADMIN_TOKEN: optionalText,
  ZENDESK_WEBHOOK_SECRET: optionalText,
  SALESFORCE_WEBHOOK_SECRET: optionalText,
  RATE_LIMIT_READS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(300),
  RATE_LIMIT_RUNS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(60),
  RATE_LIMIT_WEBHOOKS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(600),
  // Deliveries in flight. Bulk jobs gather the writes of the deliveries running at once, so a
  // burst fills a Zendesk job only with enough of them (docs/performance.md).
  WORKFLOW_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  HELPDESK_BULK_WRITES: optionalText.pipe(z.enum(['on', 'off']).optional()),
  // How long a claimed delivery stays an instance's without renewal: after a crash (SIGKILL, a
  // lost host) another instance takes its deliveries over once it runs out.
  WORKFLOW_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
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
  // OAuth tokens at rest (docs/security.md: authorization code connections and the Zendesk refresh
  // grant): the key they are sealed with, the one before it during a rotation, and the address browsers reach this server at.
  TOKEN_ENCRYPTION_KEY: optionalText,
  TOKEN_ENCRYPTION_KEY_PREVIOUS: optionalText,
  PUBLIC_URL: optionalText.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: 'use the address browsers open, e.g. https://connectors.example.com',
      })
      .refine((value) => !/[?#]/.test(value), 'use the scheme, host and optional path only')
      .transform((value) => value.replace(/\/+$/, ''))
      .optional(),
  ),
  // Customer verification by email code (docs/ai-agents.md): the code and how long it counts.
  VERIFICATION_CODE_DIGITS: z.coerce.number().int().min(4).max(10).default(6),
  VERIFICATION_CODE_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  VERIFICATION_MAX_TRIES: z.coerce.number().int().min(1).max(20).default(3),
  VERIFICATION_VERIFIED_MINUTES: z.coerce.number().int().min(0).max(10_080).default(30),
  // The mail server that sends customers their verification codes (verification/).
  SMTP_HOST: optionalText.pipe(
    z
      .string()
      .regex(
        /^[A-Za-z0-9.:-]+$/,
        'use the mail server\'s host name only, e.g. "smtp.example.com" (no scheme; the port goes in SMTP_PORT)',
      )
      .optional(),
  ),
  SMTP_PORT: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9]{1,5}$/, 'use a port number, e.g. 587 (STARTTLS) or 465 (TLS from the start)')
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, 'use a port from 1 to 65535')
          .max(65_535, 'use a port from 1 to 65535'),
      )
      .optional(),
  ),
  SMTP_SECURE: optionalText.pipe(
    z
      .enum(['true', 'false'], {
        error: 'use true (TLS from the start, port 465) or false (STARTTLS, port 587)',
      })
      .optional(),
  ),
  SMTP_USER: optionalText,
  SMTP_PASSWORD: optionalText,
  MAIL_FROM: optionalText.pipe(
    z
      .string()
      .refine(
        isMailbox,
        'use an address, or a name and an address in angle brackets: "Acme Support <support@acme.com>"',
      )
      .optional(),
  ),
});

/** Every variable the server reads by name (`SECRET_<NAME>` aside), for docs that list them. */
export const ENV_VARIABLE_NAMES: readonly string[] = Object.keys(envSchema.shape);

const SANDBOX_SALESFORCE_CONNECTOR_KEY = 'sandbox-salesforce-connector-key';

/** How the server signs in to Salesforce: the client's credentials, or the sandbox's own org. */
export type SalesforceAuthEnv =
  | SalesforceCredentials
  /** The sandbox's fake Salesforce, mounted on this server. */
  | { kind: 'sandbox' };

/**
 * How customers' verification codes are mailed: through an SMTP server, or, in sandbox mode
 * without one, to the sandbox's own mail catcher (`/sandbox/mail`).
 */
export type MailEnv = ({ kind: 'smtp' } & SmtpEnv) | { kind: 'sandbox'; from: string };

/** A mail server as the environment names it (SMTP_*, MAIL_FROM). */
export interface SmtpEnv {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise the connection is upgraded with STARTTLS. */
  secure: boolean;
  user?: string;
  password?: string;
  /** The sender: `support@acme.com` or `Acme Support <support@acme.com>`. */
  from: string;
}

/**
 * How the server signs in to Zendesk: the client's fixed auth options, or an OAuth refresh grant
 * (the client then gets a token source built from it, zendesk-oauth-refresh.ts).
 */
export type ZendeskAuthEnv =
  | Exclude<ZendeskAuth, { kind: 'oauthRefresh' }>
  | {
      kind: 'oauthRefresh';
      clientId: string;
      clientSecret: string;
      refreshToken: string;
      /** ZENDESK_OAUTH_TOKEN, when also set: used until it is refused. */
      accessToken?: string;
    };

export interface ServerEnv {
  mode: 'sandbox' | 'live';
  port: number;
  host: string;
  configPath: string;
  secretsFile: string | undefined;
  dataDir: string;
  runLogRetentionDays: number;
  /** PostgreSQL for every store (several instances); undefined: SQLite files in dataDir. */
  database?: { url: string; schema: string; poolSize?: number };
  /** Customer verification by email code: digits, lifetime, tries, how long it counts. */
  verification?: {
    codeDigits: number;
    codeValidSeconds: number;
    maxTries: number;
    verifiedForSeconds: number;
  };
  /** Server-wide cap on upstream response bytes being received at once (all runs together). */
  responseBufferLimitBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * Undefined in sandbox mode (the server's own /sandbox/zendesk, known once it listens), and in
   * a Salesforce-only deployment.
   */
  zendeskBaseUrl: string | undefined;
  zendeskAuth: ZendeskAuthEnv;
  /**
   * The sidebar app as installed in Zendesk: whose signed page loads start agent sessions.
   * Undefined until ZENDESK_APP_ID and ZENDESK_APP_INSTALLATION_ID are set (the sidebar then
   * says it is not set up); the sandbox's own app in sandbox mode.
   */
  zendeskApp:
    | {
        appId: number;
        installationIds: number[];
        /** `<subdomain>.zendesk.com`: the signed tokens' issuer and the page's frame ancestor. */
        accountHost: string;
        publicKeyPem?: string;
      }
    | undefined;
  /** Signs sidebar sessions; undefined: a random key kept in the data folder. */
  sessionSecret: string | undefined;
  /** How long what Zendesk says an agent may see is reused (seconds). */
  agentAccessCacheSeconds: number;
  /** Per-caller limits of the API, the Salesforce endpoints and webhooks (0: no limit). */
  rateLimits: RateLimits;
  adminToken: string;
  /** Variables that are set but no longer do anything, for a warning at start. */
  obsolete: string[];
  /**
   * Signing secrets of the workflow webhooks (docs/automations.md); a system without one refuses
   * deliveries. Sandbox mode defaults them: Zendesk's documented test secret, and a demo value.
   */
  zendeskWebhookSecret?: string | undefined;
  salesforceWebhookSecret?: string | undefined;
  /** Workflow deliveries run at the same time (default 32). */
  workflowConcurrency?: number;
  /**
   * Automation's write-backs gathered into bulk calls (Zendesk update_many jobs, Salesforce
   * sObject Collections); agents' writes are never batched. Default on.
   */
  bulkWrites?: boolean;
  /** How long a claimed delivery is held without renewal (default 60 s), in ms. */
  workflowLeaseMs?: number;
  salesforce: { auth: SalesforceAuthEnv; apiVersion: string; connectorKey: string } | undefined;
  /**
   * Where verification codes are mailed; undefined on a live server without SMTP_HOST, which
   * then sends none.
   */
  mail?: MailEnv | undefined;
  /**
   * Seals OAuth tokens at rest (secrets/token-cipher.ts): authorization code connections' and
   * the server's rotated Zendesk refresh token. Undefined on a live server without
   * TOKEN_ENCRYPTION_KEY: authorization code connections cannot be connected there, and the
   * Zendesk refresh grant is refused. The sandbox derives a public default (`sandboxDefault`),
   * which the start banner points out.
   */
  tokenEncryption?: TokenEncryption | undefined;
  /**
   * The address browsers reach this server at (PUBLIC_URL, behind a TLS proxy): OAuth redirect
   * URIs are built from it. Default: the address the server listens on.
   */
  publicUrl?: string | undefined;
}

/** The environment, or every problem with it (one line each, naming the variable). */
export type ParseEnvResult = Result<ServerEnv, { problems: string[] }>;

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

const SANDBOX_MAIL_FROM = 'Data Connectors sandbox <verification@sandbox.invalid>';
const SMTP_SETTINGS = ['SMTP_PORT', 'SMTP_SECURE', 'SMTP_USER', 'SMTP_PASSWORD'] as const;

function parseMail(
  e: z.infer<typeof envSchema>,
  live: boolean,
  problems: string[],
): ServerEnv['mail'] {
  if (!e.SMTP_HOST) {
    // Settings for a server that is not named would be silently ignored: say so instead.
    const orphans = [...SMTP_SETTINGS, ...(live ? (['MAIL_FROM'] as const) : [])].filter(
      (name) => e[name] !== undefined,
    );
    if (orphans.length) {
      problems.push(
        `${orphans.join(', ')}: ${orphans.length === 1 ? 'is' : 'are'} used only with SMTP_HOST; set SMTP_HOST (the mail server) or remove ${orphans.length === 1 ? 'it' : 'them'}`,
      );
    }
    return live ? undefined : { kind: 'sandbox', from: e.MAIL_FROM ?? SANDBOX_MAIL_FROM };
  }
  let usable = true;
  if (!e.MAIL_FROM) {
    problems.push(
      'MAIL_FROM: required when SMTP_HOST is set: the sender of verification emails, e.g. "Acme Support <support@acme.com>"',
    );
    usable = false;
  }
  if ((e.SMTP_USER === undefined) !== (e.SMTP_PASSWORD === undefined)) {
    problems.push(
      "SMTP_USER and SMTP_PASSWORD: set both (the mail server's login) or neither (a server that needs none)",
    );
    usable = false;
  }
  if (!usable || !e.MAIL_FROM) return undefined;
  // Port 465 speaks TLS from the first byte; 587 (the default) upgrades with STARTTLS.
  const secure = e.SMTP_SECURE === undefined ? e.SMTP_PORT === 465 : e.SMTP_SECURE === 'true';
  return {
    kind: 'smtp',
    host: e.SMTP_HOST,
    port: e.SMTP_PORT ?? (secure ? 465 : 587),
    secure,
    ...(e.SMTP_USER === undefined ? {} : { user: e.SMTP_USER }),
    ...(e.SMTP_PASSWORD === undefined ? {} : { password: e.SMTP_PASSWORD }),
    from: e.MAIL_FROM,
  };
}

function parseTokenEncryption(
  e: z.infer<typeof envSchema>,
  live: boolean,
  problems: string[],
): ServerEnv['tokenEncryption'] {
  const decode = (name: 'TOKEN_ENCRYPTION_KEY' | 'TOKEN_ENCRYPTION_KEY_PREVIOUS') => {
    const text = e[name];
    if (text === undefined) return undefined;
    const decoded = decodeTokenKey(text);
    if (!decoded.ok) problems.push(`${name}: ${decoded.error}`);
    return decoded.ok ? decoded.value : undefined;
  };
  const key = decode('TOKEN_ENCRYPTION_KEY');
  const previous = decode('TOKEN_ENCRYPTION_KEY_PREVIOUS');
  if (previous !== undefined && e.TOKEN_ENCRYPTION_KEY === undefined) {
    problems.push(
      'TOKEN_ENCRYPTION_KEY_PREVIOUS: used only with TOKEN_ENCRYPTION_KEY (the new key); set both during a rotation',
    );
  }
  if (key !== undefined) {
    return { key, previous: previous === undefined ? [] : [previous], sandboxDefault: false };
  }
  if (e.TOKEN_ENCRYPTION_KEY !== undefined) return undefined;
  return live ? undefined : { key: deriveSandboxTokenKey(), previous: [], sandboxDefault: true };
}

/** The mail server's password, masked wherever the server writes, like the helpdesks' secrets. */
export function mailSecretsOf(env: ServerEnv): readonly string[] {
  return env.mail?.kind === 'smtp' && env.mail.password !== undefined ? [env.mail.password] : [];
}

/** The account host a Zendesk base URL names (`acme.zendesk.com`). */
function accountHostOf(e: z.infer<typeof envSchema>): string | undefined {
  if (e.ZENDESK_ACCOUNT_HOST) return e.ZENDESK_ACCOUNT_HOST;
  if (e.ZENDESK_SUBDOMAIN) return `${e.ZENDESK_SUBDOMAIN}.zendesk.com`;
  return e.ZENDESK_BASE_URL ? new URL(e.ZENDESK_BASE_URL).hostname : undefined;
}

/**
 * The sidebar's signed-URL settings. In sandbox mode, the sandbox account's own app (its key
 * pair lives in the fake Zendesk, in memory); in live mode nothing falls back to it.
 */
function parseZendeskApp(
  e: z.infer<typeof envSchema>,
  zendeskConfigured: boolean,
  problems: string[],
): ServerEnv['zendeskApp'] {
  if (!zendeskConfigured) {
    return e.SALESFORCE_AUTH !== undefined
      ? undefined
      : {
          appId: SANDBOX_ZENDESK_APP.appId,
          installationIds: [SANDBOX_ZENDESK_APP.installationId],
          accountHost: `${SANDBOX_ZENDESK_APP.subdomain}.zendesk.com`,
        };
  }
  const appId = e.ZENDESK_APP_ID;
  const installationIds = e.ZENDESK_APP_INSTALLATION_ID;
  if (appId === undefined && installationIds === undefined) return undefined;
  if (appId === undefined || installationIds === undefined) {
    problems.push(
      'ZENDESK_APP_ID and ZENDESK_APP_INSTALLATION_ID: set both (zcli apps:create prints them) to enable the sidebar, or neither',
    );
    return undefined;
  }
  let publicKeyPem = e.ZENDESK_APP_PUBLIC_KEY?.replaceAll('\\n', '\n');
  if (!publicKeyPem && e.ZENDESK_APP_PUBLIC_KEY_FILE) {
    try {
      publicKeyPem = readFileSync(e.ZENDESK_APP_PUBLIC_KEY_FILE, 'utf8');
    } catch (error) {
      problems.push(
        `ZENDESK_APP_PUBLIC_KEY_FILE: cannot read ${e.ZENDESK_APP_PUBLIC_KEY_FILE} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (publicKeyPem !== undefined && !publicKeyPem.includes('-----BEGIN PUBLIC KEY-----')) {
    problems.push('ZENDESK_APP_PUBLIC_KEY: must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  return {
    appId,
    installationIds,
    accountHost: accountHostOf(e) ?? '',
    ...(publicKeyPem === undefined ? {} : { publicKeyPem }),
  };
}

/**
 * The sandbox's credentials are in this repository (and Zendesk's test signing secret is in its
 * docs), so anyone could present or sign with them. In live mode none of the values that prove
 * a caller to this server may be one of them: a copied sandbox value is refused at start. (The
 * sandbox's Zendesk API token is not among them: it proves nothing to this server, and a real
 * Zendesk refuses it.)
 */
function refusePublicValues(e: z.infer<typeof envSchema>): string[] {
  const publicValues = new Set<string>([
    SANDBOX_ADMIN_TOKEN,
    SANDBOX_ZENDESK_WEBHOOK_SECRET,
    SANDBOX_SALESFORCE_WEBHOOK_SECRET,
    SANDBOX_SALESFORCE_CONNECTOR_KEY,
  ]);
  const names = [
    'ADMIN_TOKEN',
    'ZENDESK_WEBHOOK_SECRET',
    'SALESFORCE_WEBHOOK_SECRET',
    'SALESFORCE_CONNECTOR_KEY',
    'APP_SESSION_SECRET',
  ] as const;
  return names
    .filter((name) => {
      const value = e[name];
      return value !== undefined && publicValues.has(value);
    })
    .map(
      (name) =>
        `${name}: this is a public sandbox value; in live mode use your own (e.g. \`openssl rand -hex 32\`, or the secret Zendesk generated for the webhook)`,
    );
}

const REFRESH_GRANT_VARIABLES = [
  'ZENDESK_OAUTH_REFRESH_TOKEN',
  'ZENDESK_OAUTH_CLIENT_ID',
  'ZENDESK_OAUTH_CLIENT_SECRET',
] as const;

/**
 * The three refresh-grant variables come together: with only some, the server would start and
 * fail at the first expiry, so it says at start which ones are missing. Rotated refresh tokens
 * must be stored encrypted (Zendesk deletes the old one), hence TOKEN_ENCRYPTION_KEY.
 */
function parseZendeskRefreshGrant(
  e: z.infer<typeof envSchema>,
  hasEncryptionKey: boolean,
  problems: string[],
): Extract<ZendeskAuthEnv, { kind: 'oauthRefresh' }> | undefined {
  const missing = REFRESH_GRANT_VARIABLES.filter((name) => !e[name]);
  if (missing.length === REFRESH_GRANT_VARIABLES.length) return undefined;
  if (missing.length > 0) {
    problems.push(
      `${missing.join(', ')}: required with ${REFRESH_GRANT_VARIABLES.filter((name) => e[name]).join(', ')} (Zendesk's OAuth refresh grant needs the refresh token, client id and client secret)`,
    );
    return undefined;
  }
  if (!hasEncryptionKey) {
    problems.push(
      'TOKEN_ENCRYPTION_KEY: required with ZENDESK_OAUTH_REFRESH_TOKEN, to store the rotated refresh token encrypted (openssl rand -base64 32)',
    );
    return undefined;
  }
  return {
    kind: 'oauthRefresh',
    clientId: e.ZENDESK_OAUTH_CLIENT_ID as string,
    clientSecret: e.ZENDESK_OAUTH_CLIENT_SECRET as string,
    refreshToken: e.ZENDESK_OAUTH_REFRESH_TOKEN as string,
    ...(e.ZENDESK_OAUTH_TOKEN ? { accessToken: e.ZENDESK_OAUTH_TOKEN } : {}),
  };
}

export function parseEnv(raw: NodeJS.ProcessEnv): ParseEnvResult {
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      },
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
  const tokenEncryption = parseTokenEncryption(e, live, problems);
  const refreshGrant = parseZendeskRefreshGrant(e, tokenEncryption !== undefined, problems);
  if (zendeskConfigured) {
    if (refreshGrant) zendeskAuth = refreshGrant;
    else if (e.ZENDESK_OAUTH_TOKEN) {
      zendeskAuth = { kind: 'oauth', accessToken: e.ZENDESK_OAUTH_TOKEN };
    } else if (e.ZENDESK_EMAIL && e.ZENDESK_API_TOKEN) {
      zendeskAuth = { kind: 'apiToken', email: e.ZENDESK_EMAIL, apiToken: e.ZENDESK_API_TOKEN };
    } else if (!REFRESH_GRANT_VARIABLES.some((name) => e[name])) {
      // (A partial refresh grant has already been reported, naming what it lacks.)
      problems.push(
        'ZENDESK_EMAIL and ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN, or the ZENDESK_OAUTH_REFRESH_TOKEN grant): required to reach Zendesk',
      );
    }
  }
  const zendeskApp = parseZendeskApp(e, zendeskConfigured, problems);
  if (live && (!e.ADMIN_TOKEN || e.ADMIN_TOKEN.length < 24)) {
    problems.push('ADMIN_TOKEN: required, at least 24 characters (e.g. `openssl rand -hex 24`)');
  }
  const salesforce = parseSalesforce(e, live, problems);
  const mail = parseMail(e, live, problems);
  if (live) problems.push(...refusePublicValues(e));
  if (problems.length) return { ok: false, error: { problems } };
  const env: ServerEnv = {
    mode: live ? 'live' : 'sandbox',
    port: e.PORT,
    host: e.HOST ?? (live ? '0.0.0.0' : '127.0.0.1'),
    configPath: e.CONNECTORS_CONFIG,
    secretsFile: e.SECRETS_FILE,
    dataDir: e.DATA_DIR,
    runLogRetentionDays: e.RUN_LOG_RETENTION_DAYS,
    ...(e.DATABASE_URL
      ? {
          database: {
            url: e.DATABASE_URL,
            schema: e.DATABASE_SCHEMA ?? 'public',
            poolSize: e.DATABASE_POOL_SIZE,
          },
        }
      : {}),
    verification: {
      codeDigits: e.VERIFICATION_CODE_DIGITS,
      codeValidSeconds: e.VERIFICATION_CODE_MINUTES * 60,
      maxTries: e.VERIFICATION_MAX_TRIES,
      verifiedForSeconds: e.VERIFICATION_VERIFIED_MINUTES * 60,
    },
    responseBufferLimitBytes: e.RESPONSE_BUFFER_LIMIT_MB * 1024 * 1024,
    logLevel: e.LOG_LEVEL,
    zendeskBaseUrl:
      e.ZENDESK_BASE_URL ??
      (e.ZENDESK_SUBDOMAIN ? `https://${e.ZENDESK_SUBDOMAIN}.zendesk.com` : undefined),
    zendeskAuth,
    zendeskApp,
    sessionSecret: e.APP_SESSION_SECRET,
    agentAccessCacheSeconds: e.ZENDESK_ACCESS_CACHE_SECONDS,
    rateLimits: {
      read: rateLimitOf(e.RATE_LIMIT_READS_PER_MINUTE),
      run: rateLimitOf(e.RATE_LIMIT_RUNS_PER_MINUTE),
      webhook: rateLimitOf(e.RATE_LIMIT_WEBHOOKS_PER_MINUTE),
    },
    adminToken: e.ADMIN_TOKEN ?? SANDBOX_ADMIN_TOKEN,
    obsolete: (
      ['ZENDESK_APP_SHARED_SECRET', 'JWT_MAX_AGE_SECONDS', 'JWT_AUDIENCE'] as const
    ).filter((name) => e[name] !== undefined),
    zendeskWebhookSecret:
      e.ZENDESK_WEBHOOK_SECRET ?? (live ? undefined : SANDBOX_ZENDESK_WEBHOOK_SECRET),
    salesforceWebhookSecret:
      e.SALESFORCE_WEBHOOK_SECRET ?? (live ? undefined : SANDBOX_SALESFORCE_WEBHOOK_SECRET),
    workflowConcurrency: e.WORKFLOW_CONCURRENCY,
    bulkWrites: e.HELPDESK_BULK_WRITES !== 'off',
    workflowLeaseMs: e.WORKFLOW_LEASE_SECONDS * 1000,
    salesforce,
    mail,
    tokenEncryption,
    publicUrl: e.PUBLIC_URL,
  };
  return { ok: true, value: Object.freeze(env) };
}
