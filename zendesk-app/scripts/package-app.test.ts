import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_DIR } from './app-paths';
import { isPackagedPath, packageZendeskApp } from './package-app';

const temporary: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dc-zendesk-app-'));
  temporary.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the app folder with the development clutter a real checkout accumulates. */
function clutteredCopy(): string {
  const dir = tempDir();
  for (const part of ['manifest.json', 'translations', 'assets', 'src']) {
    cpSync(join(APP_DIR, part), join(dir, part), { recursive: true });
  }
  writeFileSync(
    join(dir, 'zcli.apps.config.json'),
    '{"parameters":{"shared_secret":"dev-secret"}}',
  );
  writeFileSync(join(dir, '.zcliignore'), 'zcli.apps.config.json\n');
  writeFileSync(join(dir, 'assets', '.DS_Store'), 'junk');
  writeFileSync(join(dir, 'translations', '.en.json.swp'), 'junk');
  mkdirSync(join(dir, 'tmp'));
  writeFileSync(join(dir, 'tmp', 'app-1.zip'), 'old zip');
  return dir;
}

describe('the uploadable zip', () => {
  it('holds the manifest at the root, the translations and the logos, nothing else', async () => {
    const appDir = clutteredCopy();
    const outDir = tempDir();
    const result = await packageZendeskApp({ appDir, outDir, build: false });
    if (!result.ok) throw new Error(result.message);
    expect(result.path).toBe(join(outDir, 'data-connectors-2.0.0.zip'));
    const entries = unzipSync(readFileSync(result.path));
    // The sidebar page and its scripts are served by the server, signed: not in the package.
    expect(Object.keys(entries).sort()).toEqual([
      'assets/icon_nav_bar.svg',
      'assets/logo-small.png',
      'assets/logo.png',
      'assets/logo.svg',
      'manifest.json',
      'translations/en.json',
    ]);
    const manifest = JSON.parse(new TextDecoder().decode(entries['manifest.json']));
    expect(manifest.signedUrls).toBe(true);
    expect(manifest.location.support.nav_bar.url).toBe('{{setting.server_url}}/zendesk/console');
    expect(manifest.location.support.ticket_sidebar.url).toBe(
      '{{setting.server_url}}/zendesk/sidebar',
    );
    const everything = Object.values(entries)
      .map((bytes) => new TextDecoder().decode(bytes))
      .join('\n');
    expect(everything).not.toContain('dev-secret');
    expect(result.report.errors).toEqual([]);
    expect(result.report.warnings).toEqual([]);
  });

  it('writes nothing when the app does not validate', async () => {
    const appDir = clutteredCopy();
    const manifest = JSON.parse(readFileSync(join(appDir, 'manifest.json'), 'utf8'));
    manifest.frameworkVersion = '1.0';
    writeFileSync(join(appDir, 'manifest.json'), JSON.stringify(manifest));
    const outDir = tempDir();
    const result = await packageZendeskApp({ appDir, outDir: join(outDir, 'dist'), build: false });
    expect(result).toMatchObject({
      ok: false,
      report: { errors: [expect.stringContaining('1.0 is not a valid')] },
    });
    expect(() => readFileSync(join(outDir, 'dist', 'data-connectors-2.0.0.zip'))).toThrow();
  });
});

describe('what goes into the package', () => {
  it('takes the manifest, translations and logos, never the page, dotfiles or development files', () => {
    expect(['manifest.json', 'translations/en.json', 'assets/logo.png'].every(isPackagedPath)).toBe(
      true,
    );
    for (const path of [
      'zcli.apps.config.json',
      '.zcliignore',
      'assets/.DS_Store',
      'tmp/app.zip',
      'src/main.ts',
      'scripts/build-app.ts',
      'assets/.hidden/x.js',
      'README.md',
      'assets/app.js',
      'assets/iframe.html',
    ]) {
      expect(isPackagedPath(path), path).toBe(false);
    }
  });
});
