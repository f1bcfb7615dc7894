import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { formatMs } from './support/report';
import type { Benchmark, BenchmarkReport, TargetCheck } from './support/report';

/**
 * The Zendesk sidebar: its bundle size gzipped, and the time from the host's `app.registered`
 * to the connector list showing, in the preview host (the server in sandbox mode, headless
 * Chromium). Each part reports "not available" rather than failing when the app or the preview
 * is not there.
 */
const APP_JS = 'zendesk-app/assets/app.js';
const CHROMIUM = '/usr/bin/chromium';
const LOADS = 7;
const TARGET_BUNDLE_KB = 60;

interface PackageJson {
  scripts?: Record<string, string>;
}

function measureBundle(): { gzipBytes?: number; rawBytes?: number; note: string } {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson).scripts ?? {};
  if (scripts['zendesk:build']) {
    const built = spawnSync('npm', ['run', '--silent', 'zendesk:build'], { stdio: 'ignore' });
    if (built.status !== 0) return { note: 'npm run zendesk:build failed' };
  }
  if (!existsSync(APP_JS)) return { note: 'not built' };
  const raw = readFileSync(APP_JS);
  return {
    rawBytes: raw.length,
    gzipBytes: gzipSync(raw, { level: 9 }).length,
    note: `${APP_JS}, gzip -9`,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Marks, inside the app's iframe, when app.registered arrives and when the list has items. */
const TIMING_SCRIPT = `
(() => {
  window.addEventListener('message', (event) => {
    let data = event.data;
    try { if (typeof data === 'string') data = JSON.parse(data); } catch { return; }
    if (data && data.key === 'zaf.app.registered' && window.__dcRegisteredAt === undefined) {
      window.__dcRegisteredAt = performance.now();
    }
  });
  const check = () => {
    const list = document.querySelector('[data-testid="connector-list"]');
    if (list && list.children.length > 0 && window.__dcListShownAt === undefined) {
      window.__dcListShownAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})();
`;

async function measurePreview(): Promise<{ samplesMs?: number[]; note: string }> {
  if (!existsSync(CHROMIUM)) return { note: `no Chromium at ${CHROMIUM}` };
  const dataDir = mkdtempSync(join(tmpdir(), 'dc-bench-sidebar-'));
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const started = await new Promise<boolean>((resolve) => {
      server.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Data Connectors is running')) resolve(true);
      });
      server.once('exit', () => resolve(false));
    });
    if (!started) return { note: 'the sandbox server did not start' };
    const base = `http://127.0.0.1:${port}`;
    const page = await request(`${base}/preview?ticket=1`);
    await page.body.dump();
    if (page.statusCode !== 200) {
      return { note: `preview not available (GET /preview answered ${page.statusCode})` };
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const samplesMs: number[] = [];
      for (let load = 0; load < LOADS; load++) {
        const context = await browser.newContext();
        await context.addInitScript(TIMING_SCRIPT);
        const tab = await context.newPage();
        await tab.goto(`${base}/preview?ticket=1`);
        const deadline = Date.now() + 15_000;
        let sample: number | undefined;
        while (sample === undefined && Date.now() < deadline) {
          for (const frame of tab.frames()) {
            const times = await frame
              .evaluate(() => {
                const marks = window as unknown as {
                  __dcRegisteredAt?: number;
                  __dcListShownAt?: number;
                };
                return [marks.__dcRegisteredAt, marks.__dcListShownAt];
              })
              .catch(() => [undefined, undefined]);
            const [registered, shown] = times;
            if (registered !== undefined && shown !== undefined) sample = shown - registered;
          }
          if (sample === undefined) await tab.waitForTimeout(20);
        }
        await context.close();
        if (sample === undefined) return { note: 'the connector list never showed in the preview' };
        samplesMs.push(sample);
      }
      return { samplesMs, note: `${LOADS} page loads, headless Chromium` };
    } finally {
      await browser.close();
    }
  } finally {
    server.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const sidebar: Benchmark = {
  name: 'sidebar',
  async run(): Promise<BenchmarkReport> {
    const bundle = measureBundle();
    const preview = await measurePreview();
    const sorted = [...(preview.samplesMs ?? [])].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const targets: TargetCheck[] = [
      {
        name: 'sidebar bundle, gzipped',
        target: `< ${TARGET_BUNDLE_KB} KB`,
        measured:
          bundle.gzipBytes === undefined
            ? bundle.note
            : `${(bundle.gzipBytes / 1024).toFixed(1)} KB`,
        met:
          bundle.gzipBytes === undefined ? undefined : bundle.gzipBytes < TARGET_BUNDLE_KB * 1024,
      },
    ];
    return {
      name: 'sidebar',
      title: 'Zendesk sidebar',
      rows: [
        {
          measure: 'app.js gzipped',
          value:
            bundle.gzipBytes === undefined
              ? bundle.note
              : `${(bundle.gzipBytes / 1024).toFixed(1)} KB (${((bundle.rawBytes ?? 0) / 1024).toFixed(0)} KB raw)`,
        },
        {
          measure: 'app.registered -> connector list shown (median)',
          value: median === undefined ? preview.note : formatMs(median),
        },
        {
          measure: 'same, slowest',
          value: sorted.length ? formatMs(sorted.at(-1) as number) : preview.note,
        },
      ],
      targets,
      notes: [bundle.note, preview.note],
      data: { bundle, preview },
    };
  },
};
