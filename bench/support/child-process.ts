import { fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from '../../test/support/entry-bundle';

/**
 * Runs a TypeScript module in its own Node process, bundled with esbuild and run by plain node
 * as `npm start` runs the server (dist/server.mjs), so its CPU and memory are its own: the load
 * generator's heap never shows up in the server's RSS, and the server gets a core instead of
 * sharing an event loop with the fakes.
 *
 * The child sends `{ type: 'ready', ...info }` once; after that, `ask` sends a message with an
 * id and resolves with the child's answer carrying the same id.
 */
export interface ChildHandle<Ready> {
  ready: Ready;
  pid: number;
  ask<T>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would end it (nothing flushed, nothing closed). */
  kill(): Promise<void>;
}

export async function startChild<Ready>(
  module: string,
  options: { env?: Record<string, string>; execArgv?: string[]; wrapper?: readonly string[] } = {},
): Promise<ChildHandle<Ready>> {
  const source = fileURLToPath(new URL(module, import.meta.url));
  // Inside the project, so that the bundle's external packages resolve from node_modules.
  const path = join('bench', '.build', basename(source).replace(/\.ts$/, '.mjs'));
  bundleEntry(source, path);
  const nodeArgs = ['--enable-source-maps', ...(options.execArgv ?? [])];
  // `wrapper` runs the child as `wrapper… node <flags> <file>` (valgrind and its options, say).
  const [wrapperPath, ...wrapperArgs] = options.wrapper ?? [];
  // BENCH_CHILD_STDOUT=/tmp/x keeps what the children print (V8's --trace-* output, say).
  const stdout = process.env.BENCH_CHILD_STDOUT
    ? openSync(`${process.env.BENCH_CHILD_STDOUT}.${basename(path)}`, 'a')
    : 'ignore';
  const child: ChildProcess = fork(path, [], {
    ...(wrapperPath === undefined
      ? { execArgv: nodeArgs }
      : { execPath: wrapperPath, execArgv: [...wrapperArgs, process.execPath, ...nodeArgs] }),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
  });
  // The child has its own copy of the file's descriptor.
  if (typeof stdout === 'number') closeSync(stdout);
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${module} exited with ${code} before ready`)));
    child.on('message', (raw) => {
      const message = raw as { type?: string; id?: number };
      if (message.type === 'ready') resolve(message as Ready);
      else if (message.id !== undefined) {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    ready,
    pid: child.pid ?? -1,
    ask: <T>(message: Record<string, unknown>) =>
      new Promise<T>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve as (value: unknown) => void);
        child.send({ ...message, id });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** For child modules: answers each `ask` with what `handle` returns. */
export function answerParent(
  handle: (message: { type: string; [key: string]: unknown }) => unknown,
): void {
  // An orphaned benchmark process would skew the next run's figures.
  process.once('disconnect', () => process.exit(0));
  process.on('message', (raw) => {
    const message = raw as { id: number; type: string };
    void Promise.resolve(handle(message)).then((answer) =>
      process.send?.({ ...(answer as object), id: message.id }),
    );
  });
}
