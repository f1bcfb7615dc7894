import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from './build-console';
import type { ConsoleBuildReport } from './build-console';

/** What an admin's browser downloads for the console: Preact and the screens, minified. */
const GZIP_BUDGET_BYTES = 40 * 1024;

let outDir: string;
let report: ConsoleBuildReport;
beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'dc-console-build-'));
  report = await buildConsole(outDir);
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the console build', () => {
  it('writes the page, its script and its styles, and nothing else', () => {
    expect(readdirSync(outDir).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    const page = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(page).toContain('<script src="/admin/assets/app.js"></script>');
    expect(page).toContain('<link rel="stylesheet" href="/admin/assets/app.css" />');
    // The nav_bar route puts the session before </head>: the page must have one.
    expect(page).toContain('</head>');
  });

  it('stays small: Preact and every screen under the budget, gzipped', () => {
    expect(report.gzipBytes).toBeGreaterThan(5 * 1024);
    expect(report.gzipBytes).toBeLessThan(GZIP_BUDGET_BYTES);
    const js = readFileSync(join(outDir, 'app.js'), 'utf8');
    // No inline handlers or eval: the page's CSP allows only its own script file.
    expect(js).not.toMatch(/\beval\(|new Function\(/);
  });
});
