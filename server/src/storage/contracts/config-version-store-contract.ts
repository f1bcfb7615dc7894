import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigVersionStore } from '../../config-versions/config-version-store';

/**
 * What every ConfigVersionStore must do, whatever the database: run by each implementation's
 * test file with a factory that opens an empty store on the given clock.
 */
export function describeConfigVersionStoreContract(
  name: string,
  open: (now: () => number) => Promise<ConfigVersionStore>,
): void {
  let clock = 0;
  let store: ConfigVersionStore | undefined;
  const openStore = async () => {
    clock = Date.UTC(2026, 11, 4, 10);
    return (store = await open(() => clock));
  };
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const shopify = { file: 'config/shopify.json', text: '{"connectors":[]}\n' };
  const jira = { file: 'config/jira.json', text: '{}\n' };

  describe(`${name}: the config version store contract`, () => {
    it('numbers the versions 1, 2, 3 and answers each with its files', async () => {
      const versions = await openStore();
      const one = await versions.record({ author: 'file', connectors: 1, files: [shopify] });
      expect(one).toEqual({
        added: true,
        version: {
          id: 1,
          at: '2026-12-04T10:00:00.000Z',
          author: 'file',
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
          connectors: 1,
        },
      });
      clock += 60_000;
      const two = await versions.record({ author: 'ada', connectors: 2, files: [shopify, jira] });
      expect(two.version).toMatchObject({ id: 2, at: '2026-12-04T10:01:00.000Z', author: 'ada' });
      expect(await versions.get(2)).toEqual({ ...two.version, files: [shopify, jira] });
      expect(await versions.get(3)).toBeUndefined();
    });

    it('does not add a version for a config the same as the newest, whatever the file order', async () => {
      const versions = await openStore();
      const first = await versions.record({
        author: 'file',
        connectors: 2,
        files: [shopify, jira],
      });
      const again = await versions.record({
        author: 'file',
        connectors: 2,
        files: [jira, shopify],
      });
      expect(again).toEqual({ added: false, version: first.version });
      expect(await versions.list(10)).toHaveLength(1);
    });

    it('adds a version going back to an older config (a rollback is a new version)', async () => {
      const versions = await openStore();
      await versions.record({ author: 'file', connectors: 1, files: [shopify] });
      await versions.record({ author: 'file', connectors: 2, files: [shopify, jira] });
      const back = await versions.record({ author: 'CLI', connectors: 1, files: [shopify] });
      expect(back).toMatchObject({ added: true, version: { id: 3, author: 'CLI' } });
    });

    it('lists the newest first, as many as asked, without their files', async () => {
      const versions = await openStore();
      await versions.record({ author: 'file', connectors: 1, files: [shopify] });
      await versions.record({ author: 'file', connectors: 1, files: [jira] });
      await versions.record({ author: 'file', connectors: 2, files: [shopify, jira] });
      const listed = await versions.list(2);
      expect(listed.map((version) => version.id)).toEqual([3, 2]);
      expect(listed[0]).not.toHaveProperty('files');
    });
  });
}
