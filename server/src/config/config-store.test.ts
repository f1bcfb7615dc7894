import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfigStore } from './config-store';
import type { ConfigLogger, ConfigStore } from './config-store';
import type { LoadConfigResult } from './load-config';
import { compileStub, CONFIG_SCHEMA as schema } from '../test-support/config-load-stubs';
import type { StubCompiled } from '../test-support/config-load-stubs';

function configText(...ids: string[]): string {
  return JSON.stringify(
    {
      connections: { shop: { baseUrl: 'https://shop.example.com' } },
      connectors: ids.map((id) => ({
        id,
        name: id,
        connection: 'shop',
        request: { path: '/orders' },
      })),
    },
    null,
    2,
  );
}

type Result = LoadConfigResult<StubCompiled>;

/** Collects onChange events and lets a test await the first one matching a condition. */
function createChangeLog() {
  const seen: Result[] = [];
  const waiters: { match: (result: Result) => boolean; resolve: (result: Result) => void }[] = [];
  return {
    onChange(result: Result) {
      seen.push(result);
      for (const waiter of [...waiters]) {
        if (waiter.match(result)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(result);
        }
      }
    },
    next(match: (result: Result) => boolean, timeoutMs = 5_000): Promise<Result> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching reload within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (result) => {
            clearTimeout(timer);
            resolve(result);
          },
        });
      });
    },
    seen,
  };
}

const loadedWith =
  (...ids: string[]) =>
  (result: Result): boolean =>
    result.ok && result.value.compiled.connectorIds.join(',') === ids.join(',');
const failed = (result: Result): boolean => !result.ok;
const failedWith =
  (text: string) =>
  (result: Result): boolean =>
    !result.ok &&
    result.error.issues.some((issue) => `${issue.path} ${issue.message}`.includes(text));

let dir: string;
let file: string;
let store: ConfigStore<StubCompiled> | undefined;
let changes: ReturnType<typeof createChangeLog>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-store-'));
  file = join(dir, 'connectors.json');
  changes = createChangeLog();
});

afterEach(async () => {
  store?.close();
  store = undefined;
  await rm(dir, { recursive: true, force: true });
});

function openStore(path = file, logger?: ConfigLogger): ConfigStore<StubCompiled> {
  store = createConfigStore({
    path,
    schema,
    compile: compileStub,
    debounceMs: 20,
    pollMs: 200,
    onChange: changes.onChange,
    ...(logger ? { logger } : {}),
  });
  return store;
}

async function openWatchedStore(...ids: string[]): Promise<ConfigStore<StubCompiled>> {
  await writeFile(file, configText(...ids));
  const opened = openStore();
  const first = await opened.reload();
  expect(first.ok).toBe(true);
  opened.watch();
  return opened;
}

