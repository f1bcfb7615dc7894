import type { ConsoleIssue } from '../../../shared/src/console/console-contracts';

/** Config issues as `connectors check` prints them: where, what, how to fix it. */
export function Issues(props: { issues: ConsoleIssue[] }) {
  if (props.issues.length === 0) return null;
  return (
    <ul class="issues">
      {props.issues.map((issue) => (
        <li class={`issue issue-${issue.severity ?? 'error'}`}>
          <code>
            {issue.file}
            {issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`} {issue.path}
          </code>
          <div>{issue.message}</div>
          {issue.hint && <div class="hint">Fix: {issue.hint}</div>}
        </li>
      ))}
    </ul>
  );
}
