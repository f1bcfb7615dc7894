import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SRC_DIR } from './app-paths';
import { GZIP_BUDGET_BYTES, buildZendeskApp } from './build-app';
import type { BuildReport } from './build-app';
import { readPngSize } from './validate-app';

/**
 * Every test reads a build this file makes from the current sources into an empty temporary
 * folder, never zendesk-app/assets/: that folder may hold an older build (vitest's global setup,
 * an earlier `npm start`), which could pass where a fresh one fails.
 */
let outDir: string;
let report: BuildReport;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'dc-build-'));
  report = await buildZendeskApp(outDir);
});
afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('the app build', () => {
  it('writes every generated file into the folder it is given, and nothing else', () => {
    expect(readdirSync(outDir).sort()).toEqual([
      'app.css',
      'app.js',
      'icon_nav_bar.svg',
      'iframe.html',
      'logo-small.png',
      'logo.png',
      'logo.svg',
    ]);
  });

  it('stays under the gzip budget with the SDK bundled in', () => {
    expect(report.bundleGzipBytes).toBeLessThan(GZIP_BUDGET_BYTES);
    const js = readFileSync(join(outDir, 'app.js'), 'utf8');
    // The SDK's handshake message is in the bundle: no CDN script is needed.
    expect(js).toContain('iframe.handshake');
  });

  it('writes an iframe.html that loads the bundled script and styles', () => {
    const html = readFileSync(join(outDir, 'iframe.html'), 'utf8');
    expect(html).toBe(readFileSync(join(SRC_DIR, 'iframe.html'), 'utf8'));
    expect(html).toContain('<script src="app.js"></script>');
    expect(html).toContain('href="app.css"');
    expect(html).toContain('id="dc-app"');
    expect(readFileSync(join(outDir, 'app.css'), 'utf8')).toBe(
      readFileSync(join(SRC_DIR, 'app.css'), 'utf8'),
    );
  });

  it('draws the logos at the sizes Zendesk expects', () => {
    expect(readPngSize(readFileSync(join(outDir, 'logo.png')))).toEqual({
      width: 320,
      height: 320,
    });
    expect(readPngSize(readFileSync(join(outDir, 'logo-small.png')))).toEqual({
      width: 128,
      height: 128,
    });
  });
});
