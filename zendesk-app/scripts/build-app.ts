import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ASSETS_DIR, SRC_DIR, isMainModule } from './app-paths';
import { drawLogoPng } from './draw-logo';

/**
 * Builds zendesk-app/assets/ from zendesk-app/src/: app.js (the TypeScript and the ZAF SDK,
 * bundled and minified), app.css, iframe.html and the logos. The whole of assets/ is generated;
 * nothing in it is edited by hand.
 */

/** The goal for what an agent's browser downloads (JS + CSS + HTML, gzipped). */
export const GZIP_BUDGET_BYTES = 60 * 1024;

export interface BuiltFile {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export interface BuildReport {
  files: BuiltFile[];
  /** What the iframe loads: iframe.html, app.js, app.css. */
  bundleBytes: number;
  bundleGzipBytes: number;
}

const COPIED = ['iframe.html', 'app.css', 'logo.svg', 'icon_nav_bar.svg'];
const LOADED_BY_IFRAME = new Set(['iframe.html', 'app.js', 'app.css']);

/**
 * Replaces each file atomically (write a temporary file, then rename over the old one): the
 * preview server may be serving assets/ while another test run rebuilds it, and must never see
 * a missing or half-written file.
 */
function writeAtomically(path: string, content: Uint8Array | string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export async function buildZendeskApp(outDir: string = ASSETS_DIR): Promise<BuildReport> {
  mkdirSync(outDir, { recursive: true });
  const bundled = await build({
    entryPoints: [join(SRC_DIR, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
  });
  const contents = new Map<string, Uint8Array | string>([
    ['app.js', bundled.outputFiles[0]?.contents ?? new Uint8Array()],
    ...COPIED.map((name) => [name, readFileSync(join(SRC_DIR, name))] as [string, Buffer]),
    ['logo.png', drawLogoPng(320)],
    ['logo-small.png', drawLogoPng(128)],
  ]);
  for (const [name, content] of contents) writeAtomically(join(outDir, name), content);
  // Whatever else is in assets/ is from an older build (the folder is generated).
  for (const name of readdirSync(outDir)) {
    if (!contents.has(name) && !name.endsWith('.tmp')) rmSync(join(outDir, name), { force: true });
  }

  const files = [
    'iframe.html',
    'app.js',
    'app.css',
    'logo.svg',
    'icon_nav_bar.svg',
    'logo.png',
    'logo-small.png',
  ].map((name) => {
    const content = readFileSync(join(outDir, name));
    return { name, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
  const loaded = files.filter((file) => LOADED_BY_IFRAME.has(file.name));
  return {
    files,
    bundleBytes: loaded.reduce((sum, file) => sum + file.bytes, 0),
    bundleGzipBytes: loaded.reduce((sum, file) => sum + file.gzipBytes, 0),
  };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function formatBuildReport(report: BuildReport): string {
  const lines = report.files.map(
    (file) =>
      `  assets/${file.name.padEnd(15)} ${kb(file.bytes).padStart(9)}  gzip ${kb(file.gzipBytes).padStart(8)}`,
  );
  lines.push(
    `  bundle (html+js+css) ${kb(report.bundleBytes).padStart(9)}  gzip ${kb(report.bundleGzipBytes).padStart(8)}  (budget ${kb(GZIP_BUDGET_BYTES)} gzip)`,
  );
  return lines.join('\n');
}

if (isMainModule(import.meta.url)) {
  const report = await buildZendeskApp();
  console.log(`Built the Zendesk app into zendesk-app/assets/:\n${formatBuildReport(report)}`);
  if (report.bundleGzipBytes > GZIP_BUDGET_BYTES) {
    console.error(`The bundle is over the ${kb(GZIP_BUDGET_BYTES)} gzip budget.`);
    process.exitCode = 1;
  }
}
