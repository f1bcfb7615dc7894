import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openIdempotencyStore } from './idempotency-store';
import type { IdempotencyStore } from './idempotency-store';

const HOUR = 60 * 60 * 1000;
let clock = 0;
let store: IdempotencyStore;

function openStore(): IdempotencyStore {
  clock = Date.UTC(2026, 0, 1);
  store = openIdempotencyStore({ path: ':memory:', now: () => clock });
  return store;
}

afterEach(() => store.close());

describe('openIdempotencyStore', () => {
  it('starts a new key, then reports it in progress until it completes', () => {
    const keys = openStore();
    expect(keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'new' });
    expect(keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'in_progress' });
    keys.complete('agent:1', 'k1', { runId: 'r1', outcome: 'success' });
    expect(keys.begin('agent:1', 'k1', 'fp')).toEqual({
      state: 'done',
      result: { runId: 'r1', outcome: 'success' },
    });
  });

  it('refuses the same key with a different request', () => {
    const keys = openStore();
    keys.begin('agent:1', 'k1', 'fp-a');
    expect(keys.begin('agent:1', 'k1', 'fp-b')).toEqual({ state: 'mismatch' });
  });

  it('scopes keys to the caller', () => {
    const keys = openStore();
    keys.begin('agent:1', 'k1', 'fp');
    expect(keys.begin('agent:2', 'k1', 'other')).toEqual({ state: 'new' });
  });

  it('lets a refused request be retried after it is abandoned', () => {
    const keys = openStore();
    keys.begin('agent:1', 'k1', 'fp');
    keys.abandon('agent:1', 'k1');
    expect(keys.begin('agent:1', 'k1', 'fp-new')).toEqual({ state: 'new' });
  });

  it('reports a sent request in progress while it runs, and never frees it', () => {
    const keys = openStore();
    keys.begin('admin', 'k-sent-0001', 'fp');
    keys.markSent('admin', 'k-sent-0001', 'run_a');
    expect(keys.begin('admin', 'k-sent-0001', 'fp')).toEqual({ state: 'in_progress' });
    keys.abandon('admin', 'k-sent-0001');
    expect(keys.begin('admin', 'k-sent-0001', 'fp')).toEqual({ state: 'in_progress' });
  });

  it('treats a request stuck in progress for minutes as dead', () => {
    const keys = openStore();
    keys.begin('agent:1', 'k1', 'fp');
    clock += 4 * 60 * 1000;
    expect(keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'in_progress' });
    clock += 2 * 60 * 1000;
    expect(keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'new' });
  });

  it('never re-runs a request that sent and then hung past every timeout', () => {
    const keys = openStore();
    keys.begin('agent:1', 'k2', 'fp');
    keys.markSent('agent:1', 'k2', 'run_hung');
    clock += 6 * 60 * 1000;
    expect(keys.begin('agent:1', 'k2', 'fp')).toEqual({ state: 'unknown', runId: 'run_hung' });
  });

  it('forgets a completed key after 24 hours', () => {
    const keys = openStore();
    keys.begin('agent:1', 'k1', 'fp');
    keys.complete('agent:1', 'k1', { runId: 'r1' });
    clock += 23 * HOUR;
    expect(keys.begin('agent:1', 'k1', 'fp')).toMatchObject({ state: 'done' });
    clock += 2 * HOUR;
    expect(keys.begin('agent:1', 'k1', 'other')).toEqual({ state: 'new' });
  });

  it('replays a completed result with nothing in it', () => {
    const keys = openStore();
    keys.begin('agent:1', 'k1', 'fp');
    keys.complete('agent:1', 'k1', undefined);
    expect(keys.begin('agent:1', 'k1', 'fp')).toEqual({ state: 'done', result: null });
  });
});

describe('openIdempotencyStore after a restart', () => {
  it('after a crash, frees keys that sent nothing, never those that sent, and keeps finished ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idempotency-'));
    const path = join(dir, 'keys.sqlite');
    try {
      const before = openIdempotencyStore({ path });
      before.begin('admin', 'died-mid-run', 'fp');
      before.begin('admin', 'died-after-sending', 'fp');
      before.markSent('admin', 'died-after-sending', 'run_sent');
      before.begin('admin', 'finished', 'fp');
      before.complete('admin', 'finished', { runId: 'r1' });
      before.close();

      store = openIdempotencyStore({ path });
      expect(store.begin('admin', 'died-mid-run', 'fp')).toEqual({ state: 'new' });
      expect(store.begin('admin', 'died-after-sending', 'fp')).toEqual({
        state: 'unknown',
        runId: 'run_sent',
      });
      expect(store.begin('admin', 'finished', 'fp')).toEqual({
        state: 'done',
        result: { runId: 'r1' },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
