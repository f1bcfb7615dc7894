import { readFileSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { signInToConsole } from '../support/console-session';
import type { ConsoleSignIn } from '../support/console-session';

/**
 * Editing from the console: an edit is checked as the whole config the server would load, and
 * written atomically into the file that holds the connector only when it is valid. A rejected
 * save leaves the file, the served config and the history as they were.
 */

let stack: TestStack;
let session: ConsoleSignIn;
beforeAll(async () => {
  stack = await startTestStack();
  session = await signInToConsole(stack);
});
afterAll(async () => {
  await stack.close();
});

const api = () => request(stack.url);

async function sourceOf(id: string) {
  const answer = await api().get(`/api/admin/console/connectors/${id}/source`).set(session.read);
  expect(answer.status).toBe(200);
  return answer.body as {
    file: string;
    index: number;
    connector: Record<string, unknown>;
    fileHash: string;
  };
}

async function listed() {
  const answer = await api().get('/api/admin/console/connectors').set(session.read);
  expect(answer.status).toBe(200);
  return answer.body.connectors as { id: string; name: string; state: string }[];
}

describe('checking an edit', () => {
  it('names the file, JSON path and fix for each issue, and writes nothing', async () => {
    const before = readFileSync(stack.configPath, 'utf8');
    const { connector } = await sourceOf('shopify_order_lookup');
    const answer = await api()
      .post('/api/admin/console/connectors/shopify_order_lookup/check')
      .set(session.write)
      .send({ connector: { ...connector, connection: 'no_such_connection', surfaces: ['fax'] } });
    expect(answer.status).toBe(200);
    expect(answer.body.ok).toBe(false);
    const issues = answer.body.issues as {
      file: string;
      path: string;
      message: string;
      hint: string;
      line?: number;
    }[];
    expect(issues.length).toBeGreaterThanOrEqual(1);
    for (const issue of issues) {
      expect(issue.file).toBe(stack.configPath);
      expect(issue.path).toMatch(/^\$\.connectors\[\d+\]/);
      expect(issue.hint.length).toBeGreaterThan(0);
      expect(issue.line).toBeGreaterThan(0);
    }
    expect(issues.map((issue) => issue.path).join(' ')).toMatch(/surfaces/);
    expect(readFileSync(stack.configPath, 'utf8')).toBe(before);
  });
});

describe('saving an edit', () => {
  it('refuses an invalid one with 422 and changes nothing: file, served config, history', async () => {
    const before = readFileSync(stack.configPath, 'utf8');
    const versionsBefore = (await api().get('/api/admin/config/versions').set(session.read)).body
      .versions;
    const { connector, fileHash } = await sourceOf('shopify_order_lookup');
    const answer = await api()
      .put('/api/admin/console/connectors/shopify_order_lookup')
      .set(session.write)
      .send({
        connector: { ...connector, name: 'Broken', request: { method: 'FETCH' } },
        fileHash,
      });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('CONFIG_INVALID');
    expect(answer.body.error.details.issues[0].path).toMatch(/request/);
    expect(readFileSync(stack.configPath, 'utf8')).toBe(before);
    expect((await listed()).find((c) => c.id === 'shopify_order_lookup')?.name).not.toBe('Broken');
    const versionsAfter = (await api().get('/api/admin/config/versions').set(session.read)).body
      .versions;
    expect(versionsAfter).toEqual(versionsBefore);
  });

  it('writes a valid one into its file, leaves the rest of the file as it was, and keeps a version by the console user', async () => {
    const before = readFileSync(stack.configPath, 'utf8');
    const { connector, fileHash, index } = await sourceOf('jira_create_issue');
    const answer = await api()
      .put('/api/admin/console/connectors/jira_create_issue')
      .set(session.write)
      .send({ connector: { ...connector, name: 'Create a Jira issue (edited)' }, fileHash });
    expect(answer.status).toBe(200);
    expect(answer.body.version.author).toBe('admin (console)');
    const after = readFileSync(stack.configPath, 'utf8');
    expect(after).not.toBe(before);
    const parsedBefore = JSON.parse(before);
    const parsedAfter = JSON.parse(after);
    // Only that connector's name changed; everything else is the same JSON.
    parsedBefore.connectors[index].name = 'Create a Jira issue (edited)';
    expect(parsedAfter).toEqual(parsedBefore);
    expect((await listed()).find((c) => c.id === 'jira_create_issue')?.name).toBe(
      'Create a Jira issue (edited)',
    );
    const version = await api()
      .get(`/api/admin/config/versions/${answer.body.version.id}`)
      .set(session.read);
    expect(version.body.diff).toContain('+      "name": "Create a Jira issue (edited)"');
  });

  it('refuses to overwrite a file edited by hand since the console opened it', async () => {
    const { connector, fileHash } = await sourceOf('jira_issue_from_comment');
    // Someone edits the file meanwhile (and the server reloads it).
    const text = readFileSync(stack.configPath, 'utf8');
    writeFileSync(
      stack.configPath,
      text.replace('"Create Jira issue from a comment"', '"From a comment"'),
    );
    await request(stack.url).post('/api/admin/config/reload').set(stack.adminAuth);
    const answer = await api()
      .put('/api/admin/console/connectors/jira_issue_from_comment')
      .set(session.write)
      .send({ connector: { ...connector, name: 'Mine' }, fileHash });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('CONFIG_CHANGED');
    expect(readFileSync(stack.configPath, 'utf8')).toContain('"From a comment"');
  });
});

describe('creating a connector', () => {
  it('adds a draft that the console lists and the sidebar does not', async () => {
    const { connector } = await sourceOf('shopify_order_lookup');
    const draft = {
      ...connector,
      id: 'order_status_draft',
      name: 'Order status (draft)',
      draft: true,
    };
    delete (draft as Record<string, unknown>).agent;
    const created = await api()
      .post('/api/admin/console/connectors')
      .set(session.write)
      .send({ connector: draft });
    expect(created.status).toBe(201);
    expect(created.body.file).toBe(stack.configPath);
    expect((await listed()).find((c) => c.id === 'order_status_draft')?.state).toBe('draft');
    const agent = await stack.signInAgent();
    const sidebar = await request(stack.url).get('/api/connectors?ticketId=1').set(agent.auth);
    expect((sidebar.body.connectors as { id: string }[]).map((c) => c.id)).not.toContain(
      'order_status_draft',
    );
    const again = await api()
      .post('/api/admin/console/connectors')
      .set(session.write)
      .send({ connector: draft });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONNECTOR_EXISTS');
  });
});

describe('the logs', () => {
  it('filters by ticket, surface and actor, opens a run, and exports what the filters select', async () => {
    const agent = await stack.signInAgent();
    const ran = await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(agent.auth)
      .send({ ticketId: 1 });
    expect(ran.status).toBe(200);
    const runId = ran.body.runId as string;
    await request(stack.url)
      .post('/api/connectors/shopify_order_lookup/run')
      .set(stack.adminAuth)
      .send({ ticketId: 2, dryRun: true });

    const ids = async (query: string) => {
      const answer = await api().get(`/api/admin/console/runs?${query}`).set(session.read);
      expect(answer.status, query).toBe(200);
      expect(answer.body.retentionDays).toBe(7);
      return (answer.body.runs as { id: string }[]).map((run) => run.id);
    };
    expect(await ids('system=zendesk&targetId=1')).toContain(runId);
    expect(await ids('targetId=2')).not.toContain(runId);
    expect(await ids('source=zendesk&actorKind=agent')).toContain(runId);
    expect(await ids('actorKind=admin')).not.toContain(runId);
    expect(await ids('source=mcp')).toEqual([]);
    const bad = await api().get('/api/admin/console/runs?actorId=42').set(session.read);
    expect(bad.status).toBe(400);

    const run = await api().get(`/api/admin/console/runs/${runId}`).set(session.read);
    expect(run.body.run.request.url).toContain('/orders.json');
    expect(run.body.run.response.status).toBe(200);

    const csv = await api()
      .get('/api/admin/console/runs/export?format=csv&targetId=1')
      .set(session.read);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="runs-.*\.csv"/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,startedAt,kind,what,/);
    expect(lines.some((line) => line.startsWith(`${runId},`))).toBe(true);
    expect(lines.every((line) => !line.includes(',2,'))).toBe(true);
  });
});
