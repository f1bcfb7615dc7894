import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { APP_DIR, DIST_DIR, isMainModule } from './app-paths';
import { buildZendeskApp } from './build-app';
import { readPngSize, validateApp, formatReport } from './validate-app';
import type { ValidationReport } from './validate-app';

/**
 * Builds the zip an admin uploads to Zendesk: manifest.json at the root, translations/ and the
 * logos, nothing else. The sidebar itself is not in the package: its location points at
 * `{{setting.server_url}}/zendesk/sidebar` with signed URLs, so Zendesk loads it from the
 * server, signed, and the server serves it with the agent's session. The entries are picked
 * from an allow-list rather than by zipping the folder, so development files
 * (zcli.apps.config.json with its settings, tmp/, sources, any dotfile) never end up inside.
 */

/** The assets Zendesk shows for the app (Admin Center, the apps tray). */
// icon_nav_bar.svg: the icon of the nav_bar location (the admin console), which Zendesk requires there.
const PACKAGED_ASSETS = new Set([
  'assets/logo.png',
  'assets/logo-small.png',
  'assets/logo.svg',
  'assets/icon_nav_bar.svg',
]);

/** Whether a path (relative to the app folder) belongs in the uploaded package. */
export function isPackagedPath(path: string): boolean {
  const parts = path.split('/');
  if (parts.some((part) => part.startsWith('.') || part === '')) return false;
  if (path === 'manifest.json') return true;
  return path.startsWith('translations/') || PACKAGED_ASSETS.has(path);
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
  appDir?: string;
  outDir?: string;
  /** Rebuild assets/ first (default true). */
  build?: boolean;
}

export type PackageResult =
  | { ok: true; path: string; entries: string[]; report: ValidationReport }
  | { ok: false; message: string; report?: ValidationReport };

export type AppEntries =
  | { ok: true; version: string; entries: Record<string, Uint8Array>; report: ValidationReport }
  | { ok: false; message: string; report: ValidationReport };

/**
 * The files of the app as Zendesk gets them, validated. The zip and the folder zcli works on
 * (zcli-app.ts) are both written from this, so they cannot drift apart.
 */
export function collectAppEntries(appDir: string): AppEntries {
  const manifest = JSON.parse(readFileSync(join(appDir, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
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
  const version = typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  return { ok: true, version, entries, report };
}

export async function packageZendeskApp(options: PackageOptions = {}): Promise<PackageResult> {
  const appDir = options.appDir ?? APP_DIR;
  const outDir = options.outDir ?? DIST_DIR;
  if (options.build ?? true) await buildZendeskApp(join(appDir, 'assets'));

  const collected = collectAppEntries(appDir);
  if (!collected.ok) return collected;
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `data-connectors-${collected.version}.zip`);
  writeFileSync(path, zipSync(collected.entries, { level: 9 }));
  return {
    ok: true,
    path,
    entries: Object.keys(collected.entries).sort(),
    report: collected.report,
  };
}

if (isMainModule(import.meta.url)) {
  const result = await packageZendeskApp();
  if (result.report) console.log(formatReport(result.report));
  if (!result.ok) {
    console.error(result.message);
    process.exitCode = 1;
  } else {
    console.log(`Package created at ${relative(process.cwd(), result.path)}`);
    for (const entry of result.entries) console.log(`  ${entry}`);
  }
}
