import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { nodeArgsFor } from './entry-bundle';

/**
 * This process's environment as a machine without accounts has it, for the sandbox: no helpdesk
 * variables, no admin token, no secrets; `overrides` on top.
 */
export function sandboxServerEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(ZENDESK|SALESFORCE|ADMIN_TOKEN|SECRET_)/.test(name)) delete env[name];
  }
  return Object.assign(env, overrides);
}

/**
 * The real server (`server/src/main.ts`) in a child process, for the tests that kill it
 * (SIGKILL mid-run) and start it again on the same data folder. Resolves once it says it is
 * running, with the address it printed; rejects with everything it printed if it exits first.
 */
export async function startServerProcess(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string; banner: string }> {
  const child = spawn(process.execPath, nodeArgsFor('server/src/main.ts'), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // The banner is written in one piece once the server listens.
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /running at (http:\/\/[\d.:]+)/.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before it was ready:\n${output}`)),
    );
  });
  // Keep reading, so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return { child, url, banner: output };
}
