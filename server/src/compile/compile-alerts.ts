import type { ConnectorAlerts } from '../../../shared/src/config/connector-config-schema';
import { SECRET_NAME_PATTERN } from '../secrets/secret-source';
import type { SecretSource } from '../secrets/secret-source';
import type { Path } from './compiled-model';
import type { IssueCollector } from './config-issues';

/**
 * A connector's `alerts` (server/src/alerts/): at least one rule, somewhere for the notices to
 * go, and a webhook URL that comes from a secret. Messages never repeat what was written in
 * `urlSecret`: an admin who pasted the webhook URL there has put a credential in the config, and
 * config issues are shown on /health and in the log.
 */
export function compileAlerts(
  alerts: ConnectorAlerts | undefined,
  connectorId: string,
  path: Path,
  issues: IssueCollector,
  secrets: SecretSource,
): ConnectorAlerts | undefined {
  if (!alerts) return undefined;
  if (alerts.failuresInARow === undefined && alerts.failureRate === undefined) {
    issues.error(
      path,
      'the alerts have no rule',
      'add "failuresInARow": 3, or "failureRate": { "percent": 50, "windowMinutes": 60, "minRuns": 10 }, or both',
    );
  }
  if (!alerts.email && !alerts.webhook) {
    // A pause nobody hears about would look like an outage to the agents and to no one else.
    issues.error(
      path,
      'the alerts go nowhere',
      'add "email": ["ops@example.com"], or "webhook": { "urlSecret": "SLACK_ALERTS_WEBHOOK" } with the webhook URL in that secret',
    );
  }
  const webhook = alerts.webhook;
  if (webhook) {
    const at = [...path, 'webhook', 'urlSecret'];
    const name = webhook.urlSecret;
    if (/[/:]/.test(name)) {
      issues.error(
        at,
        'urlSecret must name a secret, not hold the webhook URL (a webhook URL is a credential)',
        'remove the URL from the config, put it in a secret (SECRET_SLACK_ALERTS_WEBHOOK in the environment, or "SLACK_ALERTS_WEBHOOK" in the secrets file), and write "urlSecret": "SLACK_ALERTS_WEBHOOK"',
      );
    } else if (!SECRET_NAME_PATTERN.test(name)) {
      issues.error(
        at,
        'urlSecret is not a secret name: secret names are uppercase letters, digits and "_"',
        'name it like "SLACK_ALERTS_WEBHOOK" (set SECRET_SLACK_ALERTS_WEBHOOK in the environment)',
      );
    } else {
      const url = secrets.get(name);
      if (url === undefined) {
        issues.warning(
          at,
          `secret ${name} is not set; the alerts of connector "${connectorId}" cannot reach the webhook`,
          `set the environment variable SECRET_${name}, or add "${name}" to the secrets file`,
        );
      } else if (!isWebhookUrl(url)) {
        issues.warning(
          at,
          `secret ${name} does not hold an http(s) URL; the alerts of connector "${connectorId}" cannot reach the webhook`,
          'put the whole webhook URL in it, e.g. https://hooks.slack.com/services/…',
        );
      }
    }
  }
  return alerts;
}

/** Whether a secret's value is a URL the alert webhook may post to. */
export function isWebhookUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
}
