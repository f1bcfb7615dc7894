/**
 * A config problem placed where the admin can find it: the file they edit and a JSON path into
 * that file (not into the merged config the server builds from several files).
 */
export interface LocatedIssue {
  file: string;
  /** JSONPath-style location inside `file`, e.g. `$.connectors[0].request.method`. */
  path: string;
  message: string;
  /** One line telling the admin what to change. */
  hint: string;
  severity: 'error' | 'warning';
  /** Where in `file`, 1-based: the syntax error, or the key the path leads to. */
  line?: number;
  column?: number;
  /** What the path is inside, by its id: `connector "jira_create_issue"`. */
  subject?: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Renders a path as `$.a[0].b`; keys that are not identifiers (header names, numeric field ids)
 * use bracket notation so the path stays unambiguous.
 *
 * @example
 * formatJsonPath(['connectors', 0, 'request', 'headers', 'X-Api-Key'])
 * // '$.connectors[0].request.headers["X-Api-Key"]'
 */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
