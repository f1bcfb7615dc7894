import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../../support/start-server-process';

export interface ServerInstance {
  child: ChildProcess;
  url: string;
  /** Ends the process at once, as a lost host would (no shutdown, leases left behind). */
  kill(): Promise<void>;
  /** Ends the process if it still runs and removes its data folder. */
  close(): Promise<void>;
}

/**
 * Several real server processes (`server/src/main.ts`) on one PostgreSQL schema, as
 * docs/deploy.md runs them: the same env and config, each with its own DATA_DIR and port.
 */
export async function startInstances(options: {
  count: number;
  /** The env every instance gets; DATA_DIR, CONNECTORS_CONFIG and PORT are set here. */
  env: NodeJS.ProcessEnv;
  config: unknown;
}): Promise<ServerInstance[]> {
  const starts = Array.from({ length: options.count }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-instance-'));
    const configPath = join(dataDir, 'connectors.json');
    writeFileSync(configPath, JSON.stringify(options.config, null, 2));
    const { child, url } = await startServerProcess({
      ...options.env,
      DATA_DIR: dataDir,
      CONNECTORS_CONFIG: configPath,
      PORT: '0',
    }).catch((error: unknown) => {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    });
    const end = async (signal: NodeJS.Signals) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    };
    return {
      child,
      url,
      kill: () => end('SIGKILL'),
      close: async () => {
        await end('SIGTERM');
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((instance) => instance.close()));
    throw failed.reason;
  }
  return started;
}
