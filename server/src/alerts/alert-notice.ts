import type { AlertFailure } from './alert-store';

/**
 * What an alert says, once when an incident opens and once when it recovers, as an email and as
 * Slack-compatible JSON. Everything in it comes from the config (the connector's id and name)
 * and from the run log's redacted record (error code, the agent's message): never a request, a
 * response body or a secret.
 */
export interface AlertNotice {
  /** `finished` is for backfills only: the last of its matches has run. */
  kind: 'failing' | 'recovered' | 'finished';
  /**
   * What the notice is about: a connector whose rule tripped (the default), an OAuth
   * connection that needs reconnecting (`connectorId` and `connectorName` then name the
   * connection, `reason` says why, and `logsUrl` points at the console's connections), or a
   * backfill of the connector that failed or finished (`backfillId`; `reason` is the helpdesk's
   * answer, or what its runs came to; `logsUrl` the console's backfill).
   */
  subject?: 'connector' | 'connection' | 'backfill';
  backfillId?: string;
  connectorId: string;
  connectorName: string;
  /** The rule that tripped, in words: "3 failures in a row". */
  reason: string;
  /** ISO 8601: when the incident opened (failing) or when it recovered. */
  at: string;
  /** For `recovered`: when the incident had opened. */
  since?: string;
  lastFailure: AlertFailure | undefined;
  /** Whether the connector is paused now. */
  paused: boolean;
  /** The admin console's run log, filtered to this connector. */
  logsUrl: string;
}

export interface AlertEmail {
  subject: string;
  text: string;
}

/** A message as Slack's incoming webhooks take it: `text` is the notification's fallback. */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

const SUBJECT_PREFIX = '[Data Connectors]';
/** How much of the agent's message an alert repeats. */
const MAX_MESSAGE_CHARS = 300;
/** Slack refuses a header longer than this. */
const MAX_SLACK_HEADER_CHARS = 150;

