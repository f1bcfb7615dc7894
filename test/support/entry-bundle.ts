import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';

const built = new Map<string, string>();

/**
 * Bundles a TypeScript entry point into one ESM file that plain node runs, its packages left to
 * node_modules (so `outfile` must be inside the project).
 */
export function bundleEntry(entry: string, outfile: string): void {
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    outfile,
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
