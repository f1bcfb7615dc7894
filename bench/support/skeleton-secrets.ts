import { readFileSync } from 'node:fs';
import { SANDBOX_SECRETS_FILE } from '../../server/src/server-paths';

/** The must-haves skeleton's bearer token (SKELETON_MUST_HAVES in skeleton-child.ts). */
export const SKELETON_TOKEN = 'bench-skeleton-token-0123456789abcdef';
/**
 * What its redaction masks, as the benchmark server's redactor does: a bearer token and the values
 * of the sandbox's secrets file, which server-child.ts starts the server with.
 */
export const SKELETON_SECRETS: readonly string[] = [
  SKELETON_TOKEN,
  ...Object.values(
    JSON.parse(readFileSync(SANDBOX_SECRETS_FILE, 'utf8')) as Record<string, string>,
  ),
];
