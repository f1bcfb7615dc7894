#!/usr/bin/env node
// Offline syntax check for the Apex classes in force-app. Apex cannot be compiled or run without
// an org; parsing every class with prettier-plugin-apex at least catches syntax errors (a missing
// brace, a bad annotation) before a deploy does. It says nothing about types or the org schema.
//
// Usage: node salesforce-lwc/scripts/check-apex.mjs [--check-format]
//   --check-format  also fail when a class is not formatted as prettier-plugin-apex would.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIR = join(PROJECT_DIR, 'force-app');
const APEX_EXTENSIONS = ['.cls', '.trigger'];

async function loadParser() {
  try {
    const prettier = await import('prettier');
    const apexPlugin = await import('prettier-plugin-apex');
    return { prettier, apexPlugin: apexPlugin.default ?? apexPlugin };
  } catch (error) {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
      console.error(
        'check-apex: prettier-plugin-apex is not installed. Run: npm install --save-dev prettier-plugin-apex',
      );
      process.exit(2);
    }
    throw error;
  }
}

async function listApexFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && APEX_EXTENSIONS.some((ext) => entry.name.endsWith(ext)))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

async function checkFile(file, { prettier, apexPlugin }, checkFormat) {
  const source = await readFile(file, 'utf8');
  // Triggers parse with the same `apex` parser as classes.
  const options = { parser: 'apex', plugins: [apexPlugin], filepath: file };
  try {
    const formatted = await prettier.format(source, options);
    if (checkFormat && formatted !== source) {
      return 'not formatted (run prettier with prettier-plugin-apex)';
    }
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function main() {
  const checkFormat = process.argv.includes('--check-format');
  const parser = await loadParser();
  const files = await listApexFiles(SOURCE_DIR);
  if (files.length === 0) {
    console.error(`check-apex: no Apex files under ${relative(process.cwd(), SOURCE_DIR)}`);
    process.exit(1);
  }
  let failures = 0;
  for (const file of files) {
    const problem = await checkFile(file, parser, checkFormat);
    const name = relative(process.cwd(), file);
    if (problem) {
      failures += 1;
      console.error(`✗ ${name}\n  ${problem.split('\n').join('\n  ')}`);
    } else {
      console.log(`✓ ${name}`);
    }
  }
  console.log(`${files.length - failures} passed, ${failures} failed`);
  process.exit(failures > 0 ? 1 : 0);
}

await main();
