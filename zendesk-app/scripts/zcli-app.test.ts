import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { APP_DIR } from './app-paths';
import { buildZendeskApp } from './build-app';
import { packageZendeskApp } from './package-app';
import {
  ZCLI_CONFIG_NAME,
  checkZcliConfig,
  keepAppId,
  prepareZcliApp,
  resolveZcliBin,
  runZcliCommand,
} from './zcli-app';

/**
 * Runs the pinned zcli for real, offline: `apps:server` on the folder zendesk:serve hands it,
 * `apps:bump`, and zcli's own packaging code. Nothing here needs a Zendesk account; the commands
 * that do (create, update, validate) are documented in docs/zendesk.md instead.
 */

let root: string;
/** A copy of the app (manifest, translations, a fresh build of assets/), as zendesk-app/ is. */
let appDir: string;
/** What prepareZcliApp made of it: the folder zcli works on. */
let zcliDir: string;
/** zcli's HOME: its config, its cache and its update check stay in here. */
let zcliHome: string;
const children: ChildProcess[] = [];

const SERVER_URL = 'http://localhost:3000';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dc-zcli-'));
  appDir = join(root, 'app');
  mkdirSync(appDir);
  for (const part of ['manifest.json', 'translations']) {
    cpSync(join(APP_DIR, part), join(appDir, part), { recursive: true });
  }
  await buildZendeskApp(join(appDir, 'assets'));
  writeFileSync(
    join(root, 'zcli.apps.config.json'),
    JSON.stringify({ parameters: { server_url: SERVER_URL } }),
  );
  const prepared = await prepareZcliApp({
    appDir,
    outDir: join(root, 'zcli-app'),
    configPath: join(root, 'zcli.apps.config.json'),
    build: false,
  });
  if (!prepared.ok) throw new Error(`${prepared.message}: ${prepared.problems.join('; ')}`);
  zcliDir = prepared.dir;

  // oclif's update check spawns a detached process that asks registry.npmjs.org for zcli's
  // latest version unless its cache file is fresh; a fresh one keeps every run offline.
  zcliHome = join(root, 'home');
  mkdirSync(join(zcliHome, '.cache', '@zendesk', 'zcli'), { recursive: true });
  writeFileSync(
    join(zcliHome, '.cache', '@zendesk', 'zcli', 'version'),
    JSON.stringify({ latest: '1.0.1', current: '1.0.1', authorization: '' }),
  );
});

afterAll(async () => {
  await Promise.all(children.map(stopChild));
  rmSync(root, { recursive: true, force: true });
});

/** The environment zcli runs in: a scratch HOME, and no Zendesk credentials from the shell. */
function zcliEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('ZENDESK_')),
  );
  return {
    ...env,
    HOME: zcliHome,
    XDG_CACHE_HOME: join(zcliHome, '.cache'),
    XDG_CONFIG_HOME: join(zcliHome, '.config'),
    XDG_DATA_HOME: join(zcliHome, '.local', 'share'),
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
}

function runZcli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [resolveZcliBin(), ...args], {
    env: zcliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}

