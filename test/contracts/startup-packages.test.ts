import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * Packages a server may never use are imported when first needed, not at startup: the MCP SDK
 * (about 26 MiB of RSS, 10 MB of heap that every major collection marks), nodemailer (15 MiB),
 * pg (15 MiB, for a server on SQLite), the sandbox's mail catcher (mailparser, smtp-server) and
 * jsforce. One static import anywhere
 * on the way from main.ts brings a package back into every server's memory, and nothing else
 * would notice: the memory benchmark is not part of `npm test` (docs/performance.md, "Memory").
 *
 * The server is bundled as `npm run build:server` bundles it, and the static imports are
 * followed from the entry through every chunk it loads at startup.
 */
const LOADED_WHEN_NEEDED = [
  '@modelcontextprotocol/server',
  '@modelcontextprotocol/node',
  'nodemailer',
  'pg',
  'mailparser',
  'smtp-server',
  'jsforce',
];

function packagesImportedAtStartup(): Set<string> {
  const built = buildSync({
    entryPoints: { server: 'server/src/main.ts' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    target: 'node20',
    outdir: 'dist-startup-check',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = built.metafile.outputs;
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint !== undefined);
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) packages.add(imported.path);
      else visit(imported.path);
    }
  };
  if (entry === undefined) throw new Error('esbuild reported no entry output');
  visit(entry);
  return packages;
}

describe('what the server imports at startup', () => {
  const atStartup = packagesImportedAtStartup();

  it('still sees the packages every run needs, so the walk follows the real imports', () => {
    expect(atStartup).toContain('express');
    expect(atStartup).toContain('undici');
    expect(atStartup).toContain('better-sqlite3');
  });

  it.each(LOADED_WHEN_NEEDED)('imports %s only when it is first needed', (name) => {
    const imported = [...atStartup].filter((path) => path === name || path.startsWith(`${name}/`));
    expect(imported).toEqual([]);
  });
});
