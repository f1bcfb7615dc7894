import type { LocatedIssue } from './located-issue';

/**
 * Formats issues for a terminal or a log line: location and message on the first line, the fix
 * indented below. `file:line:column` is used when known so terminals and editors can jump there.
 *
 * @example
 * formatConfigIssues([{ file: 'config/connectors.json', path: '$.connectors[0].request.method',
 *   message: 'Invalid option', hint: 'use one of GET, POST', severity: 'error' }])
 * // 'config/connectors.json $.connectors[0].request.method: Invalid option\n  hint: use one of GET, POST'
 */
export function formatConfigIssues(issues: readonly LocatedIssue[]): string {
  return issues.map(formatConfigIssue).join('\n');
}

function formatConfigIssue(issue: LocatedIssue): string {
  const position =
    issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  const severity = issue.severity === 'warning' ? 'warning: ' : '';
  const subject = issue.subject ? `${issue.subject}, ` : '';
  const lines = [
    `${position} ${subject}${issue.path}: ${severity}${indentContinuation(issue.message)}`,
  ];
  if (issue.hint) lines.push(`  hint: ${indentContinuation(issue.hint)}`);
  return lines.join('\n');
}

/** Keeps a multi-line message inside its issue's block instead of looking like a new issue. */
function indentContinuation(text: string): string {
  return text.replace(/\r?\n/g, '\n    ');
}
