import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_DIR } from './app-paths';
import { readAppFiles, validateApp } from './validate-app';
import type { AppFiles } from './validate-app';

const BROKEN_DIR = join(APP_DIR, 'scripts', 'fixtures', 'broken-app');

/** The real app (assets built by the vitest global setup) with one change to its manifest. */
function realAppWith(
  edit: (manifest: Record<string, unknown>) => void = () => undefined,
): AppFiles {
  const app = readAppFiles(APP_DIR);
  const manifest = structuredClone(app.manifest) as Record<string, unknown>;
  edit(manifest);
  return { ...app, manifest };
}

function errorsOf(app: AppFiles): string[] {
  return validateApp(app).errors;
}

function parameters(manifest: Record<string, unknown>): Record<string, unknown>[] {
  return manifest.parameters as Record<string, unknown>[];
}

describe('the real app package', () => {
  it('has no errors; its only warning is the placeholder host to replace when packaging', () => {
    const report = validateApp(readAppFiles(APP_DIR));
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it('does not warn about zcli.apps.config.json, which its .zcliignore keeps out of zcli uploads', () => {
    const app = readAppFiles(APP_DIR);
    expect(app.zcliIgnore).toContain('zcli.apps.config.json');
    const files = new Set([...app.files, 'zcli.apps.config.json']);
    expect(validateApp({ ...app, files }).warnings).toEqual([]);
    expect(validateApp({ ...app, files, zcliIgnore: [] }).warnings).toEqual([
      expect.stringContaining('zcli.apps.config.json holds development settings'),
    ]);
  });

  it('is loaded from the server, signed, and holds no secret setting', () => {
    const manifest = readAppFiles(APP_DIR).manifest as Record<string, unknown>;
    expect(manifest.signedUrls).toBe(true);
    expect(manifest.location).toEqual({
      support: {
        ticket_sidebar: { url: '{{setting.server_url}}/zendesk/sidebar', flexible: true },
        // The admin console, for the account's admins (the server checks the role).
        nav_bar: { url: '{{setting.server_url}}/zendesk/console' },
      },
    });
    expect(parameters(manifest)).toEqual([{ name: 'server_url', type: 'url', required: true }]);
  });
});

describe('each manifest rule catches its error', () => {
  const cases: [string, (m: Record<string, unknown>) => void, string][] = [
    ['a missing author', (m) => delete m.author, 'Missing required field in manifest: author'],
    [
      'a missing location',
      (m) => delete m.location,
      'Missing required field in manifest: location',
    ],
    [
      'another frameworkVersion',
      (m) => (m.frameworkVersion = '1.0'),
      '1.0 is not a valid framework version',
    ],
    ['a non-boolean private', (m) => (m.private = 'true'), '"private" must be true or false'],
    ['an invalid defaultLocale', (m) => (m.defaultLocale = 'English'), 'is not a valid locale'],
    [
      'a locale without a translation file',
      (m) => (m.defaultLocale = 'fr'),
      "Missing translation file for locale 'fr'",
    ],
    [
      'an author url that is not http(s)',
      (m) => ((m.author as Record<string, unknown>).url = 'ftp://x'),
      'author.url',
    ],
    [
      'an unknown location',
      (m) =>
        ((m.location as { support: Record<string, unknown> }).support.ticket_sidebarr =
          'assets/iframe.html'),
      '"ticket_sidebarr" is not a valid location for support',
    ],
    [
      'a location URL pointing at a missing asset',
      (m) =>
        ((m.location as { support: Record<string, unknown> }).support.ticket_sidebar =
          'assets/nope.html'),
      'assets/nope.html is either an invalid location URI, refers to a missing asset',
    ],
    [
      'a plain http location URL',
      (m) =>
        ((m.location as { support: Record<string, unknown> }).support.nav_bar =
          'http://example.com/a.html'),
      'does not use HTTPS',
    ],
    [
      'an autoLoad location without url',
      (m) =>
        ((m.location as { support: Record<string, unknown> }).support.top_bar = { autoHide: true }),
      'top_bar location does not specify a URI',
    ],
    [
      'an unknown location option',
      (m) =>
        ((m.location as { support: Record<string, unknown> }).support.ticket_sidebar = {
          url: 'assets/iframe.html',
          heigth: 3,
        }),
      '"heigth" is not a valid option',
    ],
    [
      'an unknown product',
      (m) => ((m.location as Record<string, unknown>).talk = {}),
      '"talk" is not a valid product',
    ],
    [
      'a parameter called name',
      (m) => parameters(m).push({ name: 'name' }),
      "Can't call a parameter 'name'",
    ],
    [
      'a hidden required parameter',
      (m) => parameters(m).push({ name: 'h', type: 'hidden', required: true }),
      'cannot be both hidden and required',
    ],
    [
      'a duplicate parameter',
      (m) => parameters(m).push({ name: 'server_url', type: 'url' }),
      'Duplicate parameter name: server_url',
    ],
    [
      'an unknown parameter type',
      (m) => parameters(m).push({ name: 'c', type: 'colour' }),
      'invalid type "colour"',
    ],
    [
      'scopes on a parameter that is not secure',
      (m) => parameters(m).push({ name: 'k', scopes: ['header'] }),
      'scopes need "secure": true',
    ],
    [
      'an unknown scope',
      (m) => parameters(m).push({ name: 'api_key', secure: true, scopes: ['cookie'] }),
      '"cookie" is not a valid scope',
    ],
    [
      'empty scopes',
      (m) => parameters(m).push({ name: 'api_key', secure: true, scopes: [] }),
      'scopes must be a non-empty array',
    ],
    [
      'two oauth parameters',
      (m) => parameters(m).push({ name: 'o1', type: 'oauth' }, { name: 'o2', type: 'oauth' }),
      'at most one oauth',
    ],
    [
      'a secure oauth parameter',
      (m) => parameters(m).push({ name: 'o', type: 'oauth', secure: true }),
      'cannot be secure',
    ],
    [
      'a domainWhitelist entry with a scheme',
      (m) => (m.domainWhitelist = ['https://connectors.acme.io']),
      'must be a bare host name',
    ],
    [
      'a domainWhitelist that is not strings',
      (m) => (m.domainWhitelist = [42]),
      'must be an array of strings',
    ],
  ];
  for (const [name, edit, expected] of cases) {
    it(`refuses ${name}`, () => {
      expect(errorsOf(realAppWith())).toEqual([]);
      expect(errorsOf(realAppWith(edit)).join('\n')).toContain(expected);
    });
  }

  it('warns about a secure parameter without scopes, and a secret-looking plain one', () => {
    const report = validateApp(
      realAppWith((m) => {
        parameters(m).push({ name: 'shared_secret', type: 'text', secure: true });
        parameters(m).push({ name: 'api_token', type: 'text' });
      }),
    );
    expect(report.errors).toEqual([]);
    expect(report.warnings.join('\n')).toContain(
      'The scopes property is not configured for parameter(s): shared_secret',
    );
    expect(report.warnings.join('\n')).toContain('secure to true for parameter "api_token"');
  });
});

describe('translation rules', () => {
  function withTranslations(
    en: unknown,
    edit: (m: Record<string, unknown>) => void = () => undefined,
  ): AppFiles {
    return { ...realAppWith(edit), translations: { 'en.json': { json: en } } };
  }

  it('requires app.name', () => {
    expect(errorsOf(withTranslations({ app: {} }))).toContain(
      'Missing required key from translations/en.json: app.name',
    );
  });

  it('requires the listing texts of a public app', () => {
    const errors = errorsOf(
      withTranslations({ app: { name: 'x', description: 'y' } }, (m) => (m.private = false)),
    );
    expect(errors).toEqual([
      'Missing required key from translations/en.json: app.long_description',
      'Missing required key from translations/en.json: app.installation_instructions',
    ]);
  });

  it('requires a label on every parameter entry and warns about unlabelled settings', () => {
    const report = validateApp(
      withTranslations({ app: { name: 'x', parameters: { server_url: { helpText: 'h' } } } }, (m) =>
        parameters(m).push({ name: 'shared_secret', type: 'text', secure: true }),
      ),
    );
    expect(report.errors).toContain(
      'Missing required key label on leaf server_url (translations/en.json).',
    );
    expect(report.warnings.join('\n')).toContain('Parameter "shared_secret" has no label');
  });

  it('refuses files not named after a locale', () => {
    const app = realAppWith();
    const errors = errorsOf({
      ...app,
      translations: { ...app.translations, 'english.json': { json: {} } },
    });
    expect(errors.join('\n')).toContain(
      'translations/english.json is not named after a valid locale',
    );
  });
});

describe('the validator command', () => {
  function runCli(dir: string) {
    return spawnSync(
      process.execPath,
      ['--import', 'tsx', join(APP_DIR, 'scripts', 'validate-app.ts'), dir],
      {
        encoding: 'utf8',
      },
    );
  }

  it('exits 0 on the real app', () => {
    const result = runCli(APP_DIR);
    expect(result.stdout).toContain('0 error(s)');
    expect(result.status).toBe(0);
  });

  it('exits 1 on a deliberately broken app and lists every problem', () => {
    const result = runCli(BROKEN_DIR);
    expect(result.status).toBe(1);
    for (const expected of [
      'Missing required field in manifest: author',
      '"private" must be true or false',
      '1.0 is not a valid framework version',
      '"ticket_sidebarr" is not a valid location for support',
      'assets/missing.html is either an invalid location URI',
      'http://plain-http.example.com/app.html is either an invalid location URI',
      '"flexible" must be true or false',
      'top_bar location does not specify a URI',
      "Can't call a parameter 'name'",
      'cannot be both hidden and required',
      'Duplicate parameter name: server_url',
      'invalid type "colour"',
      '"cookie" is not a valid scope',
      'must be a bare host name',
      'Missing required key from translations/en.json: app.name',
      'Missing required key label on leaf server_url',
      'translations/english.json is not named after a valid locale',
      'warning  The scopes property is not configured for parameter(s): other_secret',
      'warning  Make sure to set secure to true for parameter "api_token"',
      'warning  zcli.apps.config.json holds development settings',
    ]) {
      expect(result.stdout).toContain(expected);
    }
  });
});
