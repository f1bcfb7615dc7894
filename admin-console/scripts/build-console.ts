import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Builds admin-console/assets/ from admin-console/src/: app.js (the Preact screens, bundled and
 * minified), app.css and index.html. The server serves the folder at /admin; nothing in it is
 * edited by hand.
 */

const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CONSOLE_SRC_DIR = join(CONSOLE_DIR, 'src');
export const CONSOLE_ASSETS_DIR = join(CONSOLE_DIR, 'assets');

export interface ConsoleBuildReport {
  files: { name: string; bytes: number; gzipBytes: number }[];
  gzipBytes: number;
}

/** Temporary file, then rename: a server serving assets/ never reads a half-written file. */
function writeAtomically(path: string, content: Uint8Array | string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export async function buildConsole(
  outDir: string = CONSOLE_ASSETS_DIR,
): Promise<ConsoleBuildReport> {
  mkdirSync(outDir, { recursive: true });
  const bundled = await build({
    entryPoints: [join(CONSOLE_SRC_DIR, 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
    outfile: join(outDir, 'app.js'),
  });
  const contents = new Map<string, Uint8Array | string>([
    ['app.js', bundled.outputFiles[0]?.contents ?? new Uint8Array()],
    ['app.css', readFileSync(join(CONSOLE_SRC_DIR, 'app.css'))],
    ['index.html', readFileSync(join(CONSOLE_SRC_DIR, 'index.html'))],
  ]);
  const files = [...contents].map(([name, content]) => {
    writeAtomically(join(outDir, name), content);
    const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    return { name, bytes, gzipBytes: gzipSync(content).byteLength };
  });
  return { files, gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await buildConsole();
  const sizes = report.files.map(
    (file) => `${file.name} ${file.bytes} B (${file.gzipBytes} B gzip)`,
  );
  console.log(`admin console built: ${sizes.join(', ')}; ${report.gzipBytes} B gzipped in all`);
}
