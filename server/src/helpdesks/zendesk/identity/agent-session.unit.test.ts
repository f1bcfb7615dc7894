import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SESSION_KEY_FILE, createAgentSessions, readOrCreateSessionKey } from './agent-session';

const KEY = new TextEncoder().encode('k'.repeat(40));
const identity = {
  userId: 90000000002,
  accountHost: 'acme.zendesk.com',
  installationId: 9,
  appId: 77,
  location: 'ticket_sidebar',
};

function sessionsAt(clock: { now: number }, overrides: { key?: Uint8Array } = {}) {
  return createAgentSessions({
    key: overrides.key ?? KEY,
    accountHost: 'acme.zendesk.com',
    installationIds: [9],
    appId: 77,
    now: () => clock.now,
  });
}

describe('sidebar sessions', () => {
  it('name the user, account and installation Zendesk signed for, for 15 minutes', async () => {
    const clock = { now: Date.parse('2026-12-02T10:00:00Z') };
    const sessions = sessionsAt(clock);
    const issued = await sessions.start(identity);
    expect(issued.expiresAt).toBe('2026-12-02T10:15:00.000Z');
    expect(await sessions.verify(issued.token)).toMatchObject({
      ok: true,
      value: { userId: 90000000002, accountHost: 'acme.zendesk.com', installationId: 9 },
    });
    clock.now += 15 * 60_000 + 10_000;
    expect(await sessions.verify(issued.token)).toMatchObject({
      ok: false,
      error: { code: 'SESSION_EXPIRED' },
    });
  });

  it('are renewed with a new id, but never past 12 hours from the signed load', async () => {
    const clock = { now: Date.parse('2026-12-02T08:00:00Z') };
    const sessions = sessionsAt(clock);
    let current = await sessions.start(identity);
    for (let step = 0; step < 100; step += 1) {
      // Renew a minute before each token runs out, as the sidebar does.
      clock.now = Date.parse(current.expiresAt) - 60_000;
      const verified = await sessions.verify(current.token);
      if (!verified.ok) throw new Error(verified.error.reason);
      const renewed = await sessions.renew(verified.value);
      if (!renewed.ok) break;
      expect(renewed.value.session.id).not.toBe(verified.value.id);
      current = renewed.value;
    }
    // The last renewal before the 12 hours ends at exactly 20:00, not 15 minutes later.
    expect(current.expiresAt).toBe('2026-12-02T20:00:00.000Z');
    clock.now = Date.parse('2026-12-02T19:59:00Z');
    const last = await sessions.verify(current.token);
    if (!last.ok) throw new Error(last.error.reason);
    clock.now = Date.parse('2026-12-02T20:00:00Z');
    expect(await sessions.renew(last.value)).toMatchObject({
      ok: false,
      error: { code: 'SESSION_EXPIRED' },
    });
  });

  it('made with another key, or for another account or installation, are invalid', async () => {
    const clock = { now: Date.now() };
    const other = sessionsAt(clock, { key: new TextEncoder().encode('o'.repeat(40)) });
    const sessions = sessionsAt(clock);
    expect(await sessions.verify((await other.start(identity)).token)).toMatchObject({
      ok: false,
      error: { code: 'SESSION_INVALID' },
    });
    const elsewhere = createAgentSessions({
      key: KEY,
      accountHost: 'other.zendesk.com',
      installationIds: [9],
      appId: 77,
    });
    const foreign = await elsewhere.start({ ...identity, accountHost: 'other.zendesk.com' });
    expect(await sessions.verify(foreign.token)).toMatchObject({
      ok: false,
      error: { code: 'SESSION_INVALID' },
    });
  });
});

describe('the session key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dc-session-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once, readable by the owner only, and the same after a restart', () => {
    const first = readOrCreateSessionKey(dir, undefined);
    expect(first.length).toBe(32);
    expect(statSync(join(dir, SESSION_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readOrCreateSessionKey(dir, undefined)).toEqual(first);
    expect(readFileSync(join(dir, SESSION_KEY_FILE), 'utf8')).not.toBe('');
  });

  it('is APP_SESSION_SECRET when set (instances that share sessions)', () => {
    expect(new TextDecoder().decode(readOrCreateSessionKey(dir, 's'.repeat(32)))).toBe(
      's'.repeat(32),
    );
  });
});
