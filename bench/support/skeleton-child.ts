import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent } from 'undici';
import { runConnectorBodySchema } from '../../shared/src/api/request-schemas';
import {
  showTicketResponseSchema,
  updateTicketResponseSchema,
} from '../../server/src/helpdesks/zendesk/client/zendesk-schemas';
import { createAuthenticator } from '../../server/src/http/authenticate';
import { createRedactor } from '../../server/src/logging/redact';
import { createRunRedaction } from '../../server/src/logging/run-redaction';
import { migrateRunLogSchema } from '../../server/src/run-log/sqlite-run-log-schema';
import { answerParent } from './child-process';
import { createFloorRun } from './floor-run';
import { SKELETON_SECRETS, SKELETON_TOKEN } from './skeleton-secrets';
import { watchProcessCpu } from './process-cpu';
import { countWorkFromEnv } from './work-count';

/**
 * The skeleton: the least any server of this design does per run, with none of ours. It takes
 * `POST /run {"ticketId"}` on node:http, makes the floor's three calls with undici, commits a run
 * record of the log's size to a SQLite file with the run log's own schema (its table and its
 * eight indexes, WAL, synchronous NORMAL, one commit per event-loop turn, as the run log does),
 * and answers JSON once the record is committed. No framework, no validation, no redaction,
 * no authentication, no rate limits: what is left is the cost of the parts every run must have
 * (one inbound and three outbound exchanges, and a committed record), so that overhead-vs-floor
 * can show how far above the floor those parts alone put a server. BENCH_FAKES_URL names the
 * instant fakes.
 *
 * SKELETON_MUST_HAVES=1 adds what issue 16 says the design keeps, with the server's own code
 * for each: the bearer token checked by the server's authenticator, the body checked with the run
 * route's strict schema, Zendesk's two answers checked with the Zendesk client's schemas, and the record and
 * the answer passed through the run's redaction (secrets in every encoding, credential-looking
 * keys). Nothing else of the server (routing, rate limits, idempotency, alerts, templates,
 * JMESPath, the log line): the distance from this skeleton to the floor is what those needs
 * cost at the least, and what is left of the goal's budget is all the rest may cost.
 */
const fakesUrl = process.env.BENCH_FAKES_URL ?? '';
const mustHaves = process.env.SKELETON_MUST_HAVES === '1';
// The server's own check of an admin bearer token: the header's parse, the constant-time compare.
const { authenticate } = createAuthenticator({ adminToken: SKELETON_TOKEN, sessions: undefined });
const redactor = createRedactor(() => SKELETON_SECRETS);
const dataDir = mkdtempSync(join(tmpdir(), 'dc-skeleton-'));
const db = new Database(join(dataDir, 'runs.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const migrated = migrateRunLogSchema(db);
if (!migrated.ok) throw new Error(migrated.error.message);
const insert = db.prepare(
  `INSERT INTO runs (id, connector_id, target_system, target_id, outcome, started_at, details,
     error_code, source, actor, dry_run) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 0)`,
);
const insertAll = db.transaction((rows: unknown[][]) => {
  for (const row of rows) insert.run(...row);
});

let pending: { row: unknown[]; done: () => void }[] = [];
function commitLater(row: unknown[]): Promise<void> {
  return new Promise((done) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push({ row, done });
  });
}
function flush(): void {
  const batch = pending;
  pending = [];
  insertAll(batch.map((entry) => entry.row));
  for (const entry of batch) entry.done();
}

const agent = new Agent({ connections: 512, keepAliveTimeout: 60_000 });
const runThreeCalls = createFloorRun(
  fakesUrl,
  agent,
  mustHaves
    ? {
        ticket: (json) => showTicketResponseSchema.safeParse(json).success,
        updated: (json) => updateTicketResponseSchema.safeParse(json).success,
      }
    : undefined,
);

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      const startedAt = Date.now();
      const json: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      let ticketId = (json as { ticketId: number }).ticketId;
      if (mustHaves) {
        try {
          await authenticate(req.headers.authorization);
        } catch {
          answer(res, 401, { code: 'UNAUTHENTICATED' });
          return;
        }
        const body = runConnectorBodySchema.safeParse(json);
        if (!body.success) {
          answer(res, 400, { code: 'INVALID_REQUEST' });
          return;
        }
        ticketId = Number(body.data.ticketId);
      }
      const seen = await runThreeCalls(ticketId);
      const id = randomUUID();
      const outcome = seen.ok ? 'success' : 'failed';
      // The fields a connector run's record holds, with its logged request and answer.
      const record = {
        kind: 'connector',
        connectorId: 'shopify_order_lookup',
        source: 'api',
        actor: { kind: 'admin' },
        target: { type: 'ticket' },
        dryRun: false,
        inputs: { order_number: seen.order },
        request: {
          method: 'GET',
          url: seen.ordersUrl,
          headers: { accept: 'application/json', 'x-shopify-access-token': '[secret]' },
        },
        response: { status: seen.ordersStatus, body: seen.ordersText.slice(0, 2048) },
        outputs: seen.changes,
        writes: { status: 'written', changes: seen.changes },
        attempts: 1,
        durationMs: Date.now() - startedAt,
      };
      const redaction = mustHaves ? createRunRedaction(redactor, []) : undefined;
      const details = JSON.stringify(redaction ? redaction.deep(record, { byKey: true }) : record);
      await commitLater([
        id,
        'shopify_order_lookup',
        'zendesk',
        String(ticketId),
        outcome,
        startedAt,
        details,
        'api',
        'admin:',
      ]);
      const outputs = redaction ? redaction.deep(seen.changes) : seen.changes;
      answer(res, 200, { runId: id, outcome, outputs });
    })();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});

const readCpu = watchProcessCpu();
// bench/work-per-run.ts: promises and allocation per request, when COUNT_WORK_FILE asks.
countWorkFromEnv();
answerParent((message) => (message.type === 'cpu' ? readCpu() : {}));
process.once('SIGTERM', () => {
  server.close();
  void agent.close().then(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
