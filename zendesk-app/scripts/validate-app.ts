import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { APP_DIR, isMainModule } from './app-paths';

/**
 * An offline stand-in for `zcli apps:validate`, which only uploads the zip to a Zendesk account
 * and lets the server check it. The rules are the ones Zendesk's validator (the
 * zendesk_apps_support gem) applies to the manifest, the translations and the package layout,
 * as written up in shared/docs/zendesk.md §1.1–1.3. Errors are what Zendesk would refuse;
 * warnings are what it would flag but accept.
 */

export interface AppFiles {
  /** The parsed manifest.json, or the reason it could not be read. */
  manifest: unknown;
  manifestError?: string;
  /** translations/<file name> → parsed JSON (or the reason it could not be read). */
  translations: Record<string, { json?: unknown; error?: string }>;
  /** Relative paths of every file in the package directory (forward slashes). */
  files: ReadonlySet<string>;
  /** The patterns of the folder's .zcliignore, which zcli leaves out of what it zips. */
  zcliIgnore?: readonly string[];
  /** PNG sizes by relative path, for the logo and banner checks. */
  pngSizes?: Readonly<Record<string, { width: number; height: number } | null>>;
}

export interface ValidationReport {
  errors: string[];
  warnings: string[];
}

const MANIFEST_KEYS = new Set([
  'requirementsOnly',
  'marketingOnly',
  'version',
  'author',
  'name',
  'experiments',
  'frameworkVersion',
  'singleInstall',
  'signedUrls',
  'noTemplate',
  'defaultLocale',
  'location',
  'private',
  'oauth',
  'parameters',
  'domainWhitelist',
  'remoteInstallationURL',
  'termsConditionsURL',
  'gaID',
]);
const FRAMEWORK_VERSIONS = ['2.0'];
const LOCALE = /^[a-z]{2,3}(-\w{2,3})?$/;
// Support's location names are the checked ones (ZAS location.rb); other products' names are
// not written up in zendesk.md, so they are accepted with a warning rather than guessed at.
const PRODUCT_LOCATIONS: Record<string, readonly string[] | undefined> = {
  support: [
    'top_bar',
    'nav_bar',
    'ticket_sidebar',
    'new_ticket_sidebar',
    'user_sidebar',
    'organization_sidebar',
    'background',
    'modal',
    'ticket_editor',
    'system_top_bar',
    'custom_object_record_sidebar',
  ],
  chat: undefined,
  sell: undefined,
};
const FLAGGED_LOCATIONS = new Set(['custom_object_record_sidebar']);
const LOCATION_OPTIONS = new Set([
  'url',
  'autoLoad',
  'autoHide',
  'flexible',
  'signed',
  'size',
  'objectTypes',
]);
const PARAMETER_TYPES = [
  'text',
  'checkbox',
  'url',
  'number',
  'multiline',
  'hidden',
  'oauth',
  'mtls',
];
const FLAGGED_PARAMETER_TYPES = new Set(['mtls']);
const PARAMETER_ATTRIBUTES = new Set([
  'name',
  'type',
  'required',
  'secure',
  'default',
  'scopes',
  'allowed_domain',
]);
const SECURE_PARAM_SCOPES = new Set([
  'header',
  'body',
  'url',
  'jwt_secret_key',
  'jwt_claim',
  'basic_auth_username',
  'basic_auth_password',
]);
const SECRET_LIKE_NAME = /token|key|pwd|password/i;
const PUBLIC_APP_KEYS = [
  'name',
  'short_description',
  'long_description',
  'installation_instructions',
];
const BANNER_SIZES = ['830x200', '1660x400'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function checkLocationUrl(uri: string, files: ReadonlySet<string>): boolean {
  // Zendesk fills these in per installation, so they cannot be checked here.
  if (uri.includes('{{setting.')) return true;
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    try {
      const url = new URL(uri);
      return url.protocol === 'https:' || url.hostname === 'localhost';
    } catch {
      return false;
    }
  }
  const path = uri.split(/[?#]/)[0] ?? '';
  return path.startsWith('assets/') && files.has(path);
}

function validateManifest(app: AppFiles, report: ValidationReport): Json | undefined {
  const { errors, warnings } = report;
  if (app.manifestError) {
    errors.push(app.manifestError);
    return undefined;
  }
  const manifest = app.manifest;
  if (!isObject(manifest)) {
    errors.push('manifest.json must hold a JSON object.');
    return undefined;
  }
  for (const key of Object.keys(manifest)) {
    if (!MANIFEST_KEYS.has(key))
      warnings.push(`Unknown manifest field "${key}"; Zendesk ignores it.`);
  }
  const requirementsOnly = manifest.requirementsOnly === true;
  const marketingOnly = manifest.marketingOnly === true;
  const required = ['author', 'defaultLocale', 'frameworkVersion'];
  if (!requirementsOnly && !marketingOnly) required.push('location');
  const missing = required.filter((key) => manifest[key] === undefined);
  if (missing.length) errors.push(`Missing required field in manifest: ${missing.join(', ')}.`);

  for (const key of ['version', 'frameworkVersion', 'defaultLocale', 'name']) {
    if (manifest[key] !== undefined && typeof manifest[key] !== 'string') {
      errors.push(`Manifest field "${key}" must be a string.`);
    }
  }
  for (const key of [
    'private',
    'singleInstall',
    'signedUrls',
    'requirementsOnly',
    'marketingOnly',
  ]) {
    if (manifest[key] !== undefined && typeof manifest[key] !== 'boolean') {
      errors.push(`Manifest field "${key}" must be true or false.`);
    }
  }
  if (
    typeof manifest.frameworkVersion === 'string' &&
    !FRAMEWORK_VERSIONS.includes(manifest.frameworkVersion)
  ) {
    errors.push(
      `${manifest.frameworkVersion} is not a valid framework version. Available versions are: ${FRAMEWORK_VERSIONS.join(', ')}.`,
    );
  }
  if (manifest.author !== undefined) {
    if (!isObject(manifest.author)) {
      errors.push('Manifest field "author" must be an object with name, email and url.');
    } else {
      for (const key of ['name', 'email', 'url']) {
        const value = manifest.author[key];
        if (value !== undefined && typeof value !== 'string') {
          errors.push(`Manifest field "author.${key}" must be a string.`);
        }
      }
      if (manifest.author.url !== undefined && !isHttpUrl(manifest.author.url)) {
        errors.push('Manifest field "author.url" must be an http(s) URL.');
      }
      if (typeof manifest.author.name !== 'string' || typeof manifest.author.email !== 'string') {
        warnings.push('The author should have a name and an email.');
      }
    }
  }
  if (manifest.termsConditionsURL !== undefined && !isHttpUrl(manifest.termsConditionsURL)) {
    errors.push('Manifest field "termsConditionsURL" must be an http(s) URL.');
  }
  if (typeof manifest.defaultLocale === 'string') {
    if (!LOCALE.test(manifest.defaultLocale)) {
      errors.push(`"${manifest.defaultLocale}" is not a valid locale for defaultLocale.`);
    } else if (!app.translations[`${manifest.defaultLocale}.json`]) {
      errors.push(`Missing translation file for locale '${manifest.defaultLocale}'.`);
    }
  }
  validateLocations(manifest, app.files, report);
  validateParameters(manifest, report);
  validateDomainWhitelist(manifest, report);
  return manifest;
}

function validateLocations(
  manifest: Json,
  files: ReadonlySet<string>,
  report: ValidationReport,
): void {
  if (manifest.location === undefined) return;
  if (!isObject(manifest.location)) {
    report.errors.push('Manifest field "location" must be an object keyed by product.');
    return;
  }
  for (const [product, locations] of Object.entries(manifest.location)) {
    if (!(product in PRODUCT_LOCATIONS)) {
      report.errors.push(`"${product}" is not a valid product in location.`);
      continue;
    }
    const known = PRODUCT_LOCATIONS[product];
    if (!isObject(locations)) {
      report.errors.push(`location.${product} must be an object of locations.`);
      continue;
    }
    for (const [name, value] of Object.entries(locations)) {
      if (!known) {
        report.warnings.push(`Location names of ${product} are not checked offline ("${name}").`);
      } else if (!known.includes(name)) {
        report.errors.push(`"${name}" is not a valid location for ${product}.`);
        continue;
      }
      if (FLAGGED_LOCATIONS.has(name)) {
        report.warnings.push(`Location "${name}" only works on accounts where Zendesk enabled it.`);
      }
      let url: unknown;
      if (typeof value === 'string') {
        url = value;
      } else if (isObject(value)) {
        for (const option of Object.keys(value)) {
          if (!LOCATION_OPTIONS.has(option)) {
            report.errors.push(`"${option}" is not a valid option for location ${name}.`);
          }
        }
        if (value.flexible !== undefined && typeof value.flexible !== 'boolean') {
          report.errors.push(`location ${name}: "flexible" must be true or false.`);
        }
        url = value.url;
        const autoLoad = value.autoLoad ?? true;
        if (url === undefined) {
          if (autoLoad) report.errors.push(`${name} location does not specify a URI.`);
          continue;
        }
      } else {
        report.errors.push(`location ${name} must be a URL string or an options object.`);
        continue;
      }
      if (typeof url !== 'string' || !checkLocationUrl(url, files)) {
        report.errors.push(
          `${String(url)} is either an invalid location URI, refers to a missing asset, or does not use HTTPS.`,
        );
      }
    }
  }
}

function validateParameters(manifest: Json, report: ValidationReport): void {
  const { errors, warnings } = report;
  if (manifest.parameters === undefined) return;
  if (!Array.isArray(manifest.parameters)) {
    errors.push('Manifest field "parameters" must be an array.');
    return;
  }
  const seen = new Set<string>();
  const withoutScopes: string[] = [];
  let oauthCount = 0;
  manifest.parameters.forEach((parameter: unknown, index) => {
    if (!isObject(parameter) || typeof parameter.name !== 'string' || parameter.name === '') {
      errors.push(`Parameter ${index + 1} must be an object with a "name".`);
      return;
    }
    const name = parameter.name;
    const type = parameter.type ?? 'text';
    for (const key of Object.keys(parameter)) {
      if (!PARAMETER_ATTRIBUTES.has(key))
        warnings.push(`Parameter "${name}": unknown attribute "${key}".`);
    }
    if (name === 'name') errors.push(`Can't call a parameter 'name'.`);
    if (seen.has(name)) errors.push(`Duplicate parameter name: ${name}.`);
    seen.add(name);
    if (typeof type !== 'string' || !PARAMETER_TYPES.includes(type)) {
      errors.push(
        `Parameter "${name}" has an invalid type "${String(type)}" (use ${PARAMETER_TYPES.join(', ')}).`,
      );
    } else if (FLAGGED_PARAMETER_TYPES.has(type)) {
      warnings.push(
        `Parameter "${name}": type "${type}" only works on accounts where Zendesk enabled it.`,
      );
    }
    for (const key of ['required', 'secure']) {
      if (parameter[key] !== undefined && typeof parameter[key] !== 'boolean') {
        errors.push(`Parameter "${name}": "${key}" must be true or false.`);
      }
    }
    const secure = parameter.secure === true;
    if (type === 'hidden' && parameter.required === true) {
      errors.push(`Parameter "${name}" cannot be both hidden and required.`);
    }
    if (type === 'oauth') {
      oauthCount += 1;
      if (secure) errors.push(`The oauth parameter "${name}" cannot be secure.`);
    }
    if (parameter.scopes !== undefined) {
      if (!secure) errors.push(`Parameter "${name}": scopes need "secure": true.`);
      if (!Array.isArray(parameter.scopes) || parameter.scopes.length === 0) {
        errors.push(`Parameter "${name}": scopes must be a non-empty array.`);
      } else {
        for (const scope of parameter.scopes) {
          if (typeof scope !== 'string' || !SECURE_PARAM_SCOPES.has(scope)) {
            errors.push(
              `Parameter "${name}": "${String(scope)}" is not a valid scope (use ${[...SECURE_PARAM_SCOPES].join(', ')}).`,
            );
          }
        }
      }
    } else if (secure) {
      withoutScopes.push(name);
    }
    if (!secure && type === 'text' && SECRET_LIKE_NAME.test(name)) {
      warnings.push(
        `Make sure to set secure to true for parameter "${name}": its name suggests a secret.`,
      );
    }
    if (parameter.default !== undefined && (secure || type === 'hidden')) {
      warnings.push(
        `Parameter "${name}": defaults of secure or hidden parameters are not stored securely.`,
      );
    }
  });
  if (oauthCount > 1) errors.push('An app can have at most one oauth parameter.');
  if (withoutScopes.length) {
    warnings.push(
      `The scopes property is not configured for parameter(s): ${withoutScopes.join(', ')}. This may cause token exposure vulnerabilities.`,
    );
  }
}

function validateDomainWhitelist(manifest: Json, report: ValidationReport): void {
  const list = manifest.domainWhitelist;
  const hasSecure =
    Array.isArray(manifest.parameters) &&
    manifest.parameters.some((parameter) => isObject(parameter) && parameter.secure === true);
  if (list === undefined) {
    if (hasSecure) {
      report.warnings.push(
        'Secure settings are only sent to hosts in domainWhitelist, and it is empty.',
      );
    }
    return;
  }
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
    report.errors.push('Manifest field "domainWhitelist" must be an array of strings.');
    return;
  }
  for (const host of list as string[]) {
    if (host.includes('://') || host.includes('/') || /\s/.test(host) || host === '') {
      report.errors.push(
        `domainWhitelist entry "${host}" must be a bare host name (no scheme or path).`,
      );
    }
  }
}

function validateTranslations(
  app: AppFiles,
  manifest: Json | undefined,
  report: ValidationReport,
): void {
  const { errors, warnings } = report;
  for (const [file, parsed] of Object.entries(app.translations)) {
    const locale = file.replace(/\.json$/, '');
    if (!file.endsWith('.json') || !LOCALE.test(locale)) {
      errors.push(
        `translations/${file} is not named after a valid locale (xx.json or xx-YY.json).`,
      );
      continue;
    }
    if (parsed.error) {
      errors.push(`translations/${file}: ${parsed.error}`);
      continue;
    }
    if (!isObject(parsed.json)) errors.push(`translations/${file} must hold a JSON object.`);
  }
  if (!manifest) return;
  const locale = typeof manifest.defaultLocale === 'string' ? manifest.defaultLocale : 'en';
  const defaults = app.translations[`${locale}.json`]?.json;
  if (!isObject(defaults)) return;
  const file = `translations/${locale}.json`;
  const appKeys = isObject(defaults.app) ? defaults.app : {};
  const isPrivate = manifest.private !== false;
  const requiredKeys = isPrivate ? ['name'] : PUBLIC_APP_KEYS;
  for (const key of requiredKeys) {
    const present =
      typeof appKeys[key] === 'string' ||
      (key === 'short_description' && typeof appKeys.description === 'string');
    if (!present) errors.push(`Missing required key from ${file}: app.${key}`);
  }
  const labelled = new Set<string>();
  if (appKeys.parameters !== undefined) {
    if (!isObject(appKeys.parameters)) {
      errors.push(`${file}: app.parameters must be an object.`);
    } else {
      for (const [name, entry] of Object.entries(appKeys.parameters)) {
        if (!isObject(entry) || typeof entry.label !== 'string') {
          errors.push(`Missing required key label on leaf ${name} (${file}).`);
        } else {
          labelled.add(name);
        }
      }
    }
  }
  if (Array.isArray(manifest.parameters)) {
    for (const parameter of manifest.parameters) {
      if (
        isObject(parameter) &&
        typeof parameter.name === 'string' &&
        !labelled.has(parameter.name)
      ) {
        warnings.push(
          `Parameter "${parameter.name}" has no label in ${file}; admins would see its raw name.`,
        );
      }
    }
  }
  const products = isObject(manifest.location) ? Object.keys(manifest.location) : [];
  for (const key of Object.keys(appKeys)) {
    if (key in PRODUCT_LOCATIONS && !products.includes(key)) {
      errors.push(`${file}: app.${key} names a product the manifest has no location for.`);
    }
  }
}

function validateLayout(app: AppFiles, report: ValidationReport): void {
  for (const path of app.files) {
    if (path.includes('/manifest.json') && !path.startsWith('node_modules/')) {
      report.errors.push(
        `A nested manifest was found at ${path}; the manifest must be at the root only.`,
      );
    }
  }
  if (
    app.files.has('zcli.apps.config.json') &&
    !app.zcliIgnore?.includes('zcli.apps.config.json')
  ) {
    report.warnings.push(
      'zcli.apps.config.json holds development settings (often secrets); keep it out of the package (.zcliignore).',
    );
  }
  const sizes = app.pngSizes ?? {};
  for (const [path, expected] of [
    ['assets/logo.png', '320x320'],
    ['assets/logo-small.png', '128x128'],
  ] as const) {
    const size = sizes[path];
    if (!app.files.has(path))
      report.warnings.push(`${path} is missing; Zendesk shows a generic icon.`);
    else if (!size || `${size.width}x${size.height}` !== expected) {
      report.warnings.push(`${path} should be a ${expected} PNG.`);
    }
  }
  if (app.files.has('assets/banner.png')) {
    const size = sizes['assets/banner.png'];
    if (!size || !BANNER_SIZES.includes(`${size.width}x${size.height}`)) {
      report.errors.push(`assets/banner.png must be a PNG of ${BANNER_SIZES.join(' or ')}.`);
    }
  }
}

export function validateApp(app: AppFiles): ValidationReport {
  const report: ValidationReport = { errors: [], warnings: [] };
  const manifest = validateManifest(app, report);
  validateTranslations(app, manifest, report);
  validateLayout(app, report);
  return report;
}

/** Width and height from a PNG's IHDR chunk; null when the bytes are not a PNG. */
export function readPngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = '89504e470d0a1a0a';
  if (bytes.length < 24 || bytes.subarray(0, 8).toString('hex') !== signature) return null;
  if (bytes.subarray(12, 16).toString('ascii') !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const SKIPPED_DIRS = new Set(['node_modules', 'src', 'scripts', 'dist', 'tmp', '.git']);

function listFiles(dir: string, root: string = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return dir === root && SKIPPED_DIRS.has(name) ? [] : listFiles(path, root);
    }
    return [relative(root, path).split('\\').join('/')];
  });
}

