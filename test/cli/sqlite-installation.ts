import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredZendeskTokens } from '../../server/src/helpdesks/zendesk/client/zendesk-oauth-refresh';
import { SESSION_KEY_FILE } from '../../server/src/helpdesks/zendesk/identity/agent-session';
import { createSealedZendeskTokenStore } from '../../server/src/helpdesks/zendesk/zendesk-token-store';
import { createTokenCipher } from '../../server/src/secrets/token-cipher';
import type { TokenCipher } from '../../server/src/secrets/token-cipher';
import { createAgentKeys } from '../../server/src/agents/agent-keys';
import { openSqliteAgentKeyStore } from '../../server/src/agents/sqlite-agent-key-store';
import { openSqliteAlertStore } from '../../server/src/alerts/sqlite-alert-store';
import type { Backfill } from '../../server/src/backfills/backfill-store';
import { openSqliteBackfillStore } from '../../server/src/backfills/sqlite-backfill-store';
import { openSqliteConfigVersionStore } from '../../server/src/config-versions/sqlite-config-version-store';
import { openSqliteOAuthTokenStore } from '../../server/src/oauth/sqlite-oauth-token-store';
import { buildTestRun } from '../../server/src/run-log/build-test-run';
import { openSqliteIdempotencyStore } from '../../server/src/runs/sqlite-idempotency-store';
import {
  AGENT_KEYS_FILE,
  ALERTS_FILE,
  BACKFILLS_FILE,
  CONFIG_VERSIONS_FILE,
  DELIVERIES_FILE,
  IDEMPOTENCY_FILE,
  OAUTH_TOKENS_FILE,
  VERIFICATION_FILE,
} from '../../server/src/storage/open-sqlite-storage';
import { delivery } from '../../server/src/storage/contracts/delivery-queue-contract';
import { openSqliteVerificationStore } from '../../server/src/verification/sqlite-verification-store';
import { openSqliteDeliveryQueue } from '../../server/src/workflows/sqlite-delivery-queue';
import type { StepResult } from '../../server/src/workflows/delivery-queue';
import { writeRunLog } from './cli-support';

const HOUR = 60 * 60 * 1000;

/** What a stopped single-instance server left in its data folder, for the copy to carry over. */
export interface SqliteInstallation {
  runs: ReturnType<typeof buildTestRun>[];
  deliveries: { queued: string; running: string; dead: string; completed: string };
  /** A backfill stopped halfway through its matches, its cursor saved. */
  backfill: Backfill;
  agentKey: string;
  subject: { ticketKey: string; requesterEmail: string };
  verifiedUntil: number;
  /** session.key's text, and the rotated Zendesk tokens with the cipher they are sealed with. */
  sessionKey: string;
  zendeskTokens: StoredZendeskTokens;
  cipher: TokenCipher;
  /** The hash of code 123456 for `subject`, under the SQLite store's hashing key. */
  codeHash: Buffer;
}

const doneStep: StepResult = {
  type: 'run',
  outcome: 'success',
  message: 'Created JIRA-7',
  values: { issueKey: 'JIRA-7' },
  runId: 'run_01KE0000000000000000000001',
};

/**
 * Fills `dataDir` through the SQLite stores themselves, as a server would have: runs, deliveries
 * in every state (one interrupted mid-workflow with its first step done), an idempotency key,
 * agent keys, a verified requester, config versions, an alert pause, an OAuth connection, the
 * sidebar session key and the rotated Zendesk tokens.
 */
