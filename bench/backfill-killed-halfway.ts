import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { BENCH_CONNECTOR, writeBenchConfig } from './support/bench-config';
import { startChild } from './support/child-process';
import type { ChildHandle } from './support/child-process';
import { recordCannedBodies } from './support/instant-fakes';
import type { Benchmark, BenchmarkReport } from './support/report';

/**
 * A backfill over every ticket a Zendesk search finds (`tags:bench_ticket`), with the server killed
 * (SIGKILL) once half of them are done and started again on the same data folder. The backfill
 * goes on by itself from its saved cursor; its progress (done, rate, time left) is printed every
 * few seconds, as the CLI shows it. At the end each ticket must have one completed delivery and
 * the connector's write on it, and no ticket may have been written twice.
 *
 * The fake Zendesk runs without limits here: this measures the backfill's bookkeeping, not the
 * pacing (burst-at-rate-limits.ts does that).
 */
const TICKETS = Number(process.env.BENCH_BACKFILL_TICKETS ?? 50_000);
const WORKERS = '200';

interface Progress {
  state: string;
  total: number;
  found: number;
  processed: number;
  succeeded: number;
  failed: number;
  ratePerSecond: number;
  etaSeconds: number | null;
}

function describe(progress: Progress): string {
  const eta = progress.etaSeconds === null ? '–' : `${Math.round(progress.etaSeconds)} s`;
  return `${progress.processed}/${progress.total} done (${progress.failed} failed), ${progress.found} found, ${progress.ratePerSecond.toFixed(0)}/s, ${eta} left`;
}

export const backfillKilledHalfway: Benchmark = {
  name: 'backfill-killed-halfway',
  async run(): Promise<BenchmarkReport> {
    const dir = mkdtempSync(join(tmpdir(), 'dc-backfill-'));
    const children: ChildHandle<unknown>[] = [];
    const agent = new Agent({ connections: 16 });
    const progressLines: string[] = [];
    try {
      const upstream = await startChild<{ url: string }>('./fakes-child.ts', {
        env: { BENCH_BODIES: JSON.stringify(await recordCannedBodies()) },
      });
      children.push(upstream);
      const zendesk = await startChild<{ url: string }>('./limited-zendesk-child.ts', {
        env: { BENCH_TICKETS: String(TICKETS), BENCH_PLAN: 'unlimited' },
      });
      children.push(zendesk);
      const configPath = writeBenchConfig(dir, upstream.ready.url);
      const startServer = () =>
        startChild<{ url: string; adminToken: string }>('./server-child.ts', {
          env: {
            BENCH_SERVER: JSON.stringify({
              configPath,
              dataDir: dir,
              zendeskUrl: zendesk.ready.url,
              env: { WORKFLOW_CONCURRENCY: WORKERS, LOG_LEVEL: 'warn' },
            }),
          },
        });
      let server = await startServer();
      children.push(server);
      const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
        const res = await request(`${server.ready.url}/api${path}`, {
          method,
          dispatcher: agent,
          headers: {
            authorization: `Bearer ${server.ready.adminToken}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const json = (await res.body.json()) as { backfill?: Progress & { id: string } };
        if (res.statusCode >= 300) throw new Error(`${path}: ${JSON.stringify(json)}`);
        return json.backfill as Progress & { id: string };
      };

      const started = performance.now();
      const { id } = await call('POST', '/admin/backfills', {
        connectorId: BENCH_CONNECTOR,
        search: 'tags:bench_ticket',
      });
      let killedAt: Progress | undefined;
      let progress: Progress;
      let lastPrint = 0;
      for (;;) {
        progress = await call('GET', `/admin/backfills/${id}`);
        if (performance.now() - lastPrint > 5_000) {
          lastPrint = performance.now();
          const line = `${((lastPrint - started) / 1000).toFixed(0)} s: ${describe(progress)}`;
          progressLines.push(line);
          console.log(`  backfill ${line}`);
        }
        if (!killedAt && progress.processed >= TICKETS / 2) {
          killedAt = progress;
          await server.kill();
          server = await startServer();
          children.push(server);
          progressLines.push(`killed (SIGKILL) at ${describe(progress)}; restarted`);
          console.log(`  backfill killed at ${describe(progress)}; restarted`);
          continue;
        }
        if (progress.state === 'done') break;
        await delay(500);
      }
      const elapsedMs = performance.now() - started;
      await server.stop();

      const queue = new Database(join(dir, 'workflows.sqlite'), { readonly: true });
      const perTarget = queue
        .prepare(
          `SELECT COUNT(*) AS deliveries, COUNT(DISTINCT target_id) AS targets,
                  SUM(state = 'completed' AND outcome = 'success') AS succeeded
           FROM deliveries WHERE workflow_id LIKE 'backfill:%'`,
        )
        .get() as { deliveries: number; targets: number; succeeded: number };
      queue.close();
      const runs = new Database(join(dir, 'runs.sqlite'), { readonly: true });
      const twice = runs
        .prepare(
          `SELECT COUNT(*) AS n FROM (SELECT target_id FROM runs
             WHERE connector_id = ? AND dry_run = 0 AND outcome = 'success'
             GROUP BY target_id HAVING COUNT(*) > 1)`,
        )
        .get(BENCH_CONNECTOR) as { n: number };
      runs.close();
      const written = await zendesk.ask<{ written: number }>({ type: 'count-written' });

      const exactlyOnce =
        perTarget.deliveries === TICKETS &&
        perTarget.targets === TICKETS &&
        perTarget.succeeded === TICKETS &&
        written.written === TICKETS;
      return {
        name: 'backfill-killed-halfway',
        title: `Backfill of ${TICKETS.toLocaleString('en')} tickets, the server killed once halfway`,
        rows: [
          {
            tickets: TICKETS,
            deliveries: perTarget.deliveries,
            'distinct tickets': perTarget.targets,
            succeeded: perTarget.succeeded,
            'tickets written': written.written,
            'tickets run twice (in flight at the kill)': twice.n,
            took: `${(elapsedMs / 1000).toFixed(0)} s`,
            'runs/s': ((TICKETS / elapsedMs) * 1000).toFixed(0),
          },
        ],
        targets: [
          {
            name: 'backfill',
            target: `${TICKETS.toLocaleString('en')} tickets, killed once halfway: every ticket done exactly once, progress shown`,
            measured: `${perTarget.succeeded} succeeded in ${perTarget.deliveries} deliveries over ${perTarget.targets} tickets, ${written.written} written; ${progressLines.length} progress lines`,
            met: exactlyOnce && progressLines.length > 0,
          },
        ],
        notes: [
          `killed at: ${killedAt ? describe(killedAt) : 'never (finished first)'}`,
          `a ticket whose run was in flight at the kill runs again on restart (the lookup is a GET; the write-back is stamped, so the ticket is written once): ${twice.n} such`,
          ...progressLines,
        ],
      };
    } finally {
      await agent.close();
      for (const child of children.reverse()) await child.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
