import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_KEYS_FILE, ALERTS_FILE, CONFIG_VERSIONS_FILE } from './open-sqlite-storage';
import { openStorage } from './open-storage';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('openStorage', () => {
  it.each([AGENT_KEYS_FILE, CONFIG_VERSIONS_FILE, ALERTS_FILE])(
    'names the file that cannot open (%s), and leaves the folder usable once it is fixed',
    async (file) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'dc-storage-'));
      dirs.push(dataDir);
      // A folder where the database should be: SQLite cannot open it.
      mkdirSync(join(dataDir, file));
      const failed = await openStorage({ dataDir, runLogRetentionDays: 7 });
      expect(failed.ok ? '' : failed.error).toMatchObject({
        code: 'STORAGE_OPEN_FAILED',
        message: expect.stringContaining(`Could not open ${join(dataDir, file)}`),
      });
      rmSync(join(dataDir, file), { recursive: true });
      const opened = await openStorage({ dataDir, runLogRetentionDays: 7 });
      expect(opened.ok).toBe(true);
      if (opened.ok) return opened.value.close();
      return undefined;
    },
  );
});
