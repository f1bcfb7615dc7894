import { describe, expect, it } from 'vitest';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';
import {
  buildTestConfig,
  compileTestConfig,
  compileTestConnector,
  TEST_SECRETS,
} from '../test-support/test-config';

const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXXXXXX';
const secrets = { ...TEST_SECRETS, SLACK_ALERTS_WEBHOOK: SLACK_URL };

function compileAlerts(alerts: unknown, withSecrets: Record<string, string> = secrets) {
  return compileTestConfig(buildTestConfig({ connector: { alerts } }), withSecrets);
}

function issuesOf(alerts: unknown, withSecrets?: Record<string, string>) {
  const result = compileAlerts(alerts, withSecrets);
  const issues = result.ok ? result.value.warnings : result.error.issues;
  return issues.map(({ path, message, hint, severity }) => ({ path, message, hint, severity }));
}

describe('a connector\'s "alerts"', () => {
  it('compiles a rule with its destinations, pause off unless asked', () => {
    const connector = compileTestConnector(
      {
        connector: {
          alerts: {
            failuresInARow: 3,
            failureRate: { percent: 50, windowMinutes: 60 },
            email: ['ops@example.com'],
            webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
          },
        },
      },
      secrets,
    );
    expect(connector.alerts).toEqual({
      failuresInARow: 3,
      failureRate: { percent: 50, windowMinutes: 60, minRuns: 10 },
      email: ['ops@example.com'],
      webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' },
      pause: false,
    });
  });

  it('is optional: a connector without it never alerts', () => {
    expect(compileTestConnector().alerts).toBeUndefined();
  });

  it('refuses alerts without a rule, at "alerts", with an example', () => {
    expect(issuesOf({ email: ['ops@example.com'] })).toEqual([
      {
        path: ['connectors', 0, 'alerts'],
        message: 'the alerts have no rule',
        hint: expect.stringContaining('"failuresInARow": 3'),
        severity: 'error',
      },
    ]);
  });

  it('refuses alerts that go nowhere, even with a pause', () => {
    expect(issuesOf({ failuresInARow: 3, pause: true })).toEqual([
      expect.objectContaining({
        path: ['connectors', 0, 'alerts'],
        message: 'the alerts go nowhere',
        severity: 'error',
      }),
    ]);
  });

  it('warns about a webhook secret that is not set, naming it and how to set it', () => {
    const issues = issuesOf(
      { failuresInARow: 3, webhook: { urlSecret: 'SLACK_OPS' } },
      TEST_SECRETS,
    );
    expect(issues).toEqual([
      {
        path: ['connectors', 0, 'alerts', 'webhook', 'urlSecret'],
        message:
          'secret SLACK_OPS is not set; the alerts of connector "test_connector" cannot reach the webhook',
        hint: 'set the environment variable SECRET_SLACK_OPS, or add "SLACK_OPS" to the secrets file',
        severity: 'warning',
      },
    ]);
  });

  it('warns, without showing it, when the secret does not hold a URL', () => {
    const issues = issuesOf(
      { failuresInARow: 3, webhook: { urlSecret: 'SLACK_ALERTS_WEBHOOK' } },
      { ...TEST_SECRETS, SLACK_ALERTS_WEBHOOK: 'xoxb-not-a-url' },
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      severity: 'warning',
      message: expect.stringContaining('does not hold an http(s) URL'),
    });
    expect(JSON.stringify(issues)).not.toContain('xoxb-not-a-url');
  });

  it('refuses a webhook URL written in the config, and never repeats it', () => {
    const issues = issuesOf({ failuresInARow: 3, webhook: { urlSecret: SLACK_URL } });
    expect(issues).toEqual([
      expect.objectContaining({
        path: ['connectors', 0, 'alerts', 'webhook', 'urlSecret'],
        message:
          'urlSecret must name a secret, not hold the webhook URL (a webhook URL is a credential)',
        severity: 'error',
      }),
    ]);
    expect(JSON.stringify(issues)).not.toContain('XXXXXXXX');
  });

  it('refuses a secret name that is not uppercase', () => {
    expect(issuesOf({ failuresInARow: 3, webhook: { urlSecret: 'slack_webhook' } })).toEqual([
      expect.objectContaining({
        path: ['connectors', 0, 'alerts', 'webhook', 'urlSecret'],
        severity: 'error',
        hint: expect.stringContaining('SLACK_ALERTS_WEBHOOK'),
      }),
    ]);
  });

  it('is a strict part of the file format: unknown keys, bad addresses and bounds are refused', () => {
    const { connectorConfigSchema } = BUILT_IN_CONFIG_FORMAT.schemas;
    const parse = (alerts: unknown) =>
      connectorConfigSchema.safeParse(buildTestConfig({ connector: { alerts } }));
    expect(parse({ failuresInARow: 3, email: ['ops@example.com'] }).success).toBe(true);
    const refused = [
      { failuresInARow: 3, email: ['ops@example.com'], failuresInRow: 3 },
      { failuresInARow: 3, email: ['not an address'] },
      { failuresInARow: 0, email: ['ops@example.com'] },
      { failureRate: { percent: 150, windowMinutes: 60 }, email: ['ops@example.com'] },
      { failureRate: { percent: 50, windowMinutes: 2000 }, email: ['ops@example.com'] },
      { failuresInARow: 3, webhook: { url: SLACK_URL } },
    ];
    for (const alerts of refused) {
      const parsed = parse(alerts);
      expect(parsed.success, JSON.stringify(alerts)).toBe(false);
      expect(parsed.error?.issues[0]?.path.slice(0, 3)).toEqual(['connectors', 0, 'alerts']);
    }
  });
});
