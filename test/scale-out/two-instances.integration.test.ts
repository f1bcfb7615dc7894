import { readFileSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestSchema,
  TEST_DATABASE_URL,
} from '../../server/src/test-support/postgres-test-schema';
import type { TestSchema } from '../../server/src/test-support/postgres-test-schema';
import { signInToConsole } from '../support/console-session';
import { startTestStack } from '../support/start-test-stack';
import type { TestInstance, TestStack } from '../support/start-test-stack';

/**
 * Two instances of the server on one PostgreSQL schema, as docs/deploy.md runs them behind a
 * load balancer: what one does, the other sees. (The webhook flood with an instance killed
 * mid-delivery runs real processes: deliveries-across-instances.test.ts.)
 */

let schema: TestSchema;
let a: TestStack;
let b: TestInstance;
beforeAll(async () => {
  schema = await createTestSchema('two');
  a = await startTestStack({
    env: { database: { url: TEST_DATABASE_URL, schema: schema.schema } },
    heartbeatMs: 250,
  });
  b = await a.startInstance();
}, 60_000);
afterAll(async () => {
  await a?.close();
  await schema?.drop();
});

function run(url: string, connectorId: string, body: object, headers: Record<string, string> = {}) {
  return request(url)
    .post(`/api/connectors/${connectorId}/run`)
    .set(a.adminAuth)
    .set(headers)
    .send(body);
}

async function servedNames(url: string): Promise<Record<string, string>> {
  const answer = await request(url).get('/api/admin/console/connectors').set(a.adminAuth);
  expect(answer.status).toBe(200);
  return Object.fromEntries(
    (answer.body.connectors as { id: string; name: string }[]).map((c) => [c.id, c.name]),
  );
}

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

describe('two instances on one PostgreSQL', () => {
  it('each reports the database and both instances on /health', async () => {
    // The first instance counts the second at its next heartbeat.
    for (const url of [b.url, a.url]) {
      await waitUntil(
        async () => (await request(url).get('/health')).body.database?.instances === 2,
        6_000,
      );
      const health = await request(url).get('/health');
      expect(health.body).toMatchObject({
        status: 'ok',
        database: { kind: 'postgres', ok: true, instances: 2 },
      });
    }
  });

  it('reads from one a run recorded by the other', async () => {
    const ran = await run(a.url, 'shopify_order_lookup', { ticketId: 2 });
    expect(ran.status).toBe(200);
    const read = await request(b.url).get(`/api/runs/${ran.body.runId}`).set(a.adminAuth);
    expect(read.status).toBe(200);
    expect(read.body.run ?? read.body).toMatchObject({ id: ran.body.runId });
  });

  it('accepts on one a sidebar session signed in on the other', async () => {
    const agent = await a.signInAgent();
    const listed = await request(b.url).get('/api/connectors?ticketId=1').set(agent.auth);
    expect(listed.status).toBe(200);
    const ran = await request(b.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(agent.auth)
      .send({ ticketId: 1 });
    expect(ran.status).toBe(200);
    expect(ran.body.outcome).toBe('success');
  });

  it('runs once when the same Idempotency-Key reaches both at once', async () => {
    const created = a.upstream.createdIssues.length;
    const headers = { 'Idempotency-Key': 'both-instances-0001' };
    const body = { ticketId: 4, confirmed: true };
    const answers = await Promise.all([
      run(a.url, 'jira_create_issue', body, headers),
      run(b.url, 'jira_create_issue', body, headers),
    ]);
    expect(a.upstream.createdIssues.length).toBe(created + 1);
    // One ran; the other got its answer, or was told it is still running.
    expect(answers.map((answer) => answer.status).sort()).toEqual(
      answers.some((answer) => answer.status === 409) ? [200, 409] : [200, 200],
    );
    // Asked again through either, the stored answer, and still one issue.
    const again = await run(b.url, 'jira_create_issue', body, headers);
    const first = answers.find((answer) => answer.status === 200 && !answer.body.replayed);
    expect(again.body).toMatchObject({ replayed: true, runId: first?.body.runId });
    expect(a.upstream.createdIssues.length).toBe(created + 1);
  });

  it('serves an edit made through one on both within 5 seconds, and a rollback too', async () => {
    const session = await signInToConsole(a);
    const source = await request(a.url)
      .get('/api/admin/console/connectors/shopify_order_lookup/source')
      .set(session.read);
    const before = (source.body.connector as { name: string }).name;
    const saved = await request(a.url)
      .put('/api/admin/console/connectors/shopify_order_lookup')
      .set(session.write)
      .send({
        connector: { ...source.body.connector, name: 'Order lookup (edited on A)' },
        fileHash: source.body.fileHash,
      });
    expect(saved.status).toBe(200);
    const took = await waitUntil(
      async () => (await servedNames(b.url)).shopify_order_lookup === 'Order lookup (edited on A)',
      5_000,
    );
    expect(took).toBeLessThan(5_000);
    expect(readFileSync(b.configPath, 'utf8')).toContain('Order lookup (edited on A)');

    const versions = await request(a.url).get('/api/admin/config/versions').set(a.adminAuth);
    const previous = (versions.body.versions as { id: number }[])[1]!;
    const rolled = await request(a.url)
      .post(`/api/admin/config/versions/${previous.id}/rollback`)
      .set(a.adminAuth);
    expect(rolled.status).toBe(200);
    await waitUntil(async () => (await servedNames(b.url)).shopify_order_lookup === before, 5_000);
    expect((await servedNames(a.url)).shopify_order_lookup).toBe(before);
  });

  it('keeps the last good config on both when a file is broken on one', async () => {
    const names = await servedNames(b.url);
    const good = readFileSync(a.configPath, 'utf8');
    writeFileSync(a.configPath, `${good.slice(0, -20)} oops`);
    await waitUntil(async () => {
      const status = await request(a.url).get('/api/admin/config').set(a.adminAuth);
      return status.body.ok === false;
    }, 5_000);
    // Two polls of the other instance later, it still serves the good config, unchanged.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await servedNames(b.url)).toEqual(names);
    expect(await servedNames(a.url)).toEqual(names);
    expect((await request(b.url).get('/api/admin/config').set(a.adminAuth)).body.ok).toBe(true);
    writeFileSync(a.configPath, good);
  });
});
