import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHomePage } from '../../server/src/api/home-page';
import { sandboxServerEnv, startServerProcess } from '../support/start-server-process';

/**
 * `npm start` as a new user meets it: the real entry point (server/src/main.ts) in sandbox mode,
 * its start banner, and the page at its address.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dc-banner-'));
let server: { child: ChildProcess; url: string; banner: string };

beforeAll(async () => {
  // The sandbox is what a machine without accounts gets: no helpdesk variables at all.
  server = await startServerProcess(
    sandboxServerEnv({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
  );
});

afterAll(() => {
  server?.child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('starting the sandbox', () => {
  it('prints where the preview, health and the sandbox helpdesk are', () => {
    expect(server.banner).toContain(`Data Connectors is running at ${server.url} (sandbox mode)`);
    expect(server.banner).toContain(`preview: ${server.url}/preview (the Zendesk sidebar`);
    expect(server.banner).toContain(`${server.url}/preview/salesforce (the Salesforce component`);
    expect(server.banner).toContain(`health:  ${server.url}/health`);
    expect(server.banner).toContain(`sandbox mail: ${server.url}/sandbox/mail`);
    expect(server.banner).toContain(`AI agents (MCP): ${server.url}/mcp`);
  });

  it("says OAuth tokens are sealed with the sandbox's public key until TOKEN_ENCRYPTION_KEY is set", () => {
    expect(server.banner).toContain(
      "OAuth tokens: sealed with the sandbox's public default key; set TOKEN_ENCRYPTION_KEY",
    );
  });

  it('answers its own address with a page that links to the preview and health', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain('<a href="/preview">');
    expect(page).toContain('<a href="/preview/salesforce">');
    expect(page).toContain('<a href="/health">');
    expect(page).toContain('docs/connectors.md');
    // The links lead somewhere.
    expect((await fetch(`${server.url}/preview`)).status).toBe(200);
    expect((await fetch(`${server.url}/preview/salesforce`)).status).toBe(200);
    expect((await fetch(`${server.url}/sandbox/mail`)).status).toBe(200);
    // /mcp is there, and asks for a key.
    expect((await fetch(`${server.url}/mcp`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe('the home page of a live server', () => {
  it('does not link to a preview it does not have', () => {
    const page = renderHomePage({ mode: 'live', preview: false, salesforcePreview: false });
    expect(page).toContain('running in live mode');
    expect(page).not.toContain('/preview');
    expect(page).toContain('<a href="/health">');
  });
});
