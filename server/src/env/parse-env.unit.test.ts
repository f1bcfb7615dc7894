import { describe, expect, it } from 'vitest';
import { ENV_VARIABLE_NAMES, mailSecretsOf, parseEnv } from './parse-env';
import type { ServerEnv } from './parse-env';

const ADMIN_TOKEN = 'a-real-admin-token-0123456789abcdef';
const CONNECTOR_KEY = 'a-real-connector-key-0123456789abcdef';

const ZENDESK_LIVE = {
  ZENDESK_SUBDOMAIN: 'acme',
  ZENDESK_EMAIL: 'integration@acme.com',
  ZENDESK_API_TOKEN: 'a-real-zendesk-api-token',
  ADMIN_TOKEN,
};

const SALESFORCE_ONLY = {
  SALESFORCE_AUTH: 'refresh_token',
  SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com',
  SALESFORCE_CLIENT_ID: '3MVG9-client-id',
  SALESFORCE_REFRESH_TOKEN: '5Aep-refresh-token',
  SALESFORCE_CONNECTOR_KEY: CONNECTOR_KEY,
  ADMIN_TOKEN,
};

function envOf(raw: Record<string, string>): ServerEnv {
  const parsed = parseEnv(raw);
  if (!parsed.ok) throw new Error(parsed.error.problems.join('\n'));
  return parsed.value;
}

function problemsOf(raw: Record<string, string>): string[] {
  const parsed = parseEnv(raw);
  if (parsed.ok) throw new Error('expected the environment to be refused');
  return parsed.error.problems;
}