describe('createConfigStore', () => {
  it('serves nothing and reports the error when the first load fails', async () => {
    await writeFile(file, '{ "connectors": [ }');
    const opened = openStore();
    const result = await opened.reload();
    expect(result.ok).toBe(false);
    expect(opened.current()).toBeUndefined();
    const status = opened.status();
    expect(status.ok).toBe(false);
    expect(status.loadedAt).toBeUndefined();
    expect(status.lastError?.issues[0]).toMatchObject({ file, line: 1, column: 19 });
  });

  it('serves the loaded config and reports where it came from', async () => {
    const opened = await openWatchedStore('order_lookup');
    expect(opened.current()).toEqual({ connectorIds: ['order_lookup'] });
    const status = opened.status();
    expect(status).toMatchObject({ ok: true, files: [file], warnings: [] });
    expect(status.lastError).toBeUndefined();
    expect(Number.isNaN(Date.parse(status.loadedAt ?? ''))).toBe(false);
  });

  it('picks up a valid edit without a restart', async () => {
    const opened = await openWatchedStore('order_lookup');
    const reloaded = changes.next(loadedWith('order_lookup', 'refund'));
    await writeFile(file, configText('order_lookup', 'refund'));
    await reloaded;
    expect(opened.current()).toEqual({ connectorIds: ['order_lookup', 'refund'] });
  });

  it('keeps serving the last good config after a broken edit and reports the error', async () => {
    const logged: string[] = [];
    await writeFile(file, configText('order_lookup'));
    const opened = openStore(file, {
      info: () => undefined,
      warn: () => undefined,
      error: (message) => logged.push(message),
    });
    await opened.reload();
    opened.watch();

    const broken = changes.next(failedWith('methd'));
    await writeFile(
      file,
      configText('order_lookup').replace('"path": "/orders"', '"path": "/orders", "methd": "GET"'),
    );
    await broken;

    expect(opened.current()).toEqual({ connectorIds: ['order_lookup'] });
    const status = opened.status();
    expect(status.ok).toBe(false);
    expect(status.files).toEqual([file]);
    expect(status.lastError?.issues).toEqual([
      expect.objectContaining({
        file,
        path: '$.connectors[0].request.methd',
        hint: expect.stringContaining('did you mean "method"?'),
      }),
    ]);
    expect(logged.at(-1)).toContain('still serving the config loaded at');
    expect(logged.at(-1)).toContain('$.connectors[0].request.methd');
  });

  it('never replaces the last good config with a file caught halfway through a write', async () => {
    const opened = await openWatchedStore('order_lookup');
    const next = configText('order_lookup', 'refund');
    const truncated = changes.next(failedWith('Unexpected end of file'));
    await writeFile(file, next.slice(0, Math.floor(next.length / 2)));
    const result = await truncated;

    expect(opened.current()).toEqual({ connectorIds: ['order_lookup'] });
    expect(result.ok ? [] : result.error.issues.map((issue) => issue.file)).toEqual([file]);
    expect(opened.status().lastError?.issues[0]?.message).toContain('Unexpected end of file');
  });

  it('recovers once the broken file is fixed', async () => {
    const opened = await openWatchedStore('order_lookup');
    const broken = changes.next(failed);
    await writeFile(file, '{ "connectors": [ ');
    await broken;

    const fixed = changes.next(loadedWith('refund'));
    await writeFile(file, configText('refund'));
    await fixed;
    expect(opened.current()).toEqual({ connectorIds: ['refund'] });
    expect(opened.status().ok).toBe(true);
    expect(opened.status().lastError).toBeUndefined();
  });

  it('picks up an editor save that writes a temp file and renames it over the config', async () => {
    const opened = await openWatchedStore('order_lookup');
    for (const ids of [['refund'], ['refund', 'cancel']]) {
      const reloaded = changes.next(loadedWith(...ids));
      const temp = join(dir, `.connectors.json.${ids.length}.tmp`);
      await writeFile(temp, configText(...ids));
      await rename(temp, file);
      await reloaded;
      expect(opened.current()).toEqual({ connectorIds: ids });
    }
  });

  it('watches a folder and picks up a new file', async () => {
    await writeFile(join(dir, 'a.json'), configText('order_lookup'));
    const opened = openStore(dir);
    await opened.reload();
    opened.watch();

    const reloaded = changes.next(loadedWith('order_lookup', 'jira_issue'));
    await writeFile(
      join(dir, 'b.json'),
      JSON.stringify({
        connectors: [{ id: 'jira_issue', name: 'Jira', connection: 'shop', request: {} }],
      }),
    );
    const result = await reloaded;
    expect(result.ok && result.value.files).toEqual([join(dir, 'a.json'), join(dir, 'b.json')]);
  });

  it('keeps watching when the whole config folder is replaced', async () => {
    const folder = join(dir, 'connectors');
    await mkdir(folder);
    await writeFile(join(folder, 'a.json'), configText('order_lookup'));
    const opened = openStore(folder);
    await opened.reload();
    opened.watch();

    const replaced = changes.next(loadedWith('refund'));
    await rename(folder, join(dir, 'connectors-old'));
    await mkdir(folder);
    await writeFile(join(folder, 'a.json'), configText('refund'));
    await replaced;

    const edited = changes.next(loadedWith('refund', 'cancel'));
    await writeFile(join(folder, 'a.json'), configText('refund', 'cancel'));
    await edited;
    expect(opened.current()).toEqual({ connectorIds: ['refund', 'cancel'] });
  });

  it('notices edits by polling where the file system sends no events', async () => {
    await writeFile(file, configText('order_lookup'));
    store = createConfigStore({
      path: file,
      schema,
      compile: compileStub,
      fsEvents: false,
      debounceMs: 5,
      pollMs: 50,
      onChange: changes.onChange,
    });
    await store.reload();
    store.watch();
    const reloaded = changes.next(loadedWith('refund'));
    await writeFile(file, configText('refund'));
    await reloaded;
    expect(store.current()).toEqual({ connectorIds: ['refund'] });
  });

  it('reloads on demand and returns the outcome', async () => {
    const opened = await openWatchedStore('order_lookup');
    opened.close(); // only the explicit reload below may load the file
    await writeFile(file, configText('refund'));
    const result = await opened.reload();
    expect(result.ok && result.value.compiled).toEqual({ connectorIds: ['refund'] });
    expect(opened.current()).toEqual({ connectorIds: ['refund'] });
  });

  it('stops reloading after close', async () => {
    const opened = await openWatchedStore('order_lookup');
    opened.close();
    const before = changes.seen.length;
    await writeFile(file, configText('refund'));
    // Nothing can be awaited for an event that must not happen: allow well over one debounce
    // and one poll interval.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes.seen.length).toBe(before);
    expect(opened.current()).toEqual({ connectorIds: ['order_lookup'] });
  });

  it('records a crash in the compiler as an error instead of throwing from the watcher', async () => {
    await writeFile(file, configText('order_lookup'));
    store = createConfigStore({
      path: file,
      schema,
      compile: () => {
        throw new Error('boom');
      },
    });
    const result = await store.reload();
    expect(result.ok).toBe(false);
    expect(store.status().lastError?.issues[0]?.message).toBe(
      'The config could not be loaded: boom',
    );
  });
});
