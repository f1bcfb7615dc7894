import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSecretSource, loadSecrets } from './secret-source';

const dir = mkdtempSync(join(tmpdir(), 'secret-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secretsFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('createSecretSource', () => {
  it('returns values by name and ignores empty ones', () => {
    const secrets = createSecretSource({ A_TOKEN: 'value-1', EMPTY: '' });
    expect(secrets.get('A_TOKEN')).toBe('value-1');
    expect(secrets.get('EMPTY')).toBeUndefined();
    expect(secrets.get('OTHER')).toBeUndefined();
    expect(secrets.values()).toEqual(['value-1']);
  });
});

describe('loadSecrets', () => {
  it('reads only SECRET_-prefixed environment variables with valid names', () => {
    const result = loadSecrets({
      SECRET_SHOPIFY_TOKEN: 'shpat_1',
      SECRET_lower: 'ignored',
      SECRET_: 'ignored',
      SECRET_EMPTY: '',
      ADMIN_TOKEN: 'server-only',
      DATABASE_URL: 'postgres://x',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.values()).toEqual(['shpat_1']);
    expect(result.value.get('SHOPIFY_TOKEN')).toBe('shpat_1');
    expect(result.value.get('ADMIN_TOKEN')).toBeUndefined();
  });

  it('reads a secrets file, and the environment wins over it', () => {
    const file = secretsFile(
      'ok.json',
      JSON.stringify({ JIRA_EMAIL: 'a@b.c', JIRA_API_TOKEN: 'from-file' }),
    );
    const result = loadSecrets({ SECRET_JIRA_API_TOKEN: 'from-env' }, file);
    expect(result.ok && result.value.get('JIRA_EMAIL')).toBe('a@b.c');
    expect(result.ok && result.value.get('JIRA_API_TOKEN')).toBe('from-env');
  });

  it('reports a missing file by its error code', () => {
    const missing = join(dir, 'missing.json');
    expect(loadSecrets({}, missing)).toEqual({
      ok: false,
      error: {
        code: 'SECRETS_FILE_UNREADABLE',
        message: `cannot read secrets file ${missing} (ENOENT)`,
      },
    });
  });

  it('reports invalid JSON without echoing the content', () => {
    const file = secretsFile('broken.json', '{"TOKEN": "hunter2-secret-value",');
    const result = loadSecrets({}, file);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'SECRETS_FILE_NOT_JSON',
        message: `cannot read secrets file ${file} (invalid JSON)`,
      },
    });
  });

  it('names the wrong entries of a malformed file without echoing any value', () => {
    const file = secretsFile(
      'shape.json',
      JSON.stringify({
        GOOD: 'good-secret-value',
        lower_name: 'other-secret-value',
        NUMBER: 12345678,
      }),
    );
    const result = loadSecrets({}, file);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('SECRETS_FILE_INVALID');
    expect(result.error.message).toContain('lower_name');
    expect(result.error.message).toContain('NUMBER');
    for (const value of ['good-secret-value', 'other-secret-value', '12345678']) {
      expect(result.error.message).not.toContain(value);
    }
  });

  it('refuses a file that is not an object', () => {
    const file = secretsFile('array.json', '["secret-in-array"]');
    const result = loadSecrets({}, file);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SECRETS_FILE_INVALID', message: expect.stringContaining('(top level)') },
    });
    expect(result.ok || result.error.message.includes('secret-in-array')).toBe(false);
  });
});
