import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { APP_DIR, DIST_DIR, isMainModule } from './app-paths';
import { buildZendeskApp } from './build-app';
import { collectAppEntries } from './package-app';
import { formatReport } from './validate-app';
import type { ValidationReport } from './validate-app';

/**
 * Runs Zendesk's own CLI (`zcli apps:server`, `apps:create`, `apps:update`) on the app exactly as
 * our packager zips it. zcli works on a folder and zips all of it (`**`, minus tmp/ and
 * .zcliignore), so it is pointed at zendesk-app/dist/zcli-app/, written from the packager's
 * allow-list, never at zendesk-app/ with its sources, scripts and built sidebar.
 */

/** The folder zcli serves and uploads: the packaged files, the settings, a .zcliignore. */
export const ZCLI_APP_DIR = join(DIST_DIR, 'zcli-app');
/** The admin's own settings (git-ignored); zendesk-app/zcli.apps.config.example.json is the template. */
export const ZCLI_CONFIG_PATH = join(APP_DIR, 'zcli.apps.config.json');
export const ZCLI_CONFIG_NAME = 'zcli.apps.config.json';

/**
 * zcli.apps.config.json as zcli reads it (zcli-apps utils/appConfig.ts, lib/buildAppJSON.ts):
 * `parameters` are the installation's settings, `app_id` is written by `apps:create` and read by
 * `apps:update` and `apps:server`, `installation_id` names the installation `apps:server` poses
 * as. Strict, so a misspelt key is an error here rather than a setting zcli silently ignores.
 */
export const zcliConfigSchema = z
  .object({
    app_id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).optional(),
    installation_id: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
    plan: z.string().optional(),
    parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();
export type ZcliConfig = z.infer<typeof zcliConfigSchema>;

const manifestParametersSchema = z.object({
  parameters: z
    .array(z.object({ name: z.string(), secure: z.boolean().optional() }).loose())
    .optional(),
});

export type ConfigCheck = { ok: true; config: ZcliConfig } | { ok: false; problems: string[] };

/**
 * Checks the admin's settings against the manifest. A secure parameter's value must never sit in
 * a file (it would be one `git add` away from the repository, and `apps:server` serves every
 * setting in plain text in /app.json): zcli prompts for it, hidden, when the file leaves it out.
 */
export function checkZcliConfig(raw: unknown, manifest: unknown): ConfigCheck {
  const parsed = zcliConfigSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
      ),
    };
  }
  const declared = manifestParametersSchema.parse(manifest).parameters ?? [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(parsed.data.parameters ?? {})) {
    const parameter = declared.find((candidate) => candidate.name === name);
    if (!parameter) {
      problems.push(`parameters.${name}: the manifest declares no such parameter`);
    } else if (parameter.secure) {
      problems.push(
        `parameters.${name}: a secure setting; leave it out of the file and enter it when zcli asks`,
      );
    } else if (name === 'server_url' && !/^https?:\/\/[^/]+(\/.*[^/])?$/.test(String(value))) {
      problems.push(`parameters.server_url: an http(s) URL without a trailing slash`);
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, config: parsed.data };
}

export interface PrepareOptions {
  appDir?: string;
  outDir?: string;
  /** The admin's zcli.apps.config.json; absent means zcli prompts for every setting. */
  configPath?: string;
  /** Rebuild assets/ first (default true). */
  build?: boolean;
}

export type PrepareResult =
  | { ok: true; dir: string; entries: string[]; report: ValidationReport }
  | { ok: false; message: string; problems: string[]; report?: ValidationReport };

/**
 * Writes the folder zcli works on: the packager's files (validated), the admin's settings, and a
 * .zcliignore that keeps those settings and zcli's own tmp/ out of what it uploads.
 */
