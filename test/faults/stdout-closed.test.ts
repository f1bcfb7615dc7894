import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxServerEnv, startServerProcess } from '../support/start-server-process';

/**
 * The real server when whatever reads its stdout goes away (a log shipper that died,
 * `npm start | head`): writing a log line then fails with EPIPE. Before, that error became an
 * uncaught exception, which the server logged to the same stdout, and so on, about 30,000
 * times a second, a core kept busy for ever. It must go on serving, say so once on stderr, and
 * stay idle when idle.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'dc-stdout-'));
let server: { child: ChildProcess; url: string };
let stderr = '';

/** CPU seconds the process has used (user + system), from /proc. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are the 14th and 15th fields, the 12th and 13th after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

beforeAll(async () => {
  server = await startServerProcess(
    sandboxServerEnv({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' }),
  );
  server.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
});

afterAll(() => {
  server?.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a server whose stdout has no reader any more', () => {
  it('goes on serving, says so once on stderr, and does not spin', async () => {
    server.child.stdout?.destroy();
    // Runs log a line each: the first one after the pipe closed meets EPIPE.
    for (let i = 0; i < 5; i += 1) {
      const ran = await fetch(`${server.url}/api/connectors/shopify_order_lookup/run`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sandbox-admin-token',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ ticketId: 1 }),
      });
      expect(ran.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const pid = server.child.pid as number;
    const before = cpuSecondsOf(pid);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Idle, the server uses a few ms of CPU a second; the loop used all of a core.
    expect(cpuSecondsOf(pid) - before).toBeLessThan(0.5);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(
      stderr.match(/stdout failed \(EPIPE\); log lines are dropped from now on/g),
    ).toHaveLength(1);
  });
});
