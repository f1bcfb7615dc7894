import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../server/src/env/parse-env';
import type { ServerEnv } from '../../server/src/env/parse-env';
import { startServer } from '../../server/src/start-server';

/**
 * The server refuses to start, with a stable code and the line `npm start` prints, when its
 * secrets do not load or its port is taken.
 */
let dir: string;
let blocker: Server;
let takenPort: number;

function sandboxEnv(vars: Record<string, string>): ServerEnv {
  const parsed = parseEnv({ DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent', ...vars });
  if (!parsed.ok) throw new Error(parsed.error.problems.join('; '));
  return parsed.value;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dc-refusals-'));
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  takenPort = address.port;
});
afterAll(async () => {
  await new Promise((resolve) => blocker.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('startServer refusals', () => {
  it('refuses a secrets file that is not JSON, without echoing it', async () => {
    const secretsFile = join(dir, 'secrets.json');
    writeFileSync(secretsFile, '{"SHOPIFY_TOKEN": "cut-off-secret-value');
    const started = await startServer(sandboxEnv({ PORT: '0', SECRETS_FILE: secretsFile }));
    expect(started).toEqual({
      ok: false,
      error: {
        code: 'SECRETS_FILE_NOT_JSON',
        message: `cannot read secrets file ${secretsFile} (invalid JSON)`,
      },
    });
  });

  it('refuses a port that is already in use', async () => {
    const started = await startServer(sandboxEnv({ PORT: String(takenPort), HOST: '127.0.0.1' }));
    expect(started).toEqual({
      ok: false,
      error: {
        code: 'PORT_IN_USE',
        message: `port ${takenPort} is already in use; set PORT to another port`,
      },
    });
  });
});
