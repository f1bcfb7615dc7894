import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The production bundle (`npm run build:server`, which `npm start` runs) must not load the
 * sandbox's fake helpdesks or the preview page in live mode: they hold well-known credentials and
 * sign sidebar loads. They are imported dynamically, so esbuild puts them in chunks of their own
 * that only sandbox mode loads. This builds with the same options and reads esbuild's metafile.
 */
const SCRIPT = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts['build:server'] as string;

describe('the production bundle', () => {
  it('keeps the sandbox and the preview out of the entry chunk, in lazily loaded chunks', async () => {
    // The options below must be the script's; if it changes, this test must change with it.
    for (const flag of ['--bundle', '--splitting', '--format=esm', '--packages=external']) {
      expect(SCRIPT).toContain(flag);
    }
    const outdir = mkdtempSync(join(tmpdir(), 'dc-bundle-'));
    try {
      const result = await build({
        entryPoints: ['server/src/main.ts'],
        bundle: true,
        splitting: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        target: 'node20',
        outdir,
        entryNames: 'server',
        chunkNames: 'chunks/[name]-[hash]',
        outExtension: { '.js': '.mjs' },
        metafile: true,
        logLevel: 'silent',
      });
      const outputs = Object.entries(result.metafile.outputs);
      const entry = outputs.find(([, output]) => output.entryPoint === 'server/src/main.ts');
      if (!entry) throw new Error('no entry chunk');
      // Chunks the entry imports statically load with it; dynamic imports do not.
      const loadedAtStart = new Set([entry[0]]);
      const visit = (path: string) => {
        for (const imported of result.metafile.outputs[path]?.imports ?? []) {
          if (imported.kind === 'import-statement' && !loadedAtStart.has(imported.path)) {
            loadedAtStart.add(imported.path);
            visit(imported.path);
          }
        }
      };
      visit(entry[0]);
      const inputsLoadedAtStart = [...loadedAtStart].flatMap((path) =>
        Object.keys(result.metafile.outputs[path]?.inputs ?? {}),
      );
      expect(inputsLoadedAtStart.some((input) => input.startsWith('server/src/api/'))).toBe(true);
      expect(
        inputsLoadedAtStart.filter(
          (input) =>
            input.startsWith('server/src/sandbox/') || input.startsWith('server/src/preview/'),
        ),
      ).toEqual([]);
      // They are still in the build, for sandbox mode.
      const allInputs = outputs.flatMap(([, output]) => Object.keys(output.inputs));
      expect(allInputs).toContain('server/src/sandbox/open-sandbox.ts');
      expect(allInputs).toContain('server/src/preview/create-preview-router.ts');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
