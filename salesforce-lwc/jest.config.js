// The repository root is `"type": "module"`, so this file is ESM; the preset itself is CommonJS.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

// Jest needs a default export; `roots` keeps it away from the vitest suites elsewhere in the repo.
export default {
  ...jestConfig,
  roots: ['<rootDir>/force-app'],
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
};
