import type { ConfigIssue, Path } from './compiled-model';

/** Collects config errors and warnings with their JSON paths while the compiler walks a config. */

export class IssueCollector {
  readonly issues: ConfigIssue[] = [];
  error(path: Path, message: string, hint: string): void {
    this.issues.push({ path, message, hint, severity: 'error' });
  }
  warning(path: Path, message: string, hint: string): void {
    this.issues.push({ path, message, hint, severity: 'warning' });
  }
  get hasErrors(): boolean {
    return this.issues.some((issue) => issue.severity === 'error');
  }
}

/**
 * Calls `compile` for each entry of a top-level list (connectors, workflows, macros) whose id is
 * the first of its kind; a repeated id is an error at that entry, naming the first one, and the
 * entry is not compiled (its errors would only repeat the first one's).
 */
export function forEachUniqueId<T extends { id: string }>(
  entries: readonly T[],
  list: 'connectors' | 'workflows' | 'macros',
  hint: string,
  issues: IssueCollector,
  compile: (entry: T, index: number) => void,
): void {
  const noun = list.slice(0, -1);
  const firstIndex = new Map<string, number>();
  entries.forEach((entry, index) => {
    const previous = firstIndex.get(entry.id);
    if (previous !== undefined) {
      issues.error(
        [list, index, 'id'],
        `duplicate ${noun} id "${entry.id}" (also used by ${list}[${previous}])`,
        hint,
      );
      return;
    }
    firstIndex.set(entry.id, index);
    compile(entry, index);
  });
}
