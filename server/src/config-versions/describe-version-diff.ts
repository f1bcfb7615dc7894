import { createTwoFilesPatch } from 'diff';
import type { ConfigVersion, ConfigVersionStore } from './config-version-store';

/**
 * What changed from one version to the next, as a unified diff per file (a file added or
 * removed diffs against nothing). Empty when nothing changed.
 */
export function describeVersionDiff(
  before: ConfigVersion | undefined,
  after: ConfigVersion,
): string {
  const files = new Set([
    ...(before?.files ?? []).map((entry) => entry.file),
    ...after.files.map((entry) => entry.file),
  ]);
  const patches: string[] = [];
  for (const file of [...files].sort()) {
    const old = before?.files.find((entry) => entry.file === file)?.text ?? '';
    const next = after.files.find((entry) => entry.file === file)?.text ?? '';
    if (old === next) continue;
    patches.push(
      createTwoFilesPatch(
        file,
        file,
        old,
        next,
        before ? `v${before.id}` : '(none)',
        `v${after.id}`,
        { context: 3 },
      ),
    );
  }
  return patches.join('\n');
}

/** What a version changed from the one before it (the first version: from nothing). */
export async function describeVersionChanges(
  store: Pick<ConfigVersionStore, 'get'>,
  version: ConfigVersion,
): Promise<string> {
  const before = version.id > 1 ? await store.get(version.id - 1) : undefined;
  return describeVersionDiff(before, version);
}
