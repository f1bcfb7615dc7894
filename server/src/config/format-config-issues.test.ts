import { describe, expect, it } from 'vitest';
import { formatConfigIssues } from './format-config-issues';

describe('formatConfigIssues', () => {
  it('puts the location and message on one line and the hint indented below', () => {
    expect(
      formatConfigIssues([
        {
          file: 'config/connectors.json',
          path: '$.connectors[0].request.method',
          message: 'Invalid option: expected one of "GET"|"POST"',
          hint: 'use one of GET, POST',
          severity: 'error',
        },
        {
          file: 'config/jira.json',
          path: '$.connections.jira.baseUrl',
          message: 'Plain http sends credentials unencrypted',
          hint: 'use https',
          severity: 'warning',
        },
      ]),
    ).toBe(
      [
        'config/connectors.json $.connectors[0].request.method: Invalid option: expected one of "GET"|"POST"',
        '  hint: use one of GET, POST',
        'config/jira.json $.connections.jira.baseUrl: warning: Plain http sends credentials unencrypted',
        '  hint: use https',
      ].join('\n'),
    );
  });

  it('uses file:line:column for syntax errors so editors can jump there', () => {
    expect(
      formatConfigIssues([
        {
          file: 'config/connectors.json',
          path: '$',
          message: 'Invalid JSON at line 12, column 5: Trailing comma',
          hint: 'remove the comma',
          severity: 'error',
          line: 12,
          column: 5,
        },
      ]),
    ).toBe(
      'config/connectors.json:12:5 $: Invalid JSON at line 12, column 5: Trailing comma\n  hint: remove the comma',
    );
  });

  it('keeps a multi-line message inside its own block', () => {
    const output = formatConfigIssues([
      { file: 'a.json', path: '$', message: 'first\nsecond', hint: 'fix', severity: 'error' },
    ]);
    expect(output).toBe('a.json $: first\n    second\n  hint: fix');
  });
});