/** One line: a name with a line break must not start a new mail header or Slack line. */
function oneLine(text: string, max = MAX_MESSAGE_CHARS): string {
  // Runs of white space become one space too: a line break beside a space would leave two.
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const flat = text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `2026-01-07 09:30:00 UTC`: the admin reads it, possibly far from the server. */
export function formatAlertTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `"Order lookup" is failing: 3 failures in a row`, or `"Order lookup" has recovered`. */
export function describeAlertHeadline(notice: AlertNotice): string {
  const name = `"${oneLine(notice.connectorName, 120)}"`;
  if (notice.subject === 'connection') {
    return notice.kind === 'failing'
      ? `Connection ${name} needs reconnecting`
      : `Connection ${name} is connected again`;
  }
  if (notice.subject === 'backfill') {
    return notice.kind === 'finished'
      ? `A backfill of ${name} finished`
      : `A backfill of ${name} failed`;
  }
  return notice.kind === 'failing'
    ? `${name} is failing: ${notice.reason}`
    : `${name} has recovered`;
}

function describeLastFailure(failure: AlertFailure): string {
  const code = failure.errorCode ? `${failure.errorCode}: ` : '';
  return `${code}${oneLine(failure.message)} (run ${failure.runId}, ${formatAlertTime(failure.at)})`;
}

function describePaused(notice: AlertNotice): string {
  return `The connector is paused: agents see it as paused by the admin and its runs are refused (CONNECTOR_PAUSED) until an admin resumes it with POST /api/admin/connectors/${notice.connectorId}/resume or \`npm run connectors -- resume ${notice.connectorId}\`.`;
}

function composeConnectionLines(notice: AlertNotice): string[] {
  const name = `"${oneLine(notice.connectorName, 120)}"`;
  return notice.kind === 'failing'
    ? [
        `Connection ${name} needs reconnecting: ${oneLine(notice.reason)}.`,
        '',
        `Since: ${formatAlertTime(notice.at)}`,
        'Until an admin connects it again, the runs of the connectors using it fail with CONNECTION_NEEDS_RECONNECT.',
        '',
        `Reconnect it: ${notice.logsUrl}`,
        '',
        'You get this once, and one more message when it is connected again.',
      ]
    : [
        `Connection ${name} is connected again (${formatAlertTime(notice.at)}).`,
        '',
        `It had needed reconnecting since ${notice.since ? formatAlertTime(notice.since) : 'earlier'} (${oneLine(notice.reason)}).`,
      ];
}

/** How to go on once the cause is mended; the id is ours (`bf_` and a ULID), safe as it is. */
function describeBackfillResume(notice: AlertNotice): string {
  return `The matches it found before still run. Once the cause is mended, resume it in the console or with \`npm run connectors -- backfill --resume ${notice.backfillId ?? ''}\`: it asks the helpdesk again, and nothing it queued before runs twice.`;
}

function composeBackfillLines(notice: AlertNotice): string[] {
  if (notice.kind === 'finished') {
    return [
      `Backfill ${notice.backfillId ?? ''} of connector "${oneLine(notice.connectorName, 120)}" (${notice.connectorId}) finished: ${oneLine(notice.reason)}.`,
      `At: ${formatAlertTime(notice.at)}`,
      '',
      `The backfill and the runs that failed: ${notice.logsUrl}`,
    ];
  }
  return [
    `Backfill ${notice.backfillId ?? ''} of connector "${oneLine(notice.connectorName, 120)}" (${notice.connectorId}) failed: the helpdesk refused its query.`,
    '',
    `Why: ${oneLine(notice.reason)}`,
    `At: ${formatAlertTime(notice.at)}`,
    '',
    describeBackfillResume(notice),
    '',
    `The backfill: ${notice.logsUrl}`,
  ];
}

export function composeAlertEmail(notice: AlertNotice): AlertEmail {
  if (notice.subject === 'connection' || notice.subject === 'backfill') {
    return {
      subject: `${SUBJECT_PREFIX} ${describeAlertHeadline(notice)}`,
      text: (notice.subject === 'connection'
        ? composeConnectionLines(notice)
        : composeBackfillLines(notice)
      ).join('\n'),
    };
  }
  const lines =
    notice.kind === 'failing'
      ? [
          `Connector "${oneLine(notice.connectorName, 120)}" (${notice.connectorId}) is failing.`,
          '',
          `Rule: ${notice.reason}`,
          `Since: ${formatAlertTime(notice.at)}`,
          ...(notice.lastFailure ? [`Last error: ${describeLastFailure(notice.lastFailure)}`] : []),
          '',
          ...(notice.paused ? [describePaused(notice), ''] : []),
          `Its runs: ${notice.logsUrl}`,
          '',
          'You get this once per incident, and one more message when the connector recovers.',
        ]
      : [
          `Connector "${oneLine(notice.connectorName, 120)}" (${notice.connectorId}) has recovered: a run succeeded at ${formatAlertTime(notice.at)}.`,
          '',
          `It had been failing since ${notice.since ? formatAlertTime(notice.since) : 'an earlier run'} (${notice.reason}).`,
          ...(notice.lastFailure ? [`Last error: ${describeLastFailure(notice.lastFailure)}`] : []),
          '',
          ...(notice.paused ? [describePaused(notice), ''] : []),
          `Its runs: ${notice.logsUrl}`,
        ];
  return { subject: `${SUBJECT_PREFIX} ${describeAlertHeadline(notice)}`, text: lines.join('\n') };
}

/** Slack reads `&`, `<` and `>` as markup (`<!channel>` would ping a whole channel). */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const SLACK_ICONS: Record<AlertNotice['kind'], string> = {
  failing: ':red_circle:',
  recovered: ':large_green_circle:',
  finished: ':white_check_mark:',
};

/**
 * Slack's incoming-webhook format (also read by Mattermost, Rocket.Chat and Teams' Slack
 * connector): blocks for the message, `text` for notifications and clients without blocks.
 */
export function composeSlackMessage(notice: AlertNotice): SlackMessage {
  const headline = describeAlertHeadline(notice);
  const icon = SLACK_ICONS[notice.kind];
  const header = oneLine(headline, MAX_SLACK_HEADER_CHARS - icon.length - 1);
  const connection = notice.subject === 'connection';
  const backfill = notice.subject === 'backfill';
  const facts = [
    `*${connection ? 'Connection' : 'Connector'}:* ${escapeSlack(oneLine(notice.connectorName, 120))} (\`${notice.connectorId}\`)`,
    ...(backfill ? [`*Backfill:* \`${notice.backfillId ?? ''}\``] : []),
    `*${notice.kind === 'finished' ? 'Runs' : connection || backfill ? 'Why' : 'Rule'}:* ${escapeSlack(backfill ? oneLine(notice.reason) : notice.reason)}`,
    notice.kind === 'recovered'
      ? `*Recovered:* ${formatAlertTime(notice.at)}${notice.since ? ` (failing since ${formatAlertTime(notice.since)})` : ''}`
      : `*${backfill ? 'At' : 'Since'}:* ${formatAlertTime(notice.at)}`,
    ...(notice.lastFailure
      ? [`*Last error:* ${escapeSlack(describeLastFailure(notice.lastFailure))}`]
      : []),
  ];
  return {
    text: escapeSlack(`${SUBJECT_PREFIX} ${headline}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${icon} ${header}`, emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: facts.join('\n') } },
      ...(notice.paused
        ? [{ type: 'section', text: { type: 'mrkdwn', text: escapeSlack(describePaused(notice)) } }]
        : []),
      ...(backfill && notice.kind === 'failing'
        ? [
            {
              type: 'section',
              text: { type: 'mrkdwn', text: escapeSlack(describeBackfillResume(notice)) },
            },
          ]
        : []),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `<${escapeSlack(notice.logsUrl)}|${connection ? 'Reconnect it in the console' : backfill ? 'The backfill in the console' : 'Runs of this connector'}>`,
          },
        ],
      },
    ],
  };
}
