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
 * .zcliignore that keeps those settings out of what zcli uploads (it leaves out tmp/ itself).
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

export const ZCLI_COMMANDS = {
  serve: 'apps:server',
  deploy: 'apps:create',
  update: 'apps:update',
} as const;
export type ZcliCommand = keyof typeof ZCLI_COMMANDS;

export interface ZcliRunOptions extends PrepareOptions {
  /** zcli's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Where zcli's and this script's output go (default: this terminal, zcli's prompts included). */
  stdio?: 'inherit' | 'pipe';
  log?: (line: string) => void;
}

function runZcli(
  args: string[],
  options: ZcliRunOptions,
): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, [resolveZcliBin(), ...args], {
    stdio: options.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env: options.env ?? process.env,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Ctrl+C reaches zcli too (same process group): wait for it to finish rather than leave it.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}

/**
 * zendesk:serve / zendesk:deploy / zendesk:update: writes the folder, runs zcli on it, keeps the
 * app id apps:create saved. Returns zcli's exit code (1 when the folder could not be written).
 */
export async function runZcliCommand(
  command: ZcliCommand,
  extra: string[] = [],
  options: ZcliRunOptions = {},
): Promise<{ code: number; output: string }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const configPath = options.configPath ?? ZCLI_CONFIG_PATH;
  const shown = (path: string) => relative(process.cwd(), path);
  const prepared = await prepareZcliApp(options);
  if (!prepared.ok) {
    if (prepared.report) log(formatReport(prepared.report));
    log(`${prepared.message}:\n${prepared.problems.map((p) => `  ${p}`).join('\n')}`);
    return { code: 1, output: '' };
  }
  if (command === 'update' && !(options.env ?? process.env).ZENDESK_APP_ID) {
    // zcli would upload first and then stop at "App ID not found"; say what to do instead.
    const config = existsSync(configPath)
      ? zcliConfigSchema.parse(JSON.parse(readFileSync(configPath, 'utf8')))
      : {};
    if (config.app_id === undefined) {
      log(
        `No app_id in ${shown(configPath)}: run npm run zendesk:deploy first, or add the app's id there.`,
      );
      return { code: 1, output: '' };
    }
  }
  log(`The app for zcli is in ${shown(prepared.dir)}: ${prepared.entries.join(', ')}`);
  if (!existsSync(configPath)) {
    log(
      `No ${shown(configPath)}: zcli will ask for the settings (see docs/zendesk.md, "Serve, create and update with zcli").`,
    );
  }
  const result = await runZcli([ZCLI_COMMANDS[command], shown(prepared.dir), ...extra], options);
  if (command !== 'serve' && keepAppId(prepared.dir, configPath)) {
    log(`Saved the app id in ${shown(configPath)}.`);
  }
  return result;
}

if (isMainModule(import.meta.url)) {
  const [command, ...extra] = process.argv.slice(2);
  if (!command || !(command in ZCLI_COMMANDS)) {
    console.error(`Usage: zcli-app.ts ${Object.keys(ZCLI_COMMANDS).join('|')} [zcli flags]`);
    process.exit(2);
  }
  const { code } = await runZcliCommand(command as ZcliCommand, extra);
  process.exitCode = code;
}
