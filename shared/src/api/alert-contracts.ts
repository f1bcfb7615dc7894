import * as z from 'zod/mini';
import { defineEndpoint } from './define-endpoint';

/**
 * The admin API of connector alerts (server/src/alerts/alert-routes.ts, docs/api.md "Alerts"),
 * for the admin console: each connector's alert rule and state, and resuming a connector an
 * alert paused. zod/mini like the app contracts, so a browser page can bundle it. Answer objects
 * are not strict, for the same reason as answer-schemas.ts: a field a newer server adds must not
 * break a page that is already open.
 */

/** The rule as the config file has it (`alerts` on a connector), with its defaults filled in. */
export const alertRuleViewSchema = z.object({
  failuresInARow: z.nullable(z.number()),
  failureRate: z.nullable(
    z.object({ percent: z.number(), windowMinutes: z.number(), minRuns: z.number() }),
  ),
  email: z.array(z.string()),
  /** The name of the secret holding the webhook URL; never the URL. */
  webhook: z.nullable(z.object({ urlSecret: z.string() })),
  pause: z.boolean(),
});
export type AlertRuleView = z.infer<typeof alertRuleViewSchema>;

export const alertViewSchema = z.object({
  connectorId: z.string(),
  /** The connector's name, or null when the config no longer has it (its state is kept). */
  name: z.nullable(z.string()),
  /** Null when the connector has no `alerts` (any more): its state is shown until resumed. */
  rule: z.nullable(alertRuleViewSchema),
  /** `incident` from the moment a rule tripped until a healthy run closes it. */
  state: z.enum(['ok', 'incident']),
  incident: z.nullable(
    z.object({
      /** ISO 8601, when the rule tripped. */
      since: z.string(),
      /** The rule that tripped, in words: "3 failures in a row". */
      reason: z.string(),
    }),
  ),
  /** Set while the connector is paused (runs refused with CONNECTOR_PAUSED). */
  paused: z.nullable(z.object({ since: z.string() })),
  /** Real runs that failed since the last healthy one. */
  failuresInARow: z.number(),
  /** The latest failed run: its error code and the agent's message, both as the run log has them. */
  lastFailure: z.nullable(
    z.object({
      runId: z.string(),
      errorCode: z.nullable(z.string()),
      message: z.string(),
      at: z.string(),
    }),
  ),
});
export type AlertView = z.infer<typeof alertViewSchema>;

export const listAlertsAnswerSchema = z.object({ alerts: z.array(alertViewSchema) });
export type ListAlertsAnswer = z.infer<typeof listAlertsAnswerSchema>;

export const resumeConnectorAnswerSchema = z.object({
  /** False when the connector was not paused (resuming is idempotent). */
  resumed: z.boolean(),
  alert: alertViewSchema,
});
export type ResumeConnectorAnswer = z.infer<typeof resumeConnectorAnswerSchema>;

/** Any admin call: the sandbox's Host check, authentication, rate limit, a server bug. */
const ADMIN_CALL_ERRORS = [
  'HOST_NOT_ALLOWED',
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'SESSION_EXPIRED',
  // A sidebar session, not the admin token.
  'FORBIDDEN',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
] as const;

export const listAlertsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/admin/alerts',
  answer: listAlertsAnswerSchema,
  errors: [...ADMIN_CALL_ERRORS],
});

export const resumeConnectorEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/admin/connectors/:connectorId/resume',
  answer: resumeConnectorAnswerSchema,
  // Neither in the config nor known to the alerts.
  errors: [...ADMIN_CALL_ERRORS, 'CONNECTOR_NOT_FOUND'],
});

/** The admin console's alert endpoints. */
export const ALERT_ENDPOINTS = {
  listAlerts: listAlertsEndpoint,
  resumeConnector: resumeConnectorEndpoint,
} as const;