describe('parseEnv', () => {
  it('runs the sandbox with its own public values when nothing is configured', () => {
    const env = envOf({});
    expect(env.mode).toBe('sandbox');
    expect(env.host).toBe('127.0.0.1');
    expect(env.zendeskApp).toMatchObject({ appId: 1001, installationIds: [2001] });
    expect(env.adminToken).toBe('sandbox-admin-token');
    expect(env.zendeskWebhookSecret).toBeDefined();
    expect(env.salesforce).toMatchObject({ auth: { kind: 'sandbox' } });
  });

  it('falls back to no sandbox value on a Salesforce-only live server', () => {
    const env = envOf(SALESFORCE_ONLY);
    expect(env.mode).toBe('live');
    // No sidebar sessions at all: nothing signed with the sandbox app's key is accepted.
    expect(env.zendeskApp).toBeUndefined();
    expect(env.zendeskBaseUrl).toBeUndefined();
    expect(env.zendeskWebhookSecret).toBeUndefined();
    expect(env.salesforceWebhookSecret).toBeUndefined();
    expect(env.adminToken).toBe(ADMIN_TOKEN);
    expect(env.salesforce?.connectorKey).toBe(CONNECTOR_KEY);
  });

  it('puts every store on PostgreSQL with DATABASE_URL, and names what is wrong with its settings', () => {
    expect(envOf({}).database).toBeUndefined();
    expect(
      envOf({ DATABASE_URL: 'postgres://app:pw@db:5432/connectors', DATABASE_SCHEMA: 'prod' })
        .database,
    ).toEqual({ url: 'postgres://app:pw@db:5432/connectors', schema: 'prod', poolSize: 10 });
    expect(envOf({ DATABASE_URL: 'postgresql://db/x' }).database?.schema).toBe('public');
    const problems = problemsOf({
      DATABASE_URL: 'mysql://db/x',
      DATABASE_SCHEMA: 'Prod; DROP',
      DATABASE_POOL_SIZE: '1',
    }).join('\n');
    expect(problems).toMatch(/DATABASE_URL: use a PostgreSQL connection URL/);
    expect(problems).toMatch(/DATABASE_SCHEMA: use a lower-case SQL identifier/);
    expect(problems).toMatch(/DATABASE_POOL_SIZE/);
  });

  it('requires a real admin token in live mode', () => {
    const { ADMIN_TOKEN: _omitted, ...withoutToken } = ZENDESK_LIVE;
    expect(problemsOf(withoutToken)).toEqual([expect.stringMatching(/^ADMIN_TOKEN: required/)]);
  });

  it('refuses every public sandbox value in live mode, naming the variable', () => {
    const problems = problemsOf({
      ...ZENDESK_LIVE,
      ZENDESK_WEBHOOK_SECRET: 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==',
      SALESFORCE_WEBHOOK_SECRET: 'sandbox-salesforce-webhook-secret',
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'ZENDESK_WEBHOOK_SECRET',
      'SALESFORCE_WEBHOOK_SECRET',
    ]);
    expect(problems[0]).toContain('public sandbox value');
    expect(
      problemsOf({
        ...SALESFORCE_ONLY,
        SALESFORCE_CONNECTOR_KEY: 'sandbox-salesforce-connector-key',
      }),
    ).toEqual([expect.stringMatching(/^SALESFORCE_CONNECTOR_KEY: this is a public sandbox value/)]);
  });

  it('enables the sidebar only with both app ids, and says so when one is missing', () => {
    expect(envOf(ZENDESK_LIVE).zendeskApp).toBeUndefined();
    expect(
      envOf({ ...ZENDESK_LIVE, ZENDESK_APP_ID: '123', ZENDESK_APP_INSTALLATION_ID: '456,789' })
        .zendeskApp,
    ).toEqual({ appId: 123, installationIds: [456, 789], accountHost: 'acme.zendesk.com' });
    expect(problemsOf({ ...ZENDESK_LIVE, ZENDESK_APP_ID: '123' })).toEqual([
      expect.stringMatching(/^ZENDESK_APP_ID and ZENDESK_APP_INSTALLATION_ID: set both/),
    ]);
  });

  describe('Zendesk OAuth refresh grant', () => {
    const GRANT = {
      ZENDESK_OAUTH_REFRESH_TOKEN: 'zendesk-refresh-token',
      ZENDESK_OAUTH_CLIENT_ID: 'data_connectors',
      ZENDESK_OAUTH_CLIENT_SECRET: 'zendesk-client-secret',
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    };
    const { ZENDESK_EMAIL: _email, ZENDESK_API_TOKEN: _token, ...zendeskOnly } = ZENDESK_LIVE;

    it('signs in with the refresh grant when all three variables and the key are set', () => {
      const env = envOf({ ...zendeskOnly, ...GRANT });
      expect(env.zendeskAuth).toEqual({
        kind: 'oauthRefresh',
        clientId: 'data_connectors',
        clientSecret: 'zendesk-client-secret',
        refreshToken: 'zendesk-refresh-token',
      });
      expect(env.tokenEncryption).toEqual({
        key: Buffer.alloc(32, 1),
        previous: [],
        sandboxDefault: false,
      });
    });

    it('names the grant variables that are missing', () => {
      const { ZENDESK_OAUTH_CLIENT_SECRET: _secret, ...withoutSecret } = GRANT;
      expect(problemsOf({ ...zendeskOnly, ...withoutSecret })).toEqual([
        expect.stringMatching(
          /^ZENDESK_OAUTH_CLIENT_SECRET: required with ZENDESK_OAUTH_REFRESH_TOKEN, ZENDESK_OAUTH_CLIENT_ID/,
        ),
      ]);
      expect(
        problemsOf({
          ...zendeskOnly,
          ZENDESK_OAUTH_REFRESH_TOKEN: 'r',
          TOKEN_ENCRYPTION_KEY: GRANT.TOKEN_ENCRYPTION_KEY,
        }),
      ).toEqual([
        expect.stringMatching(/^ZENDESK_OAUTH_CLIENT_ID, ZENDESK_OAUTH_CLIENT_SECRET: required/),
      ]);
    });

    it('requires a valid TOKEN_ENCRYPTION_KEY to store the rotated refresh token', () => {
      const { TOKEN_ENCRYPTION_KEY: _key, ...withoutKey } = GRANT;
      expect(problemsOf({ ...zendeskOnly, ...withoutKey })).toEqual([
        expect.stringMatching(/^TOKEN_ENCRYPTION_KEY: required with ZENDESK_OAUTH_REFRESH_TOKEN/),
      ]);
      expect(problemsOf({ ...zendeskOnly, ...GRANT, TOKEN_ENCRYPTION_KEY: 'too-short' })).toEqual([
        expect.stringMatching(/^TOKEN_ENCRYPTION_KEY: decodes to \d+ bytes, not 32/),
        expect.stringMatching(/^TOKEN_ENCRYPTION_KEY: required with/),
      ]);
    });
  });

  it('reads the rate limits, 0 meaning no limit', () => {
    const env = envOf({ RATE_LIMIT_RUNS_PER_MINUTE: '0', RATE_LIMIT_READS_PER_MINUTE: '90' });
    expect(env.rateLimits).toEqual({
      run: { perMinute: 0, burst: 1 },
      read: { perMinute: 90, burst: 30 },
      webhook: { perMinute: 600, burst: 200 },
    });
    expect(problemsOf({ RATE_LIMIT_RUNS_PER_MINUTE: '-1' })[0]).toMatch(
      /^RATE_LIMIT_RUNS_PER_MINUTE/,
    );
  });

  it('reads the customer verification settings, with 6 digits, 10 minutes, 3 tries and 30 minutes by default', () => {
    expect(envOf({}).verification).toEqual({
      codeDigits: 6,
      codeValidSeconds: 600,
      maxTries: 3,
      verifiedForSeconds: 1800,
    });
    expect(
      envOf({ VERIFICATION_CODE_MINUTES: '5', VERIFICATION_MAX_TRIES: '5' }).verification,
    ).toMatchObject({ codeValidSeconds: 300, maxTries: 5 });
    expect(problemsOf({ VERIFICATION_CODE_DIGITS: '3' })[0]).toMatch(/^VERIFICATION_CODE_DIGITS/);
  });

  it('reads TOKEN_ENCRYPTION_KEY as 32 bytes of base64, with a public default only in the sandbox', () => {
    const key = Buffer.alloc(32, 7);
    const live = envOf({ ...ZENDESK_LIVE, TOKEN_ENCRYPTION_KEY: key.toString('base64') });
    expect(live.tokenEncryption).toEqual({ key, previous: [], sandboxDefault: false });
    expect(envOf(ZENDESK_LIVE).tokenEncryption).toBeUndefined();
    expect(envOf({}).tokenEncryption).toMatchObject({ sandboxDefault: true });
  });

  it('refuses a TOKEN_ENCRYPTION_KEY that is not 32 bytes, saying how to make one', () => {
    expect(
      problemsOf({ ...ZENDESK_LIVE, TOKEN_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') }),
    ).toEqual([
      'TOKEN_ENCRYPTION_KEY: decodes to 16 bytes, not 32; generate one with `openssl rand -base64 32`',
    ]);
    expect(
      problemsOf({ TOKEN_ENCRYPTION_KEY_PREVIOUS: Buffer.alloc(32).toString('base64') }),
    ).toEqual([
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEY_PREVIOUS: used only with TOKEN_ENCRYPTION_KEY/),
    ]);
  });

  it('reads PUBLIC_URL without a trailing slash', () => {
    expect(envOf({ PUBLIC_URL: 'https://connectors.example.com/' }).publicUrl).toBe(
      'https://connectors.example.com',
    );
    expect(problemsOf({ PUBLIC_URL: 'connectors.example.com' })[0]).toMatch(/^PUBLIC_URL: /);
  });

  it('names variables that no longer do anything', () => {
    expect(envOf({ ZENDESK_APP_SHARED_SECRET: 'x', JWT_AUDIENCE: 'y' }).obsolete).toEqual([
      'ZENDESK_APP_SHARED_SECRET',
      'JWT_AUDIENCE',
    ]);
  });

  describe('the mail server for verification codes', () => {
    const SMTP = {
      SMTP_HOST: 'smtp.acme.com',
      SMTP_USER: 'mailer@acme.com',
      SMTP_PASSWORD: 'a-real-smtp-password',
      MAIL_FROM: 'Acme Support <support@acme.com>',
    };

    it('uses the sandbox mail catcher in sandbox mode when no SMTP_HOST is set', () => {
      expect(envOf({}).mail).toEqual({
        kind: 'sandbox',
        from: 'Data Connectors sandbox <verification@sandbox.invalid>',
      });
      expect(envOf({ MAIL_FROM: 'help@acme.com' }).mail).toEqual({
        kind: 'sandbox',
        from: 'help@acme.com',
      });
    });

    it('sends no mail on a live server without SMTP_HOST', () => {
      expect(envOf(ZENDESK_LIVE).mail).toBeUndefined();
    });

    it('defaults to port 587 with STARTTLS, and to TLS from the start on port 465', () => {
      expect(envOf({ ...ZENDESK_LIVE, ...SMTP }).mail).toEqual({
        kind: 'smtp',
        host: 'smtp.acme.com',
        port: 587,
        secure: false,
        user: 'mailer@acme.com',
        password: 'a-real-smtp-password',
        from: 'Acme Support <support@acme.com>',
      });
      expect(envOf({ ...ZENDESK_LIVE, ...SMTP, SMTP_PORT: '465' }).mail).toMatchObject({
        port: 465,
        secure: true,
      });
      expect(envOf({ ...ZENDESK_LIVE, ...SMTP, SMTP_SECURE: 'true' }).mail).toMatchObject({
        port: 465,
        secure: true,
      });
      expect(
        envOf({ ...ZENDESK_LIVE, ...SMTP, SMTP_PORT: '2525', SMTP_SECURE: 'false' }).mail,
      ).toMatchObject({ port: 2525, secure: false });
    });

    it('accepts a mail server that needs no login', () => {
      const { SMTP_USER: _user, SMTP_PASSWORD: _password, ...noLogin } = SMTP;
      const mail = envOf({ ...ZENDESK_LIVE, ...noLogin }).mail;
      expect(mail).toMatchObject({ kind: 'smtp', host: 'smtp.acme.com' });
      expect(mail).not.toHaveProperty('user');
      expect(mail).not.toHaveProperty('password');
    });

    it('names each wrong SMTP variable precisely', () => {
      expect(problemsOf({ ...ZENDESK_LIVE, ...SMTP, SMTP_PORT: 'smtp' })).toEqual([
        expect.stringMatching(/^SMTP_PORT: use a port number, e.g. 587/),
      ]);
      expect(problemsOf({ ...ZENDESK_LIVE, ...SMTP, SMTP_PORT: '70000' })).toEqual([
        'SMTP_PORT: use a port from 1 to 65535',
      ]);
      expect(problemsOf({ ...ZENDESK_LIVE, ...SMTP, SMTP_SECURE: 'yes' })).toEqual([
        expect.stringMatching(/^SMTP_SECURE: use true .* or false/),
      ]);
      expect(problemsOf({ ...ZENDESK_LIVE, ...SMTP, SMTP_HOST: 'smtp://smtp.acme.com' })).toEqual([
        expect.stringMatching(/^SMTP_HOST: use the mail server's host name only/),
      ]);
      expect(problemsOf({ ...ZENDESK_LIVE, ...SMTP, MAIL_FROM: 'support at acme' })).toEqual([
        expect.stringMatching(/^MAIL_FROM: use an address, or a name and an address/),
      ]);
    });

    it('requires a sender, and the login whole, once SMTP_HOST is set', () => {
      const { MAIL_FROM: _from, ...noSender } = SMTP;
      expect(problemsOf({ ...ZENDESK_LIVE, ...noSender })).toEqual([
        expect.stringMatching(/^MAIL_FROM: required when SMTP_HOST is set/),
      ]);
      const { SMTP_PASSWORD: _password, ...noPassword } = SMTP;
      expect(problemsOf({ ...ZENDESK_LIVE, ...noPassword })).toEqual([
        expect.stringMatching(/^SMTP_USER and SMTP_PASSWORD: set both/),
      ]);
    });

    it('refuses SMTP settings that would be ignored without SMTP_HOST', () => {
      expect(
        problemsOf({
          ...ZENDESK_LIVE,
          SMTP_USER: 'mailer',
          SMTP_PASSWORD: 'pw',
          MAIL_FROM: 'a@b.co',
        }),
      ).toEqual([
        'SMTP_USER, SMTP_PASSWORD, MAIL_FROM: are used only with SMTP_HOST; set SMTP_HOST (the mail server) or remove them',
      ]);
      expect(problemsOf({ SMTP_PORT: '25' })).toEqual([
        'SMTP_PORT: is used only with SMTP_HOST; set SMTP_HOST (the mail server) or remove it',
      ]);
    });

    it('masks the SMTP password like the other secrets, and lists the variables', () => {
      expect(mailSecretsOf(envOf({ ...ZENDESK_LIVE, ...SMTP }))).toEqual(['a-real-smtp-password']);
      expect(mailSecretsOf(envOf({}))).toEqual([]);
      expect(ENV_VARIABLE_NAMES).toEqual(
        expect.arrayContaining([
          'SMTP_HOST',
          'SMTP_PORT',
          'SMTP_SECURE',
          'SMTP_USER',
          'SMTP_PASSWORD',
          'MAIL_FROM',
        ]),
      );
    });
  });
});
