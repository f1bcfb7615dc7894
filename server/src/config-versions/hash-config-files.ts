import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { ConfigVersionFile } from './config-version-store';

/**
 * SHA-256 of the files' names and texts, in name order so the order they were listed in does not
 * matter: an unchanged reload hashes the same and is not a new version.
 */
export function hashConfigFiles(files: readonly ConfigVersionFile[]): string {
  const hash = createHash('sha256');
  // By file name, not path: instances that keep the config at different paths (and follow each
  // other's versions, follow-config-versions.ts) serve the same version, not one each.
  const named = files.map(({ file, text }) => ({ name: basename(file), text }));
  for (const { name, text } of named.sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${name}\0${text}\0`);
  }
  return hash.digest('hex');
}
