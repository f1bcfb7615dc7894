import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SANDBOX_SECRETS, startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';

/**
 * Rotating a secret without a restart: the server re-reads SECRETS_FILE when it changes, a file
 * that does not load leaves the previous secrets serving (and says so on /health), and the
 * config is recompiled so a connector whose secret disappeared is marked unavailable.
 */
const WRONG_TOKEN = 'rotated-out-token-0001';
let dir: string;
let secretsFile: string;
let stack: TestStack;

/** Saves the way editors and secret managers do: a new file renamed over the old one. */
function saveSecrets(text: string): void {
  const temporary = join(dir, 'secrets.json.tmp');
  writeFileSync(temporary, text);
  renameSync(temporary, secretsFile);
}

async function health() {
  return (await request(stack.url).get('/health')).body as {
    status: string;
    secrets: { ok: boolean; loadedAt: string; error: string | null };
  };
}

async function runLookup() {
  const res = await request(stack.url)
    .post('/api/connectors/shopify_order_lookup/run')
    .set(stack.adminAuth)
    .send({ ticketId: 1 });
  return res.body as { outcome: string; error?: { code: string; message: string } };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dc-secrets-'));
  secretsFile = join(dir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ ...SANDBOX_SECRETS, SHOPIFY_TOKEN: WRONG_TOKEN }));
  stack = await startTestStack({ secretsFile });
});
afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rotating secrets in SECRETS_FILE', () => {
  it('uses a new value without a restart, keeps the old values on a broken save, and recompiles', async () => {
    expect(await runLookup()).toMatchObject({ outcome: 'failed' });
    const first = await health();
    expect(first.secrets).toMatchObject({ ok: true, error: null });

    saveSecrets(JSON.stringify(SANDBOX_SECRETS));
    await vi.waitFor(
      async () => expect((await health()).secrets.loadedAt).not.toBe(first.secrets.loadedAt),
      {
        timeout: 10_000,
        interval: 100,
      },
    );
    expect(await runLookup()).toMatchObject({ outcome: 'success' });

    saveSecrets('{"SHOPIFY_TOKEN": "cut off');
    await vi.waitFor(async () => expect((await health()).secrets.ok).toBe(false), {
      timeout: 10_000,
      interval: 100,
    });
    const broken = await health();
    expect(broken.status).toBe('degraded');
    expect(broken.secrets.error).toMatch(
      /cannot read secrets file .*secrets\.json \(invalid JSON\)/,
    );
    expect(await runLookup()).toMatchObject({ outcome: 'success' });

    const withoutShopify: Record<string, string> = { ...SANDBOX_SECRETS };
    delete withoutShopify.SHOPIFY_TOKEN;
    saveSecrets(JSON.stringify(withoutShopify));
    await vi.waitFor(
      async () =>
        expect(await runLookup()).toMatchObject({ error: { code: 'CONFIG_SECRET_MISSING' } }),
      { timeout: 10_000, interval: 200 },
    );
    expect((await health()).secrets).toMatchObject({ ok: true, error: null });

    const logged = stack.logLines.join('\n');
    expect(logged).toContain('secrets reloaded');
    const failed = stack.logLines.find((line) => line.includes('secrets reload failed'));
    expect(failed && JSON.parse(failed)).toMatchObject({ code: 'SECRETS_FILE_NOT_JSON' });
    for (const value of [WRONG_TOKEN, SANDBOX_SECRETS.SHOPIFY_TOKEN]) {
      expect(logged).not.toContain(value);
    }
  });
});
