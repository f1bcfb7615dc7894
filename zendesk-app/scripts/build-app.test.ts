import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSETS_DIR } from './app-paths';
import { GZIP_BUDGET_BYTES, buildZendeskApp } from './build-app';
import { readPngSize } from './validate-app';

describe('the app build', () => {
  it('stays under the gzip budget with the SDK bundled in', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'dc-build-'));
    try {
      const report = await buildZendeskApp(outDir);
      expect(report.bundleGzipBytes).toBeLessThan(GZIP_BUDGET_BYTES);
      const js = readFileSync(join(outDir, 'app.js'), 'utf8');
      // The SDK's handshake message is in the bundle: no CDN script is needed.
      expect(js).toContain('iframe.handshake');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('writes an iframe.html that loads the bundled script and styles', () => {
    const html = readFileSync(join(ASSETS_DIR, 'iframe.html'), 'utf8');
    expect(html).toContain('<script src="app.js"></script>');
    expect(html).toContain('href="app.css"');
    expect(html).toContain('id="dc-app"');
  });

  it('draws the logos at the sizes Zendesk expects', () => {
    expect(readPngSize(readFileSync(join(ASSETS_DIR, 'logo.png')))).toEqual({
      width: 320,
      height: 320,
    });
    expect(readPngSize(readFileSync(join(ASSETS_DIR, 'logo-small.png')))).toEqual({
      width: 128,
      height: 128,
    });
  });
});