export async function writeSqliteInstallation(dataDir: string): Promise<SqliteInstallation> {
  const now = Date.now();
  const runs = [
    buildTestRun({
      connectorId: 'shopify_order_lookup',
      startedAt: new Date(now - HOUR).toISOString(),
    }),
    buildTestRun({
      connectorId: 'jira_create_issue',
      startedAt: new Date(now - 2 * HOUR).toISOString(),
      outcome: 'failed',
      errorCode: 'UPSTREAM_TIMEOUT',
      message: 'Jira did not answer within 10000 ms',
    }),
    buildTestRun({ connectorId: 'shopify_order_lookup', startedAt: new Date(now).toISOString() }),
  ];
  await writeRunLog(dataDir, runs);

  // A clock of its own, a second per delivery, so they are claimed in the order they came in.
  let clock = now - 60_000;
  const opened = openSqliteDeliveryQueue({
    path: join(dataDir, DELIVERIES_FILE),
    now: () => clock,
  });
  if (!opened.ok) throw new Error(opened.error.message);
  const queue = opened.value;
  const enqueue = async (n: number) => {
    clock += 1_000;
    const result = await queue.enqueue(
      delivery({
        dedupeKey: `zendesk:feature_request_to_jira:invocation:${n}`,
        target: { type: 'ticket', id: String(n) },
      }),
    );
    if (!result.ok) throw new Error(result.error.message);
    return result.delivery.id;
  };
  const completed = await enqueue(1);
  const dead = await enqueue(2);
  const running = await enqueue(3);
  const queued = await enqueue(4);
  const claim = async (id: string) => {
    const claimed = await queue.claimNext(60_000);
    if (claimed?.id !== id) throw new Error(`claimed ${claimed?.id}, not ${id}`);
    return claimed.lease.token;
  };
  const completedToken = await claim(completed);
  await queue.recordStep(completed, 'create_issue', 'done', doneStep);
  await queue.complete(completed, completedToken, { outcome: 'success', message: 'done' });
  const deadToken = await claim(dead);
  await queue.bury(dead, deadToken, { code: 'UPSTREAM_REFUSED', message: 'Jira said 400' });
  await claim(running);
  await queue.recordStep(running, 'create_issue', 'done', doneStep);
  await queue.recordStep(running, 'write_back', 'started', {
    type: 'write',
    outcome: 'success',
    message: 'writing',
  });
  await queue.close();

  const idempotency = openSqliteIdempotencyStore({ path: join(dataDir, IDEMPOTENCY_FILE) });
  await idempotency.begin('zendesk:shopify_order_lookup', 'key-1', 'fp-1');
  await idempotency.complete('zendesk:shopify_order_lookup', 'key-1', { outcome: 'success' });
  await idempotency.close();

  const agentKeyStore = openSqliteAgentKeyStore({ path: join(dataDir, AGENT_KEYS_FILE) });
  const agentKeys = createAgentKeys(agentKeyStore);
  const created = await agentKeys.create({
    name: 'Support bot',
    connectorIds: ['shopify_order_lookup'],
  });
  if (!created.ok) throw new Error(created.error.message);
  await agentKeys.create({ name: 'Old bot', connectorIds: ['*'] });
  await agentKeys.revoke('Old bot');
  await agentKeyStore.close();

  const verification = openSqliteVerificationStore({ path: join(dataDir, VERIFICATION_FILE) });
  const subject = { ticketKey: 'zendesk:4', requesterEmail: 'ana@example.com' };
  const verifiedUntil = now + HOUR;
  await verification.reserveSend(subject.requesterEmail, now, [{ windowMs: HOUR, max: 5 }]);
  await verification.markVerified(subject, verifiedUntil);
  const codeHash = await verification.hashCode(subject, '123456');
  await verification.close();

  const versions = openSqliteConfigVersionStore({ path: join(dataDir, CONFIG_VERSIONS_FILE) });
  await versions.record({
    author: 'admin',
    connectors: 1,
    files: [{ file: 'connectors.json', text: '{"v":1}' }],
  });
  await versions.record({
    author: 'CLI',
    connectors: 2,
    files: [{ file: 'connectors.json', text: '{"v":2}' }],
  });
  await versions.close();

  const alerts = openSqliteAlertStore({ path: join(dataDir, ALERTS_FILE) });
  const failure = {
    runId: runs[1]?.id ?? '',
    errorCode: 'UPSTREAM_TIMEOUT',
    message: 'Jira did not answer within 10000 ms',
    at: runs[1]?.startedAt ?? '',
  };
  await alerts.countRun('jira_create_issue', { atMs: now - 2 * HOUR, failure }, now - 24 * HOUR);
  await alerts.openIncident(
    'jira_create_issue',
    { since: failure.at, reason: '1 failure in a row' },
    true,
  );
  await alerts.close();

  const tokens = openSqliteOAuthTokenStore({ path: join(dataDir, OAUTH_TOKENS_FILE) });
  await tokens.connect({
    connectionId: 'google_calendar',
    clientKey: 'client-fingerprint',
    state: 'connected',
    sealed: 'v1.sealed-tokens',
    connectedAt: '2026-12-01T10:00:00.000Z',
    connectedBy: 'admin@example.com',
    connectedAs: 'ops@example.com',
    updatedAt: '2026-12-01T10:00:00.000Z',
  });
  await tokens.close();

  const backfills = openSqliteBackfillStore({ path: join(dataDir, BACKFILLS_FILE) });
  const backfill: Backfill = {
    id: 'bf_01KE0000000000000000000001',
    connectorId: 'shopify_order_lookup',
    system: 'zendesk',
    query: { kind: 'search', text: 'tags:order status<solved', targetType: 'ticket' },
    // Stopped after it failed: the reason comes along, as the console shows it.
    state: 'paused',
    cursor: undefined,
    enumerated: false,
    total: 250,
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T09:00:00.000Z',
    finishedAt: undefined,
    error: "The Zendesk helpdesk refused the backfill's query: Unsupported search keyword",
  };
  await backfills.create(backfill);
  await backfills.claimReader(backfill.id, 'the-old-server', HOUR);
  await backfills.savePage(
    backfill.id,
    'the-old-server',
    'cursor-page-3',
    false,
    backfill.updatedAt,
  );
  await backfills.close();

  const sessionKey = randomBytes(32).toString('base64url');
  writeFileSync(join(dataDir, SESSION_KEY_FILE), sessionKey, { mode: 0o600 });
  const cipher = createTokenCipher(randomBytes(32));
  const zendeskTokens = { seed: 'a'.repeat(64), refreshToken: 'rotated-3' };
  const saved = await createSealedZendeskTokenStore(dataDir, cipher).save(zendeskTokens);
  if (!saved.ok) throw new Error(saved.error.message);

  return {
    runs,
    sessionKey,
    zendeskTokens,
    cipher,
    deliveries: { queued, running, dead, completed },
    backfill: { ...backfill, cursor: 'cursor-page-3' },
    agentKey: created.value.key,
    subject,
    verifiedUntil,
    codeHash,
  };
}
