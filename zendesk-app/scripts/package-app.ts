import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { APP_DIR, DIST_DIR, isMainModule } from './app-paths';
import { buildZendeskApp } from './build-app';
import { PLACEHOLDER_HOST, readPngSize, validateApp, formatReport } from './validate-app';
import type { ValidationReport } from './validate-app';

/**
 * Builds the zip an admin uploads to Zendesk: manifest.json at the root, translations/ and
 * assets/, nothing else. The entries are picked from an allow-list rather than by zipping the
 * folder, so development files (zcli.apps.config.json with its settings, tmp/, sources, any
 * dotfile) can never end up inside.
 *
 * The server's host goes into domainWhitelist here, because it differs per deployment:
 * `ZENDESK_APP_SERVER_HOST=connectors.example.com npm run zendesk:package` (or `--host …`).
 */

const PACKAGED_ROOTS = ['translations/', 'assets/'];

/** Whether a path (relative to the app folder) belongs in the uploaded package. */
export function isPackagedPath(path: string): boolean {
  const parts = path.split('/');
  if (parts.some((part) => part.startsWith('.') || part === '')) return false;
  if (path === 'manifest.json') return true;
  return PACKAGED_ROOTS.some((root) => path.startsWith(root));
}

export type HostResult = { ok: true; host: string | undefined } | { ok: false; message: string };

/** Accepts a bare host or a URL (the server URL admins already know) and keeps the host. */
export function resolveServerHost(input: string | undefined): HostResult {
  const text = input?.trim();
  if (!text) return { ok: true, host: undefined };
  let host = text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      host = new URL(text).hostname;
    } catch {
      return { ok: false, message: `"${text}" is not a valid URL or host name.` };
    }
  }
  host = host.replace(/:\d+$/, '').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
    return { ok: false, message: `"${text}" is not a valid host name.` };
  }
  return { ok: true, host };
}

function listFiles(dir: string, root: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? listFiles(path, root)
      : [relative(root, path).split('\\').join('/')];
  });
}

export interface PackageOptions {
  serverHost?: string;
  appDir?: string;
  outDir?: string;
  /** Rebuild assets/ first (default true). */
  build?: boolean;
}

export type PackageResult =
  | { ok: true; path: string; entries: string[]; report: ValidationReport }
  | { ok: false; message: string; report?: ValidationReport };

export async function packageZendeskApp(options: PackageOptions = {}): Promise<PackageResult> {
  const appDir = options.appDir ?? APP_DIR;
  const outDir = options.outDir ?? DIST_DIR;
  const host = resolveServerHost(options.serverHost);
  if (!host.ok) return { ok: false, message: host.message };
  if (options.build ?? true) await buildZendeskApp(join(appDir, 'assets'));

  const manifest = JSON.parse(readFileSync(join(appDir, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  if (host.host) manifest.domainWhitelist = [host.host];
  const entries: Record<string, Uint8Array> = {
    'manifest.json': new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
  };
  for (const path of listFiles(appDir, appDir)) {
    if (path === 'manifest.json' || !isPackagedPath(path)) continue;
    entries[path] = readFileSync(join(appDir, path));
  }

  // Validate exactly what goes into the zip, not the folder it came from.
  const translations: Record<string, { json?: unknown; error?: string }> = {};
  const pngSizes: Record<string, { width: number; height: number } | null> = {};
  for (const [path, bytes] of Object.entries(entries)) {
    if (path.startsWith('translations/')) {
      try {
        translations[path.slice('translations/'.length)] = {
          json: JSON.parse(new TextDecoder().decode(bytes)),
        };
      } catch (error) {
        translations[path.slice('translations/'.length)] = {
          error: `not valid JSON (${(error as Error).message})`,
        };
      }
    }
    if (path.endsWith('.png')) pngSizes[path] = readPngSize(Buffer.from(bytes));
  }
  const report = validateApp({
    manifest,
    translations,
    files: new Set(Object.keys(entries)),
    pngSizes,
  });
  if (report.errors.length) {
    return {
      ok: false,
      message: 'The app does not pass validation; nothing was packaged.',
      report,
    };
  }
  mkdirSync(outDir, { recursive: true });
  const version = typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  const path = join(outDir, `data-connectors-${version}.zip`);
  writeFileSync(path, zipSync(entries, { level: 9 }));
  return { ok: true, path, entries: Object.keys(entries).sort(), report };
}

function hostFromArgs(argv: readonly string[]): string | undefined {
  const index = argv.findIndex((arg) => arg === '--host' || arg.startsWith('--host='));
  if (index < 0) return argv.find((arg) => !arg.startsWith('-'));
  const arg = argv[index] as string;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
}

if (isMainModule(import.meta.url)) {
  const serverHost = hostFromArgs(process.argv.slice(2)) ?? process.env.ZENDESK_APP_SERVER_HOST;
  const result = await packageZendeskApp({ ...(serverHost ? { serverHost } : {}) });
  if (result.report) console.log(formatReport(result.report));
  if (!result.ok) {
    console.error(result.message);
    process.exitCode = 1;
  } else {
    if (!serverHost) {
      console.warn(
        `No server host given: domainWhitelist keeps "${PLACEHOLDER_HOST}". Set ZENDESK_APP_SERVER_HOST=<your server's host> and package again before uploading.`,
      );
    }
    console.log(`Package created at ${relative(process.cwd(), result.path)}`);
    for (const entry of result.entries) console.log(`  ${entry}`);
  }
}
