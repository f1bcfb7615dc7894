import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { writeBenchConfig } from './bench-config';
import { startChild } from './child-process';
import type { ChildHandle } from './child-process';
import { recordCannedBodies } from './instant-fakes';

/**
 * The V8 flags `npm start` gives the server (its heap limit, pretenuring off), read from
 * package.json so the two cannot drift. `--enable-source-maps` is left out: startChild gives it
 * to every child.
 */
const SERVER_START_FLAGS = (() => {
  const scripts = (
    JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }
  ).scripts;
  const words = scripts.start.replace(/^exec /, '').split(/\s+/);
  if (words[0] !== 'node' || !words.at(-1)?.endsWith('.mjs'))
    throw new Error(
      `package.json: the start script is not "node <flags> <file>.mjs": ${scripts.start}`,
    );
  const flags = words.slice(1, -1).filter((flag) => flag !== '--enable-source-maps');
  if (!flags.some((flag) => flag.startsWith('--max-old-space-size=')))
    throw new Error('package.json: the start script sets no --max-old-space-size');
  return flags;
})();

/**
 * Three processes: the instant fakes, the server, and this one (the load generator). Each gets
 * its own event loop, as they would on separate machines; on this 2-core box they share cores.
 */
export interface BenchStack {
  fakesUrl: string;
  serverUrl: string;
  adminToken: string;
  server: ChildHandle<{ url: string; adminToken: string }>;
  /** The instant fakes' process (answers `{ type: 'cpu' }` with its process.cpuUsage()). */
  fakes: ChildHandle<{ url: string }>;
  /** Every instance (one unless `instances` asked for more); runs go to them in turn. */
  servers: ChildHandle<{ url: string; adminToken: string }>[];
  /** Makes the fake Zendesk and upstream answer after this many ms (± jitter × ms, uniform). */
  setFakeDelay(ms: number, jitter?: number): Promise<void>;
  /** One connector run through the server, as the sidebar sends it; true when it succeeded. */
  runConnector(connectorId: string, ticketId: number): Promise<boolean>;
  /** The same run with the surface the huge-response connector needs. */
  runAutomation(connectorId: string, ticketId: number): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export interface ServerTimings {
  count: number;
  serverAddedMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  inServerMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  waitingMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

export async function startBenchStack(
  options: {
    timing?: boolean;
    exposeGc?: boolean;
    /** Runs before the server starts, with its data folder (to seed the run log). */
    prepareDataDir?: (dataDir: string) => Promise<void>;
    /** Every store on this PostgreSQL schema instead of SQLite (DATABASE_URL, DATABASE_SCHEMA). */
    database?: { url: string; schema: string };
    /** Server processes sharing the database (default 1; more needs `database`). */
    instances?: number;
    /** More environment for the server process. */
    serverEnv?: Record<string, string>;
    /** A command the server's node runs under (valgrind and its options, say). */
    serverWrapper?: readonly string[];
    /** More flags for the server's node (V8's log, say), before BENCH_SERVER_NODE_OPTIONS. */
    serverNodeFlags?: readonly string[];
  } = {},
): Promise<BenchStack> {
  const bodies = await recordCannedBodies();
  const fakes = await startChild<{ url: string }>('./fakes-child.ts', {
    env: { BENCH_BODIES: JSON.stringify(bodies) },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'dc-bench-'));
  const stopFakes = async () => {
    await fakes.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  // A folder of its own, as `npm start` keeps config/ apart from data/: the config watcher
  // watches the config's folder, and in the data folder every WAL write of every commit would
  // wake it (docs/performance.md, "What the sixteenth machine's session found").
  const configDir = join(dataDir, 'config');
  mkdirSync(configDir);
  const configPath = writeBenchConfig(configDir, fakes.ready.url);
  await options.prepareDataDir?.(dataDir).catch(async (error: unknown) => {
    await stopFakes();
    throw error;
  });
  const startServerChild = (instanceDir: string) =>
    startChild<{ url: string; adminToken: string }>('./server-child.ts', {
      env: {
        BENCH_SERVER: JSON.stringify({
          configPath,
          dataDir: instanceDir,
          zendeskUrl: fakes.ready.url,
          ...(options.database ? { database: options.database } : {}),
        }),
        BENCH_TIMING: options.timing ? '1' : '0',
        ...options.serverEnv,
      },
      // BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server; a
      // flag there overrides npm start's, the last one given winning (--max-old-space-size=1024,
      // or --allocation-site-pretenuring to measure the server as it ran before 12-05).
      execArgv: [
        ...SERVER_START_FLAGS,
        ...(options.exposeGc ? ['--expose-gc'] : []),
        ...(options.serverNodeFlags ?? []),
        ...(process.env.BENCH_SERVER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
      ],
      ...(options.serverWrapper ? { wrapper: options.serverWrapper } : {}),
    });
  const servers: ChildHandle<{ url: string; adminToken: string }>[] = [];
  try {
    for (let index = 0; index < (options.instances ?? 1); index += 1) {
      servers.push(
        await startServerChild(index === 0 ? dataDir : join(dataDir, `instance-${index}`)),
      );
    }
  } catch (error) {
    for (const started of servers) await started.stop();
    await stopFakes();
    throw error;
  }
  const server = servers[0]!;
  let turn = 0;
  const nextUrl = () => servers[turn++ % servers.length]!.ready.url;
  const agent = new Agent({ connections: 512, keepAliveTimeout: 60_000 });
  const authorization = `Bearer ${server.ready.adminToken}`;
  return {
    fakesUrl: fakes.ready.url,
    serverUrl: server.ready.url,
    adminToken: server.ready.adminToken,
    server,
    fakes,
    servers,
    setFakeDelay: async (ms, jitter = 0) => {
      await fakes.ask({ type: 'delay', ms, jitter });
    },
    runConnector: async (connectorId, ticketId) => {
      const res = await request(`${nextUrl()}/api/connectors/${connectorId}/run`, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ ticketId }),
      });
      const body = (await res.body.json()) as { outcome?: string };
      return res.statusCode === 200 && body.outcome === 'success';
    },
    runAutomation: async (connectorId, ticketId) => {
      const res = await request(`${server.ready.url}/api/connectors/${connectorId}/run`, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ ticketId, surface: 'automation' }),
      });
      return { status: res.statusCode, body: await res.body.json() };
    },
    close: async () => {
      await agent.close();
      for (const started of servers) await started.stop();
      await stopFakes();
    },
  };
}
