import { createHash } from 'node:crypto';
import type { ConfigVersionFile } from './config-version-store';

/**
 * SHA-256 of the files' names and texts, in name order so the order they were listed in does not
 * matter: an unchanged reload hashes the same and is not a new version.
 */
export function hashConfigFiles(files: readonly ConfigVersionFile[]): string {
  const hash = createHash('sha256');
  for (const { file, text } of [...files].sort((a, b) => a.file.localeCompare(b.file))) {
    hash.update(`${file}\0${text}\0`);
  }
  return hash.digest('hex');
}
