import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPM_START_BUNDLE_OPTIONS } from '../../../test/support/entry-bundle';

/**
 * The production bundle (`npm run build:server`, which `npm start` runs) must not load the
 * sandbox's fake helpdesks or the preview page in live mode: they hold well-known credentials and
 * sign sidebar loads. They are imported dynamically, so esbuild puts them in chunks of their own
 * that only sandbox mode loads. This builds with the same options and reads esbuild's metafile.
 *
 * Packages a server may never use are imported when first needed too: the MCP SDK (about 26 MiB
 * of RSS, 10 MB of heap that every major collection marks), nodemailer (15 MiB), pg (15 MiB, for
 * a server on SQLite), the sandbox's mail catcher (mailparser, smtp-server) and jsforce. One
 * static import anywhere on the way from main.ts brings a package back into every server's
 * memory, and nothing else would notice: the memory benchmark is not part of `npm test`
 * (docs/performance.md, "Memory").
 */
const SCRIPT = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts['build:server'] as string;

const LOADED_WHEN_NEEDED = [
  '@modelcontextprotocol/server',
  '@modelcontextprotocol/node',
  'nodemailer',
  'pg',
  'mailparser',
  'smtp-server',
  'jsforce',
];

describe('the production bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'dc-bundle-'));
  let outputs: Metafile['outputs'] = {};
  /** The output files the entry loads at startup: itself and the chunks it imports statically. */
  const loadedAtStart = new Set<string>();

  beforeAll(async () => {
    // The options below must be the script's; if it changes, NPM_START_BUNDLE_OPTIONS must too.
    const options = NPM_START_BUNDLE_OPTIONS;
    for (const flag of [
      '--bundle',
      '--splitting',
      `--format=${options.format}`,
      `--packages=${options.packages}`,
      `--platform=${options.platform}`,
      `--target=${options.target}`,
      `--out-extension:.js=${options.outExtension['.js']}`,
    ]) {
      expect(SCRIPT).toContain(flag);
    }
    const result = await build({
      ...NPM_START_BUNDLE_OPTIONS,
      entryPoints: ['server/src/main.ts'],
      outdir,
      entryNames: 'server',
      chunkNames: 'chunks/[name]-[hash]',
      metafile: true,
      logLevel: 'silent',
    });
    outputs = result.metafile.outputs;
    const entry = Object.entries(outputs).find(
      ([, output]) => output.entryPoint === 'server/src/main.ts',
    );
    if (!entry) throw new Error('no entry chunk');
    // Chunks the entry imports statically load with it; dynamic imports do not.
    const visit = (path: string) => {
      loadedAtStart.add(path);
      for (const imported of outputs[path]?.imports ?? []) {
        if (imported.kind !== 'import-statement' || imported.external) continue;
        if (!loadedAtStart.has(imported.path)) visit(imported.path);
      }
    };
    visit(entry[0]);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('keeps the sandbox and the preview out of the entry chunk, in lazily loaded chunks', () => {
    const inputsLoadedAtStart = [...loadedAtStart].flatMap((path) =>
      Object.keys(outputs[path]?.inputs ?? {}),
    );
    expect(inputsLoadedAtStart.some((input) => input.startsWith('server/src/api/'))).toBe(true);
    expect(
      inputsLoadedAtStart.filter(
        (input) =>
          input.startsWith('server/src/sandbox/') || input.startsWith('server/src/preview/'),
      ),
    ).toEqual([]);
    // They are still in the build, for sandbox mode.
    const allInputs = Object.values(outputs).flatMap((output) => Object.keys(output.inputs));
    expect(allInputs).toContain('server/src/sandbox/open-sandbox.ts');
    expect(allInputs).toContain('server/src/preview/create-preview-router.ts');
  });

  describe('imports at startup only the packages every server needs', () => {
    const packagesAtStart = () =>
      new Set(
        [...loadedAtStart].flatMap((path) =>
          (outputs[path]?.imports ?? [])
            .filter((imported) => imported.external && imported.kind === 'import-statement')
            .map((imported) => imported.path),
        ),
      );

    it('still sees the packages a run needs, so the walk follows the real imports', () => {
      const packages = packagesAtStart();
      expect(packages).toContain('express');
      expect(packages).toContain('undici');
      expect(packages).toContain('better-sqlite3');
    });

    it.each(LOADED_WHEN_NEEDED)('imports %s only when it is first needed', (name) => {
      const imported = [...packagesAtStart()].filter(
        (path) => path === name || path.startsWith(`${name}/`),
      );
      expect(imported).toEqual([]);
    });
  });
});
