import { Router } from 'express';
import type { Response } from 'express';
import { listRunsEndpoint } from '../../../../shared/src/api/endpoints';
import { decodeRunCursor, runIdSchema } from '../../run-log/run-record';
import type { RunLogStore, RunRecord } from '../../run-log/run-record';
import type { HelpdeskPort } from '../../runs/helpdesk-port';
import { ApiError, parseOrThrow } from '../../http/api-error';
import { mayReadTicket } from './ticket-access';

/** Writes `chunk`; when the socket's buffer is full, waits for it to drain (false: it closed). */
function writeChunk(res: Response, chunk: string): Promise<boolean> | boolean {
  if (res.write(chunk)) return true;
  return new Promise((resolve) => {
    const settle = (open: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(open);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/**
 * `{ runs, nextCursor }`, one run at a time: the page is bounded in bytes by the store, and
 * streaming it keeps the server from building a second, whole-page copy as one string, and stops
 * work as soon as a slow or gone client stops reading.
 */
async function streamRunsPage(
  res: Response,
  runs: RunRecord[],
  nextCursor: string | null,
): Promise<void> {
  res.status(200).type('application/json');
  if (!(await writeChunk(res, '{"runs":['))) return;
  for (const [index, run] of runs.entries()) {
    if (!(await writeChunk(res, (index === 0 ? '' : ',') + JSON.stringify(run)))) return;
  }
  res.end(`],"nextCursor":${JSON.stringify(nextCursor)}}`);
}

/**
 * The run log over HTTP. An agent's sidebar session reads only the runs of tickets Zendesk
 * shows that agent; anything else is "not found", exactly as an unknown ticket or run is.
 */
export function createRunsRouter(deps: {
  runLog: RunLogStore;
  /** Zendesk, to check what a sidebar session may see. */
  helpdesk: HelpdeskPort | undefined;
}): Router {
  const router = Router();

  router.get('/runs', async (req, res) => {
    const query = parseOrThrow(listRunsEndpoint.query, req.query, 'QUERY_INVALID');
    // The app may read the runs of a ticket it is showing; listing everything is for admins.
    if (req.principal?.kind !== 'admin' && query.ticketId === undefined) {
      throw new ApiError('FORBIDDEN', 'Listing runs without a ticketId needs the admin token.');
    }
    if (
      query.ticketId !== undefined &&
      !(await mayReadTicket(req, deps.helpdesk, String(query.ticketId)))
    ) {
      throw new ApiError(
        'TICKET_NOT_FOUND',
        `There is no ticket ${query.ticketId}, or you cannot open it in Zendesk.`,
      );
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
      ...(query.errorCode === undefined ? {} : { errorCode: query.errorCode }),
      ...(query.since === undefined ? {} : { since: new Date(query.since).toISOString() }),
      ...(query.until === undefined ? {} : { until: new Date(query.until).toISOString() }),
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    await streamRunsPage(res, page.runs, page.nextCursor ?? null);
  });

  router.get('/runs/:runId', async (req, res) => {
    const runId = String(req.params.runId);
    const run = runIdSchema.safeParse(runId).success ? await deps.runLog.get(runId) : undefined;
    const visible =
      run !== undefined &&
      (req.principal?.kind === 'admin' ||
        (run.target.system === 'zendesk' &&
          (await mayReadTicket(req, deps.helpdesk, run.target.id))));
    if (!visible) throw new ApiError('RUN_NOT_FOUND', `There is no run "${runId.slice(0, 40)}".`);
    res.json({ run });
  });

  return router;
}
