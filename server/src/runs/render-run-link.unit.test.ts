import { describe, expect, it } from 'vitest';
import {
  buildTestConfig,
  compileTestConfig,
  compileTestConnector,
} from '../test-support/test-config';
import { renderRunLink } from './render-run-link';

const jiraLike = compileTestConnector({
  connection: { variables: { site_url: 'https://acme.atlassian.net' } },
  connector: {
    inputs: [{ name: 'ticket_id', type: 'integer', source: 'ticket.id' }],
    request: { method: 'POST', path: '/issue', body: { type: 'json', value: {} } },
    response: {
      outputs: [
        { name: 'issue_key', path: 'key' },
        { name: 'secret_ref', path: 'ref', redact: true },
      ],
    },
    link: {
      label: '{{outputs.issue_key}}',
      url: '{{connection.site_url}}/browse/{{outputs.issue_key}}?from={{inputs.ticket_id}}',
    },
  },
});

describe('renderRunLink', () => {
  it('builds the address from the connection as written and the run values encoded', () => {
    expect(
      renderRunLink(jiraLike, { inputs: { ticket_id: 4 }, outputs: { issue_key: 'SUP-1' } }),
    ).toEqual({ label: 'SUP-1', url: 'https://acme.atlassian.net/browse/SUP-1?from=4' });
  });

  it('keeps an upstream value inside its path segment', () => {
    const link = renderRunLink(jiraLike, {
      inputs: { ticket_id: 4 },
      outputs: { issue_key: '../../admin?x=1#y' },
    });
    expect(link?.url).toBe('https://acme.atlassian.net/browse/..%2F..%2Fadmin%3Fx%3D1%23y?from=4');
  });

  it('gives no link when a value it needs is missing or masked', () => {
    expect(renderRunLink(jiraLike, { inputs: { ticket_id: 4 }, outputs: {} })).toBeUndefined();
    expect(
      renderRunLink(jiraLike, { inputs: { ticket_id: 4 }, outputs: { issue_key: '[redacted]' } }),
    ).toBeUndefined();
  });

  it('never gives a link that is not http(s), even when an upstream value is the whole address', () => {
    const whole = compileTestConnector({
      connector: {
        response: { outputs: [{ name: 'url', path: 'url' }] },
        link: { label: 'Open', url: '{{connection.base}}{{outputs.url}}' },
      },
      connection: { variables: { base: '' } },
    });
    expect(renderRunLink(whole, { inputs: {}, outputs: { url: 'javascript:alert(1)' } })).toBe(
      undefined,
    );
  });

  it('is refused by the config check when the address does not start with http(s)', () => {
    const compiled = compileTestConfig(
      buildTestConfig({
        connector: {
          response: { outputs: [{ name: 'key', path: 'key' }] },
          link: { label: 'Open', url: 'javascript:alert({{outputs.key}})' },
        },
      }),
    );
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.error.issues.map((issue) => [issue.path, issue.message])).toContainEqual([
      ['connectors', 0, 'link', 'url'],
      'the link must be an http:// or https:// address',
    ]);
  });

  it('warns when it names a redacted output (the link would never appear)', () => {
    const compiled = compileTestConfig(
      buildTestConfig({
        connector: {
          response: { outputs: [{ name: 'token', path: 'token', redact: true }] },
          link: { label: 'Open', url: 'https://example.com/{{outputs.token}}' },
        },
      }),
    );
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(compiled.value.warnings.map((issue) => issue.path)).toContainEqual([
      'connectors',
      0,
      'link',
      'url',
    ]);
  });
});
