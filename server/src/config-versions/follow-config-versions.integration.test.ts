import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  adoptNewestConfigVersion,
  announceNewVersions,
  followConfigVersions,
} from './follow-config-versions';
import type { ConfigFollower } from './follow-config-versions';
import { openSqliteConfigVersionStore } from './sqlite-config-version-store';
import type { ConfigVersionStore } from './config-version-store';

const dirs: string[] = [];
const followers: ConfigFollower[] = [];
let store: ConfigVersionStore | undefined;
afterEach(async () => {
  for (const follower of followers.splice(0)) follower.close();
  await store?.close();
  store = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dc-follow-'));
  dirs.push(dir);
  const folder = join(dir, 'config');
  mkdirSync(folder);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

const read = (folder: string, name: string) => readFileSync(join(folder, name), 'utf8');

describe('following the config versions of other instances', () => {
  it('writes a newer version into this instance’s folder (by file name), drops files it lacks, and reloads', async () => {
    store = openSqliteConfigVersionStore({ path: ':memory:' });
    const here = configFolder({ 'a.json': 'old a', 'stale.json': 'gone soon' });
    let served = [{ file: join(here, 'a.json'), text: 'old a' }];
    let reloads = 0;
    const follower = followConfigVersions({
      store,
      configPath: here,
      served: () => served,
      reload: () => {
        reloads += 1;
        return Promise.resolve();
      },
      pollMs: 60_000,
    });
    followers.push(follower);
    // Another instance, with its config at another path, records an edit.
    await store.record({
      author: 'console: ada',
      connectors: 2,
      files: [
        { file: '/elsewhere/config/a.json', text: 'new a' },
        { file: '/elsewhere/config/b.json', text: 'new b' },
      ],
    });
    await follower.check();
    expect(read(here, 'a.json')).toBe('new a');
    expect(read(here, 'b.json')).toBe('new b');
    expect(() => read(here, 'stale.json')).toThrow(/ENOENT/);
    expect(reloads).toBe(1);
    // What it serves now is that version: a later check changes nothing.
    served = [
      { file: join(here, 'a.json'), text: 'new a' },
      { file: join(here, 'b.json'), text: 'new b' },
    ];
    await follower.check();
    expect(reloads).toBe(1);
  });

  it('announces only versions that are new', async () => {
    const announced: number[] = [];
    store = announceNewVersions(openSqliteConfigVersionStore({ path: ':memory:' }), (id) => {
      announced.push(id);
      return Promise.resolve();
    });
    const entry = { author: 'file', connectors: 1, files: [{ file: 'c.json', text: 'x' }] };
    await store.record(entry);
    await store.record(entry);
    // The same file at another instance's path is the same version (matched by name).
    await store.record({ ...entry, files: [{ file: '/elsewhere/c.json', text: 'x' }] });
    await store.record({ ...entry, files: [{ file: 'c.json', text: 'y' }] });
    expect(announced).toEqual([1, 2]);
  });

  it('at start, takes the newest version unless its own files changed after it', async () => {
    store = openSqliteConfigVersionStore({ path: ':memory:' });
    await store.record({
      author: 'console: ada',
      connectors: 1,
      files: [{ file: 'config/a.json', text: 'newest' }],
    });
    const stale = configFolder({ 'a.json': 'was down during the edit' });
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(stale, 'a.json'), past, past);
    expect(await adoptNewestConfigVersion({ store, configPath: stale })).toBe(true);
    expect(read(stale, 'a.json')).toBe('newest');

    const deployed = configFolder({ 'a.json': 'a deploy brought these files' });
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(deployed, 'a.json'), future, future);
    expect(await adoptNewestConfigVersion({ store, configPath: deployed })).toBe(false);
    expect(read(deployed, 'a.json')).toBe('a deploy brought these files');
  });
});
