import { Router } from 'express';
import { listRunsQuerySchema } from '../../../shared/src/api/api-contracts';
import { decodeRunCursor, runIdSchema } from '../run-log/run-record';
import type { RunLogStore } from '../run-log/run-record';
import { ApiError, parseOrThrow } from './api-error';

export function createRunsRouter(deps: { runLog: RunLogStore }): Router {
  const router = Router();

  router.get('/runs', async (req, res) => {
    const query = parseOrThrow(listRunsQuerySchema, req.query, 'QUERY_INVALID');
    // The app may read the runs of a ticket it is showing; listing everything is for admins.
    if (req.principal?.kind !== 'admin' && query.ticketId === undefined) {
      throw new ApiError('FORBIDDEN', 'Listing runs without a ticketId needs the admin token.');
    }
    if (query.cursor !== undefined && !decodeRunCursor(query.cursor)) {
      throw new ApiError(
        'QUERY_INVALID',
        'The cursor is not one this server handed out; start again without it.',
      );
    }
    const page = await deps.runLog.query({
      ...(query.connectorId === undefined ? {} : { connectorId: query.connectorId }),
      ...(query.ticketId === undefined
        ? {}
        : { targetSystem: 'zendesk', targetId: String(query.ticketId) }),
      ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
      ...(query.since === undefined ? {} : { since: new Date(query.since).toISOString() }),
      ...(query.until === undefined ? {} : { until: new Date(query.until).toISOString() }),
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    res.json({ runs: page.runs, nextCursor: page.nextCursor ?? null });
  });

  router.get('/runs/:runId', async (req, res) => {
    const runId = String(req.params.runId);
    const run = runIdSchema.safeParse(runId).success ? await deps.runLog.get(runId) : undefined;
    if (!run) throw new ApiError('RUN_NOT_FOUND', `There is no run "${runId.slice(0, 40)}".`);
    res.json({ run });
  });

  return router;
}
