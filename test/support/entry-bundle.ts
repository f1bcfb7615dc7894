import { basename, dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import type { BuildOptions } from 'esbuild';

/**
 * The bundle options of `npm run build:server`, which `npm start` runs. The production bundle's
 * test (server/src/sandbox/production-bundle.test.ts) checks them against the script.
 */
export const NPM_START_BUNDLE_OPTIONS = {
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
} as const satisfies BuildOptions;

const built = new Map<string, string>();

/**
 * Bundles a TypeScript entry point into an ESM file that plain node runs, its packages left to
 * node_modules (so `outfile` must be inside the project). Split as `npm run build:server` splits
 * it: a module the entry imports with `import()` (the sandbox, the MCP server, the preview) goes
 * to a chunk beside it (`<name>-chunks/`) and is loaded only when asked for, so a benchmark's
 * server holds in memory what `npm start`'s would.
 */
export function bundleEntry(entry: string, outfile: string): void {
  const name = basename(outfile, '.mjs');
  buildSync({
    ...NPM_START_BUNDLE_OPTIONS,
    entryPoints: { [name]: entry },
    sourcemap: true,
    logLevel: 'warning',
    outdir: dirname(outfile),
    chunkNames: `${name}-chunks/[name]-[hash]`,
  });
}

/**
 * Node's arguments to run a server entry point (the server, the CLI) in a child process: bundled
 * once per test process with esbuild and run by plain node, as `npm start` runs its build.
 * `--import tsx` compiles every module again on each start (about a second), and the CLI tests
 * start the CLI dozens of times.
 */
export function nodeArgsFor(entry: string): string[] {
  let path = built.get(entry);
  if (path === undefined) {
    // Inside the project, so that the bundle's external packages resolve from node_modules; one
    // file per process, so parallel test workers never write each other's bundle.
    path = join('test', 'artifacts', 'bin', `${basename(entry, '.ts')}-${process.pid}.mjs`);
    bundleEntry(entry, path);
    built.set(entry, path);
  }
  return ['--enable-source-maps', path];
}
