import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeVersionDiff } from './describe-version-diff';
import { rollbackConfig } from './rollback-config';
import { openSqliteConfigVersionStore } from './sqlite-config-version-store';

const dirs: string[] = [];
function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'dc-versions-'));
  dirs.push(dir);
  const folder = join(dir, 'config');
  mkdirSync(folder);
  const store = openSqliteConfigVersionStore({ path: join(dir, 'config-versions.sqlite') });
  return { dir, folder, store };
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('rollbackConfig', () => {
  it('restores a config folder as it was: changed files back, files added since removed', async () => {
    const { folder, store } = setUp();
    const shopify = { file: join(folder, 'shopify.json'), text: '{"connectors":[]}\n' };
    await store.record({ author: 'file', connectors: 1, files: [shopify] });
    writeFileSync(shopify.file, '{"connectors":[1]}\n');
    writeFileSync(join(folder, 'jira.json'), '{}\n');
    writeFileSync(join(folder, '.jira.json.swp'), 'editor state');
    const two = await store.record({
      author: 'file',
      connectors: 2,
      files: [
        { file: shopify.file, text: '{"connectors":[1]}\n' },
        { file: join(folder, 'jira.json'), text: '{}\n' },
      ],
    });
    expect(two.added).toBe(true);

    const rolled = await rollbackConfig({ store, versionId: 1, configPath: folder, author: 'CLI' });
    expect(rolled.ok && rolled.value).toMatchObject({ id: 3, author: 'CLI: rollback to v1' });
    expect(readFileSync(shopify.file, 'utf8')).toBe(shopify.text);
    expect(existsSync(join(folder, 'jira.json'))).toBe(false);
    // Not config: left alone.
    expect(existsSync(join(folder, '.jira.json.swp'))).toBe(true);

    const three = await store.get(3);
    const twoFull = await store.get(2);
    if (!three || !twoFull) throw new Error('versions missing');
    expect(describeVersionDiff(twoFull, three)).toContain('-{"connectors":[1]}');
    await store.close();
  });

  it('refuses a version read from outside the config path, writing nothing', async () => {
    const { dir, folder, store } = setUp();
    const elsewhere = { file: join(dir, 'old-config.json'), text: '{}' };
    await store.record({ author: 'file', connectors: 0, files: [elsewhere] });
    const rolled = await rollbackConfig({ store, versionId: 1, configPath: folder, author: 'CLI' });
    expect(rolled.ok ? '' : rolled.error.code).toBe('CONFIG_VERSION_ELSEWHERE');
    expect(existsSync(elsewhere.file)).toBe(false);
    const missing = await rollbackConfig({
      store,
      versionId: 7,
      configPath: folder,
      author: 'CLI',
    });
    expect(missing.ok ? '' : missing.error.code).toBe('CONFIG_VERSION_NOT_FOUND');
    await store.close();
  });
});