export async function prepareZcliApp(options: PrepareOptions = {}): Promise<PrepareResult> {
  const appDir = options.appDir ?? APP_DIR;
  const outDir = options.outDir ?? ZCLI_APP_DIR;
  const configPath = options.configPath ?? ZCLI_CONFIG_PATH;
  if (options.build ?? true) await buildZendeskApp(join(appDir, 'assets'));

  const collected = collectAppEntries(appDir);
  if (!collected.ok) return { ...collected, problems: collected.report.errors };
  let config: ZcliConfig | undefined;
  if (existsSync(configPath)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (error) {
      return {
        ok: false,
        message: `${configPath} is not valid JSON`,
        problems: [(error as Error).message],
      };
    }
    const manifest: unknown = JSON.parse(
      new TextDecoder().decode(collected.entries['manifest.json']),
    );
    const checked = checkZcliConfig(raw, manifest);
    if (!checked.ok) {
      return { ok: false, message: `${configPath} needs fixing`, problems: checked.problems };
    }
    config = checked.config;
  }

  // Start from an empty folder: a file left from an older build would be uploaded too.
  rmSync(outDir, { recursive: true, force: true });
  for (const [path, bytes] of Object.entries(collected.entries)) {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), bytes);
  }
  writeFileSync(join(outDir, '.zcliignore'), `${ZCLI_CONFIG_NAME}\n`);
  if (config) writeFileSync(join(outDir, ZCLI_CONFIG_NAME), `${JSON.stringify(config, null, 2)}\n`);
  return {
    ok: true,
    dir: outDir,
    entries: Object.keys(collected.entries).sort(),
    report: collected.report,
  };
}

/**
 * `apps:create` writes the new app's id into the folder's zcli.apps.config.json, which the next
 * build replaces: copy it back to the admin's file so `apps:update` and `apps:server` find it.
 */
export function keepAppId(stagedDir: string, configPath: string = ZCLI_CONFIG_PATH): boolean {
  const stagedPath = join(stagedDir, ZCLI_CONFIG_NAME);
  if (!existsSync(stagedPath)) return false;
  const staged = zcliConfigSchema.safeParse(JSON.parse(readFileSync(stagedPath, 'utf8')));
  if (!staged.success || staged.data.app_id === undefined) return false;
  const current: unknown = existsSync(configPath)
    ? JSON.parse(readFileSync(configPath, 'utf8'))
    : {};
  const merged = { ...(current as object), app_id: staged.data.app_id };
  if (JSON.stringify(merged) === JSON.stringify(current)) return false;
  writeFileSync(configPath, `${JSON.stringify(merged, null, 2)}\n`);
  return true;
}

/** The zcli entry point of the pinned dev dependency (not whatever `zcli` is on the PATH). */
export function resolveZcliBin(): string {
  return createRequire(import.meta.url).resolve('@zendesk/zcli/bin/run');
}

const COMMANDS = { serve: 'apps:server', deploy: 'apps:create', update: 'apps:update' } as const;
type Command = keyof typeof COMMANDS;

function runZcli(args: string[]): Promise<number> {
  const child = spawn(process.execPath, [resolveZcliBin(), ...args], { stdio: 'inherit' });
  // Ctrl+C reaches zcli too (same process group): wait for it to finish rather than leave it.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

if (isMainModule(import.meta.url)) {
  const [command, ...extra] = process.argv.slice(2);
  if (!command || !(command in COMMANDS)) {
    console.error(`Usage: zcli-app.ts ${Object.keys(COMMANDS).join('|')} [zcli flags]`);
    process.exit(2);
  }
  const prepared = await prepareZcliApp();
  if (prepared.ok && command === 'update' && !process.env.ZENDESK_APP_ID) {
    // zcli would upload first and then stop at "App ID not found"; say what to do instead.
    const config = existsSync(ZCLI_CONFIG_PATH)
      ? zcliConfigSchema.parse(JSON.parse(readFileSync(ZCLI_CONFIG_PATH, 'utf8')))
      : {};
    if (config.app_id === undefined) {
      console.error(
        `No app_id in ${relative(process.cwd(), ZCLI_CONFIG_PATH)}: run npm run zendesk:deploy first, or add the app's id there.`,
      );
      process.exit(1);
    }
  }
  if (!prepared.ok) {
    if (prepared.report) console.error(formatReport(prepared.report));
    console.error(`${prepared.message}:\n${prepared.problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(1);
  }
  const dir = relative(process.cwd(), prepared.dir);
  console.log(`The app for zcli is in ${dir}: ${prepared.entries.join(', ')}`);
  if (!existsSync(ZCLI_CONFIG_PATH)) {
    console.log(
      `No ${relative(process.cwd(), ZCLI_CONFIG_PATH)}: zcli will ask for the settings (see docs/zendesk.md, "Serve, create and update with zcli").`,
    );
  }
  const code = await runZcli([COMMANDS[command as Command], dir, ...extra]);
  if (command !== 'serve' && keepAppId(prepared.dir)) {
    console.log(`Saved the app id in ${relative(process.cwd(), ZCLI_CONFIG_PATH)}.`);
  }
  process.exitCode = code;
}
