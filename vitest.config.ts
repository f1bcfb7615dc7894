import { defineConfig } from 'vitest/config';

export const vitestConfig = defineConfig({
  test: {
    include: [
      'server/**/*.test.ts',
      'shared/**/*.test.ts',
      'test/**/*.test.ts',
      'zendesk-app/**/*.test.ts',
      'admin-console/**/*.test.ts',
    ],
    // Builds zendesk-app/assets once, so the preview and the app's tests see a fresh build.
    globalSetup: ['test/support/build-zendesk-app.ts'],
    // The JSON report lets .ci/run print one plain "N passed, N failed" line at the end.
    reporters: ['default', 'json'],
    outputFile: { json: 'test/artifacts/vitest-report.json' },
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Both cores: vitest's default (cores − 1) runs everything in series on this 2-core machine,
    // and a third of the time is importing modules, which overlaps well (669 s → 467 s).
    maxWorkers: 2,
  },
});

// Vitest loads the config through its default export; this is the one place one is needed.
// eslint-disable-next-line no-restricted-exports
export default vitestConfig;