async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts `zcli apps:server <dir>` on a free port; resolves once it says it is listening. */
async function startAppsServer(dir: string): Promise<{ port: number; output: () => string }> {
  const port = await findFreePort();
  const child = spawn(
    process.execPath,
    [resolveZcliBin(), 'apps:server', dir, '--port', String(port)],
    // stdin closed: a setting missing from zcli.apps.config.json ends zcli instead of a prompt.
    { env: zcliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`zcli did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Apps server is running on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`zcli exited (${code}):\n${output}`));
    });
  });
  return { port, output: () => output };
}

/** The parts of zcli's /app.json this app depends on (zcli-apps lib/buildAppJSON.ts). */
const appJsonSchema = z.object({
  apps: z
    .array(
      z.object({
        name: z.string(),
        id: z.string(),
        default_locale: z.string(),
        asset_url_prefix: z.string(),
        signed_urls: z.boolean().optional(),
        version: z.string(),
        framework_version: z.string(),
        locations: z.record(
          z.string(),
          z.record(z.string(), z.object({ url: z.string(), svg: z.string().optional() }).loose()),
        ),
      }),
    )
    .length(1),
  installations: z
    .array(
      z.object({
        app_id: z.string(),
        id: z.union([z.string(), z.number()]),
        name: z.string(),
        enabled: z.boolean(),
        settings: z.array(z.record(z.string(), z.unknown())),
      }),
    )
    .length(1),
});

function readManifest(dir: string): Record<string, unknown> & {
  name: string;
  version: string;
  location: Record<string, Record<string, { url: string }>>;
} {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
}

function copyOf(dir: string, name: string): string {
  const copy = join(root, name);
  cpSync(dir, copy, { recursive: true });
  return copy;
}

describe('zcli apps:server on the folder zendesk:serve hands it', () => {
  let port: number;
  let appJson: z.infer<typeof appJsonSchema>;

  beforeAll(async () => {
    ({ port } = await startAppsServer(zcliDir));
    const response = await fetch(`http://localhost:${port}/app.json`);
    expect(response.status).toBe(200);
    appJson = appJsonSchema.parse(await response.json());
  });

  it('describes the app from our manifest, with signed URLs and the server-hosted locations', () => {
    const manifest = readManifest(zcliDir);
    const [app] = appJson.apps;
    expect(app).toMatchObject({
      name: manifest.name,
      version: manifest.version,
      framework_version: manifest.frameworkVersion,
      default_locale: manifest.defaultLocale,
      signed_urls: true,
      // No app_id in zcli.apps.config.json: zcli poses as app 0.
      id: '0',
      asset_url_prefix: `http://localhost:${port}/0/assets/`,
    });
    // The locations are the manifest's, untouched: Zendesk fills in {{setting.server_url}}, so
    // the sidebar comes from our server, not from zcli. zcli only adds the nav_bar icon.
    expect(app?.locations).toEqual({
      support: {
        ticket_sidebar: { ...manifest.location.support?.ticket_sidebar },
        nav_bar: { ...manifest.location.support?.nav_bar, svg: 'icon_nav_bar.svg' },
      },
    });
    expect(app?.locations.support?.ticket_sidebar?.url).toBe(
      '{{setting.server_url}}/zendesk/sidebar',
    );
  });

  it('installs it with the settings from zcli.apps.config.json and a made-up installation id', () => {
    const [installation] = appJson.installations;
    expect(installation).toMatchObject({ app_id: '0', name: 'Data Connectors', enabled: true });
    expect(installation?.settings).toEqual([
      { title: 'Data Connectors' },
      { server_url: SERVER_URL },
    ]);
    // A fresh UUID on every start: no Zendesk installation has it (docs/zendesk.md, "Serve, create and update with zcli").
    expect(String(installation?.id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });

  it('serves every asset of the package, byte for byte, where /app.json says they are', async () => {
    const prefix = appJson.apps[0]?.asset_url_prefix ?? '';
    const assets = Object.keys(unzipSync(await zipOfOurPackager()))
      .filter((path) => path.startsWith('assets/'))
      .map((path) => path.slice('assets/'.length));
    expect(assets.sort()).toEqual(['icon_nav_bar.svg', 'logo-small.png', 'logo.png', 'logo.svg']);
    for (const name of assets) {
      const response = await fetch(`${prefix}${name}`);
      expect(response.status, name).toBe(200);
      expect(
        Buffer.from(await response.arrayBuffer()).equals(
          readFileSync(join(zcliDir, 'assets', name)),
        ),
        name,
      ).toBe(true);
    }
    const svg = appJson.apps[0]?.locations.support?.nav_bar?.svg;
    expect((await fetch(`${prefix}${svg}`)).status).toBe(200);
  });

  it('has no sidebar page of its own to serve: Zendesk loads it from the server, signed', async () => {
    const prefix = appJson.apps[0]?.asset_url_prefix ?? '';
    for (const name of ['iframe.html', 'app.js']) {
      expect((await fetch(`${prefix}${name}`)).status, name).toBe(404);
    }
    expect((await fetch(`http://localhost:${port}/0/${ZCLI_CONFIG_NAME}`)).status).toBe(404);
  });
});

describe('zcli apps:server with the created app named in zcli.apps.config.json', () => {
  it('poses as that app and installation, so Zendesk can sign loads the server accepts', async () => {
    const dir = copyOf(zcliDir, 'zcli-app-created');
    writeFileSync(
      join(dir, ZCLI_CONFIG_NAME),
      JSON.stringify({
        app_id: 1234567,
        installation_id: 7654321,
        parameters: { server_url: 'https://connectors.example.com' },
      }),
    );
    const { port } = await startAppsServer(dir);
    const appJson = appJsonSchema.parse(
      await (await fetch(`http://localhost:${port}/app.json`)).json(),
    );
    expect(appJson.apps[0]).toMatchObject({
      id: '1234567',
      asset_url_prefix: `http://localhost:${port}/1234567/assets/`,
    });
    expect(appJson.installations[0]).toMatchObject({ app_id: '1234567', id: 7654321 });
    expect(appJson.installations[0]?.settings).toContainEqual({
      server_url: 'https://connectors.example.com',
    });
  });
});

describe('zcli apps:bump', { timeout: 60_000 }, () => {
  // Concurrent: each bump is a second of zcli starting up, on a copy of its own.
  it.concurrent.for([
    { flags: [], level: 'patch (the default)', expected: '2.0.1' },
    { flags: ['--minor'], level: 'minor', expected: '2.1.0' },
    { flags: ['--major'], level: 'major', expected: '3.0.0' },
  ])(
    'bumps the $level version: 2.0.0 → $expected, nothing else',
    async ({ flags, expected }, { expect }) => {
      const dir = copyOf(zcliDir, `bump-${flags.join('') || 'default'}`);
      const before = readManifest(dir);
      expect(before.version).toBe('2.0.0');
      const result = await runZcli(['apps:bump', ...flags, dir]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(`Successfully bumped app version to: ${expected}`);
      expect(readManifest(dir)).toEqual({ ...before, version: expected });
    },
  );
});

async function zipOfOurPackager(): Promise<Uint8Array> {
  const outDir = join(root, 'our-zip');
  const result = await packageZendeskApp({ appDir, outDir, build: false });
  if (!result.ok) throw new Error(result.message);
  return readFileSync(result.path);
}

/**
 * zcli's own packaging step (zcli-apps lib/package.ts `createAppPkg`), the zip `apps:package`,
 * `apps:create` and `apps:update` upload. The commands themselves then send it to the account
 * (validation, upload), so they cannot run offline; the zip they send can.
 */
async function zipOfZcli(dir: string): Promise<Record<string, Uint8Array>> {
  const zcliApps = createRequire(resolveZcliBin())('@zendesk/zcli-apps/dist/lib/package') as {
    createAppPkg: (appPath: string) => Promise<string>;
  };
  const path = await zcliApps.createAppPkg(dir);
  const entries = unzipSync(readFileSync(path));
  // archiver also writes the folders as entries of their own; they carry no content.
  return Object.fromEntries(Object.entries(entries).filter(([name]) => !name.endsWith('/')));
}

describe('our package and the zip zcli uploads', () => {
  it('hold the same files with the same bytes, the manifest included', async () => {
    const ours = unzipSync(await zipOfOurPackager());
    const zcli = await zipOfZcli(copyOf(zcliDir, 'package-zcli'));
    expect(Object.keys(zcli).sort()).toEqual(Object.keys(ours).sort());
    for (const [name, bytes] of Object.entries(ours)) {
      expect(Buffer.from(zcli[name] ?? []).equals(Buffer.from(bytes)), name).toBe(true);
    }
    expect(JSON.parse(new TextDecoder().decode(zcli['manifest.json']))).toEqual(
      readManifest(APP_DIR),
    );
  });

  it('keeps zcli.apps.config.json out only because of the .zcliignore written beside it', async () => {
    const dir = copyOf(zcliDir, 'package-no-ignore');
    rmSync(join(dir, '.zcliignore'));
    expect(Object.keys(await zipOfZcli(dir))).toContain(ZCLI_CONFIG_NAME);
  });
});

describe('the folder zcli works on', () => {
  it('holds the packaged files, the settings and a .zcliignore, and drops files left from before', async () => {
    // A copy: zcli apps:server may still be watching the first folder.
    const outDir = copyOf(zcliDir, 'prepared-again');
    writeFileSync(join(outDir, 'stale.txt'), 'from an older build');
    const prepared = await prepareZcliApp({
      appDir,
      outDir,
      configPath: join(root, 'zcli.apps.config.json'),
      build: false,
    });
    if (!prepared.ok) throw new Error(prepared.message);
    expect(readdirRecursive(outDir).sort()).toEqual(
      [...prepared.entries, '.zcliignore', ZCLI_CONFIG_NAME].sort(),
    );
    expect(readFileSync(join(outDir, '.zcliignore'), 'utf8')).toBe(`${ZCLI_CONFIG_NAME}\n`);
    expect(JSON.parse(readFileSync(join(outDir, ZCLI_CONFIG_NAME), 'utf8'))).toEqual({
      parameters: { server_url: SERVER_URL },
    });
  });

  it('is not written when zcli.apps.config.json holds a secure setting', async () => {
    const manifest = readManifest(appDir);
    const secureApp = copyOf(appDir, 'secure-app');
    writeFileSync(
      join(secureApp, 'manifest.json'),
      JSON.stringify({
        ...manifest,
        parameters: [
          ...(manifest.parameters as object[]),
          { name: 'api_token', type: 'text', secure: true, required: true },
        ],
      }),
    );
    const configPath = join(root, 'secure.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ parameters: { server_url: SERVER_URL, api_token: 'not-a-real-token' } }),
    );
    const outDir = join(root, 'secure-out');
    const prepared = await prepareZcliApp({ appDir: secureApp, outDir, configPath, build: false });
    expect(prepared).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('parameters.api_token: a secure setting')],
    });
    expect(() => readdirRecursive(outDir)).toThrow();
  });
});

