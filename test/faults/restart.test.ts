import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeZendesk } from '../../server/src/sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../../server/src/sandbox/fake-zendesk/fake-zendesk';
import { SANDBOX_ZENDESK_CREDENTIALS } from '../../server/src/sandbox/seed/zendesk-seed';
import { addFaultyConnector, startMisbehavingUpstream } from './support/misbehaving-upstream';
import { startServerProcess } from '../support/start-server-process';
import type { MisbehavingUpstream } from './support/misbehaving-upstream';

/**
 * The server process dies (SIGKILL: no shutdown hook runs) while a run waits on the upstream,
 * and starts again on the same data folder, as a crashed container would be restarted.
 */
const ADMIN_TOKEN = 'restart-admin-token-0123456789abcdef';
const TICKET = 4;
let zendesk: RunningFakeZendesk;
let upstream: MisbehavingUpstream;
let dataDir: string;
let configPath: string;

beforeAll(async () => {
  zendesk = await startFakeZendesk();
  upstream = await startMisbehavingUpstream();
  upstream.setSlowOkDelay(1_000);
  dataDir = mkdtempSync(join(tmpdir(), 'dc-restart-'));
  configPath = join(dataDir, 'connectors.json');
  const config = JSON.parse(readFileSync('config/connectors.json', 'utf8')) as Record<
    string,
    unknown
  >;
  delete config.$schema;
  addFaultyConnector(config, upstream.url, { timeoutMs: 5_000 });
  writeFileSync(configPath, JSON.stringify(config));
});
afterAll(async () => {
  await zendesk.close();
  await upstream.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  return startServerProcess({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    CONNECTORS_CONFIG: configPath,
    SECRETS_FILE: 'config/sandbox.secrets.json',
    LOG_LEVEL: 'warn',
    ZENDESK_BASE_URL: zendesk.baseUrl,
    ZENDESK_EMAIL: SANDBOX_ZENDESK_CREDENTIALS.email,
    ZENDESK_API_TOKEN: SANDBOX_ZENDESK_CREDENTIALS.apiToken,
    ADMIN_TOKEN,
  });
}

function runSlow(url: string, idempotencyKey: string) {
  return request(`${url}/api/connectors/faulty_call/run`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    },
    body: JSON.stringify({ ticketId: TICKET, surface: 'automation', inputs: { mode: 'slow-ok' } }),
  });
}

const ticketPuts = () =>
  zendesk.journal.filter(
    (entry) => entry.method === 'PUT' && entry.path === `/api/v2/tickets/${TICKET}.json`,
  );

describe('the server restarting in the middle of a run', () => {
  it('leaves the ticket untouched, and never sends a request again under the same Idempotency-Key', async () => {
    const key = 'restart-key-0001';
    const tagsBefore = [...(zendesk.store.findTicket(TICKET)?.tags ?? [])];
    const first = await startServer();
    const inFlight = runSlow(first.url, key).then(
      () => 'answered',
      (error: unknown) => error,
    );
    await upstream.waitForHits('slow-ok', 1);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;

    // The caller learns the run did not finish: the connection broke, there is no answer.
    expect(await inFlight).toBeInstanceOf(Error);
    // The single ticket update never went out, so nothing is half-written.
    expect(ticketPuts()).toHaveLength(0);
    expect(zendesk.store.findTicket(TICKET)?.tags).toEqual(tagsBefore);

    const second = await startServer();
    try {
      // The request reached the upstream before the crash: it may have acted there, so the
      // same key is not sent again. The caller is told, with the run to look at.
      const retried = await runSlow(second.url, key);
      const body = (await retried.body.json()) as { error: { code: string; details?: unknown } };
      expect(retried.statusCode).toBe(409);
      expect(body.error).toMatchObject({
        code: 'IDEMPOTENCY_OUTCOME_UNKNOWN',
        details: { runId: expect.stringMatching(/^run_/) },
      });
      expect(upstream.hits.get('slow-ok')).toBe(1);
      expect(ticketPuts()).toHaveLength(0);

      // A new key is a new request, and runs.
      const fresh = await runSlow(second.url, 'restart-key-0002');
      expect(await fresh.body.json()).toMatchObject({ outcome: 'success' });
      expect(upstream.hits.get('slow-ok')).toBe(2);
    } finally {
      second.child.kill('SIGTERM');
    }
  });
});
