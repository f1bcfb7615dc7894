// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'bench/.build/**',
      'scratch/**',
      'coverage/**',
      'data/**',
      'bench/results/**',
      'test/artifacts/**',
      'zendesk-app/assets/**',
      'admin-console/assets/**',
      'zendesk-app/dist/**',
      'salesforce-lwc/**',
      // Lightning web components (decorators): compiled by the LWC compiler, like salesforce-lwc/.
      'server/src/preview/salesforce/lwc/**',
      'server/src/preview/salesforce/record-page-entry.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true } }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Arrows one way: no module may import, directly or not, something that imports it back.
    // Type-only imports count too, since they still tie the two modules' designs together.
    files: ['server/**/*.ts', 'shared/**/*.ts', 'zendesk-app/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver': { node: { extensions: ['.ts', '.js'] } },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // On Node 20 the first run of an AsyncLocalStorage turns on async hooks for the whole
    // process, for good, and every promise of every run pays (pacing/run-lane.ts).
    files: ['server/**/*.ts', 'shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:async_hooks', 'async_hooks'].map((name) => ({
            name,
            importNames: ['AsyncLocalStorage', 'AsyncResource', 'createHook'],
            message:
              'Async hooks cost every promise of the process once on (pacing/run-lane.ts): pass what the code needs instead.',
          })),
        },
      ],
    },
  },
);