function readdirRecursive(dir: string): string[] {
  // readdirSync's recursive listing names the folders too; keep the files.
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => path.split('\\').join('/'));
}

describe('zcli.apps.config.json', () => {
  const manifest = readManifest(APP_DIR);

  it('the committed example passes', () => {
    const example: unknown = JSON.parse(
      readFileSync(join(APP_DIR, 'zcli.apps.config.example.json'), 'utf8'),
    );
    expect(checkZcliConfig(example, manifest)).toMatchObject({ ok: true });
  });

  it.each([
    [{ parameter: { server_url: SERVER_URL } }, 'Unrecognized key'],
    [
      { parameters: { serverUrl: SERVER_URL } },
      'parameters.serverUrl: the manifest declares no such parameter',
    ],
    [{ parameters: { server_url: 'https://connectors.example.com/' } }, 'without a trailing slash'],
    [{ parameters: { server_url: 'connectors.example.com' } }, 'without a trailing slash'],
    [{ app_id: 'abc' }, 'app_id'],
  ])('refuses %j', (config, problem) => {
    const checked = checkZcliConfig(config, manifest);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? [] : checked.problems.join('\n')).toContain(problem);
  });

  it('gets back the app id apps:create wrote into the folder, keeping the settings', () => {
    const dir = join(root, 'keep-app-id');
    mkdirSync(dir);
    const configPath = join(root, 'keep-app-id.config.json');
    writeFileSync(configPath, JSON.stringify({ parameters: { server_url: SERVER_URL } }));
    // What zcli's setConfig leaves after apps:create: the same file, plus app_id.
    writeFileSync(
      join(dir, ZCLI_CONFIG_NAME),
      JSON.stringify({ parameters: { server_url: SERVER_URL }, app_id: 987654 }),
    );
    expect(keepAppId(dir, configPath)).toBe(true);
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).toEqual({
      parameters: { server_url: SERVER_URL },
      app_id: 987654,
    });
    expect(keepAppId(dir, configPath)).toBe(false);
  });
});

