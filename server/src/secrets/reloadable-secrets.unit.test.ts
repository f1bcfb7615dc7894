import { describe, expect, it } from 'vitest';
import { createReloadableSecrets } from './reloadable-secrets';
import { createSecretSource } from './secret-source';
import type { LoadSecretsResult } from './secret-source';

/** A source whose next load answers whatever the test put in `next`. */
function sourceReturning(initial: Record<string, string>) {
  let next: LoadSecretsResult = { ok: true, value: createSecretSource(initial) };
  let clock = 0;
  const made = createReloadableSecrets(
    () => next,
    () => new Date(Date.UTC(2026, 10, 26, 12, 0, clock++)),
  );
  if (!made.ok) throw new Error(made.error.message);
  return {
    secrets: made.value,
    setValues: (values: Record<string, string>) => {
      next = { ok: true, value: createSecretSource(values) };
    },
    fail: (message: string) => {
      next = { ok: false, error: { code: 'SECRETS_FILE_NOT_JSON', message } };
    },
  };
}

describe('createReloadableSecrets', () => {
  it('serves new values after a reload that changed them, and keeps masking the old ones', () => {
    const source = sourceReturning({ SHOP: 'old-token-1', JIRA: 'jira-token' });
    source.setValues({ SHOP: 'new-token-2', JIRA: 'jira-token' });

    expect(source.secrets.reload()).toEqual({ ok: true, value: { changed: true, names: 2 } });
    expect(source.secrets.get('SHOP')).toBe('new-token-2');
    expect(source.secrets.values()).toEqual(
      expect.arrayContaining(['new-token-2', 'jira-token', 'old-token-1']),
    );
    expect(source.secrets.status()).toEqual({ ok: true, loadedAt: '2026-11-26T12:00:01.000Z' });
  });

  it('says unchanged, and keeps its load time, when the file was saved with the same values', () => {
    const source = sourceReturning({ SHOP: 'token' });
    source.setValues({ SHOP: 'token' });
    expect(source.secrets.reload()).toEqual({ ok: true, value: { changed: false, names: 1 } });
    expect(source.secrets.status().loadedAt).toBe('2026-11-26T12:00:00.000Z');
  });

  it('moves its version on a reload that changed the values, and only then', () => {
    const source = sourceReturning({ SHOP: 'token' });
    const first = source.secrets.version();
    source.setValues({ SHOP: 'token' });
    source.secrets.reload();
    expect(source.secrets.version()).toBe(first);
    source.setValues({ SHOP: 'rotated' });
    source.secrets.reload();
    expect(source.secrets.version()).not.toBe(first);
  });

  it('notices a secret that was removed', () => {
    const source = sourceReturning({ SHOP: 'token', JIRA: 'jira' });
    source.setValues({ SHOP: 'token' });
    expect(source.secrets.reload()).toEqual({ ok: true, value: { changed: true, names: 1 } });
    expect(source.secrets.get('JIRA')).toBeUndefined();
    expect(source.secrets.names()).toEqual(['SHOP']);
  });

  it('keeps the current values serving when a reload fails, and reports the failure until one works', () => {
    const source = sourceReturning({ SHOP: 'token' });
    source.fail('cannot read secrets file s.json (invalid JSON)');

    expect(source.secrets.reload()).toEqual({
      ok: false,
      error: {
        code: 'SECRETS_FILE_NOT_JSON',
        message: 'cannot read secrets file s.json (invalid JSON)',
      },
    });
    expect(source.secrets.get('SHOP')).toBe('token');
    expect(source.secrets.status()).toMatchObject({
      ok: false,
      lastError: { message: 'cannot read secrets file s.json (invalid JSON)' },
    });

    source.setValues({ SHOP: 'token' });
    source.secrets.reload();
    expect(source.secrets.status().ok).toBe(true);
  });

  it('refuses to start from a source that does not load', () => {
    const failure = { code: 'SECRETS_FILE_UNREADABLE', message: 'no file' } as const;
    const made = createReloadableSecrets(() => ({ ok: false, error: failure }));
    expect(made).toEqual({ ok: false, error: failure });
  });
});
