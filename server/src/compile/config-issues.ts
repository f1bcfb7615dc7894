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