/**
 * A stand-in for the account's apps API, with the answers zcli reads (zcli-apps
 * commands/apps/create.ts, update.ts, utils/uploadApp.ts). zcli only speaks https to
 * `<subdomain>.zendesk.com`; a preloaded script points its fetch at this server instead, so
 * everything else zcli does is its own.
 */
interface RecordedRequest {
  method: string;
  url: string;
  body: Buffer;
}

const APP_ID = 123456;
const INSTALLATION_ID = 777;

async function startFakeZendesk(): Promise<{
  origin: string;
  requests: RecordedRequest[];
  server: Server;
}> {
  const requests: RecordedRequest[] = [];
  const answers: Record<string, [number, unknown]> = {
    'POST /api/v2/apps/uploads.json': [201, { id: 42 }],
    'POST /api/apps.json': [200, { job_id: 'create-job' }],
    [`PUT /api/v2/apps/${APP_ID}`]: [200, { job_id: 'update-job' }],
    'GET /api/v2/apps/job_statuses/create-job': [
      200,
      { status: 'completed', message: 'ok', app_id: APP_ID },
    ],
    'GET /api/v2/apps/job_statuses/update-job': [
      200,
      { status: 'completed', message: 'ok', app_id: APP_ID },
    ],
    'POST /api/support/apps/installations.json': [201, { id: INSTALLATION_ID, app_id: APP_ID }],
    'GET /api/support/apps/installations.json': [
      200,
      { installations: [{ id: INSTALLATION_ID, app_id: APP_ID }] },
    ],
    [`PUT /api/support/apps/installations/${INSTALLATION_ID}.json`]: [200, { id: INSTALLATION_ID }],
  };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = req.method ?? '';
      const url = req.url ?? '';
      requests.push({ method, url, body: Buffer.concat(chunks) });
      const [status, body] = answers[`${method} ${url}`] ?? [404, { error: 'RecordNotFound' }];
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { origin: `http://127.0.0.1:${address.port}`, requests, server };
}