function readJson(path: string): { json?: unknown; error?: string } {
  try {
    return { json: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (error) {
    return { error: `not valid JSON (${(error as Error).message})` };
  }
}

/** Reads an app directory the way it would be packaged (sources and scripts are not part of it). */
export function readAppFiles(dir: string): AppFiles {
  const manifestPath = join(dir, 'manifest.json');
  const manifest = existsSync(manifestPath)
    ? readJson(manifestPath)
    : { error: 'manifest.json is missing from the app root.' };
  const translationsDir = join(dir, 'translations');
  const translations: AppFiles['translations'] = {};
  if (existsSync(translationsDir)) {
    for (const name of readdirSync(translationsDir)) {
      translations[name] = readJson(join(translationsDir, name));
    }
  }
  const files = new Set(listFiles(dir));
  const pngSizes: Record<string, { width: number; height: number } | null> = {};
  for (const path of files) {
    if (path.endsWith('.png')) pngSizes[path] = readPngSize(readFileSync(join(dir, path)));
  }
  const zcliIgnorePath = join(dir, '.zcliignore');
  // zcli's reading (zcli-apps lib/package.ts): one pattern a line, # comments, blanks skipped.
  const zcliIgnore = existsSync(zcliIgnorePath)
    ? readFileSync(zcliIgnorePath, 'utf8')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'))
    : undefined;
  return {
    manifest: manifest.json,
    ...(zcliIgnore ? { zcliIgnore } : {}),
    ...(manifest.error ? { manifestError: `manifest.json: ${manifest.error}` } : {}),
    translations,
    files,
    pngSizes,
  };
}

export function formatReport(report: ValidationReport): string {
  const lines = [
    ...report.errors.map((message) => `error    ${message}`),
    ...report.warnings.map((message) => `warning  ${message}`),
  ];
  lines.push(`${report.errors.length} error(s), ${report.warnings.length} warning(s)`);
  return lines.join('\n');
}

if (isMainModule(import.meta.url)) {
  const dir = process.argv[2] ?? APP_DIR;
  const report = validateApp(readAppFiles(dir));
  console.log(`Validating ${relative(process.cwd(), dir) || '.'}\n${formatReport(report)}`);
  if (report.errors.length) process.exitCode = 1;
}
