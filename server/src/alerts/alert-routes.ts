import { Router } from 'express';
import {
  listAlertsEndpoint,
  resumeConnectorEndpoint,
} from '../../../shared/src/api/alert-contracts';
import type {
  ListAlertsAnswer,
  ResumeConnectorAnswer,
} from '../../../shared/src/api/alert-contracts';
import { ApiError } from '../http/api-error';
import { requireAdmin } from '../http/authenticate';
import type { AlertMonitor } from './alert-monitor';

/** What the routes need of the alert monitor. */
export type AlertAdmin = Pick<AlertMonitor, 'list' | 'resume'>;

/** The contract's path under the /api router this is mounted on. */
const underApi = (path: string) => path.replace(/^\/api/, '');

/**
 * The admin API of connector alerts (admin token only; shared/src/api/alert-contracts.ts):
 * `GET /api/admin/alerts`, each connector's rule and state, and
 * `POST /api/admin/connectors/:connectorId/resume`, which lifts an alert's pause at once.
 */
export function createAlertRoutes(alerts: AlertAdmin): Router {
  const router = Router();
  router.get(underApi(listAlertsEndpoint.path), async (req, res) => {
    requireAdmin(req);
    const answer: ListAlertsAnswer = { alerts: await alerts.list() };
    res.json(answer);
  });
  router.post(underApi(resumeConnectorEndpoint.path), async (req, res) => {
    requireAdmin(req);
    const resumed = await alerts.resume(String(req.params.connectorId));
    if (!resumed.ok) throw new ApiError(resumed.error.code, resumed.error.message);
    const answer: ResumeConnectorAnswer = resumed.value;
    res.json(answer);
  });
  return router;
}