const REDIRECT_FETCH = `
const origin = process.env.DC_FAKE_ZENDESK_ORIGIN;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url);
  if (url.hostname !== 'acme.zendesk.com') throw new Error('not the fake Zendesk: ' + url.href);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  return realFetch(origin + url.pathname + url.search, { method: request.method, headers: request.headers, body });
};
`;

/** The zip inside a multipart upload (zcli sends it as the form field uploaded_data). */
function zipInUpload(body: Buffer): Record<string, Uint8Array> {
  const start = body.indexOf(Buffer.from('PK\x03\x04', 'latin1'));
  const end = body.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1')) + 22;
  const entries = unzipSync(body.subarray(start, end));
  return Object.fromEntries(Object.entries(entries).filter(([name]) => !name.endsWith('/')));
}

// Each run starts zcli: a second alone, several under the whole suite's load.
describe(
  'npm run zendesk:deploy and zendesk:update, against a stand-in for the apps API',
  { timeout: 60_000 },
  () => {
    let fake: Awaited<ReturnType<typeof startFakeZendesk>>;
    let configPath: string;
    let env: NodeJS.ProcessEnv;
    const lines: string[] = [];
    const run = (command: 'deploy' | 'update') =>
      runZcliCommand(command, [], {
        appDir,
        outDir: join(root, 'deploy-zcli-app'),
        configPath,
        build: false,
        env,
        stdio: 'pipe',
        log: (line) => lines.push(line),
      });

    beforeAll(async () => {
      fake = await startFakeZendesk();
      const preload = join(root, 'redirect-fetch.cjs');
      writeFileSync(preload, REDIRECT_FETCH);
      configPath = join(root, 'deploy.config.json');
      writeFileSync(
        configPath,
        JSON.stringify({ parameters: { server_url: 'https://connectors.example.com' } }),
      );
      env = {
        ...zcliEnv(),
        NODE_OPTIONS: `--require ${JSON.stringify(preload)}`,
        DC_FAKE_ZENDESK_ORIGIN: fake.origin,
        ZENDESK_SUBDOMAIN: 'acme',
        ZENDESK_EMAIL: 'admin@acme.example',
        ZENDESK_API_TOKEN: 'not-a-real-token',
      };
    });
    afterAll(() => {
      fake.server.close();
    });

    it('deploy uploads our package, installs it with the settings, and keeps the app id', async () => {
      const result = await run('deploy');
      expect(result.output).toContain(
        `Successfully installed app: Data Connectors with app_id: ${APP_ID}`,
      );
      expect(result.code).toBe(0);
      expect(lines.at(-1)).toBe(`Saved the app id in ${relative(process.cwd(), configPath)}.`);
      expect(JSON.parse(readFileSync(configPath, 'utf8'))).toEqual({
        parameters: { server_url: 'https://connectors.example.com' },
        app_id: APP_ID,
      });

      const upload = fake.requests.find((request) => request.url === '/api/v2/apps/uploads.json');
      const uploaded = zipInUpload(upload?.body ?? Buffer.alloc(0));
      const ours = unzipSync(await zipOfOurPackager());
      expect(Object.keys(uploaded).sort()).toEqual(Object.keys(ours).sort());
      const install = fake.requests.find(
        (request) =>
          request.url === '/api/support/apps/installations.json' && request.method === 'POST',
      );
      expect(JSON.parse(install?.body.toString() ?? '{}')).toEqual({
        app_id: String(APP_ID),
        settings: { name: 'Data Connectors', server_url: 'https://connectors.example.com' },
      });
    });

    it('update uploads the new package to the saved app and writes the settings to its installation', async () => {
      fake.requests.length = 0;
      const result = await run('update');
      expect(result.output).toContain(
        `Successfully updated app: Data Connectors with app_id: ${APP_ID}`,
      );
      expect(result.code).toBe(0);
      expect(fake.requests.map(({ method, url }) => `${method} ${url}`)).toEqual([
        'POST /api/v2/apps/uploads.json',
        `PUT /api/v2/apps/${APP_ID}`,
        'GET /api/v2/apps/job_statuses/update-job',
        'GET /api/support/apps/installations.json',
        `PUT /api/support/apps/installations/${INSTALLATION_ID}.json`,
      ]);
      expect(JSON.parse(fake.requests.at(-1)?.body.toString() ?? '{}')).toEqual({
        settings: { name: 'Data Connectors', server_url: 'https://connectors.example.com' },
      });
    });
  },
);
