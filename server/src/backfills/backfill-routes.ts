import { Router } from 'express';
import * as z from 'zod';
import { ApiError, parseOrThrow } from '../http/api-error';
import { requireAdmin } from '../http/authenticate';
import type { Result } from '../../../shared/src/result';
import { BACKFILL_ID_PATTERN } from './backfill-store';
import type { BackfillError, BackfillService } from './backfill-service';

/**
 * The admin API of backfills, mounted in the API router (JSON and authentication done):
 * - `POST /admin/backfills` `{ connectorId, search | soql, dryRun? }`: 202 and its progress, or
 *   200 and the dry run (the count and the first renders; nothing queued, sent or written);
 * - `GET /admin/backfills`, `GET /admin/backfills/:id`: progress;
 * - `GET /admin/backfills/:id/failures`: the failed targets with their error code and message;
 * - `POST /admin/backfills/:id/stop | resume | retry-failed`.
 */

const startBodySchema = z.strictObject({
  connectorId: z.string().min(1).max(64),
  search: z.string().trim().min(1).max(1_000).optional(),
  soql: z.string().trim().min(1).max(4_000).optional(),
  dryRun: z.boolean().default(false),
});

const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

function unwrap<T>(result: Result<T, BackfillError>): T {
  if (!result.ok) throw new ApiError(result.error.code, result.error.message);
  return result.value;
}

function backfillIdOf(raw: unknown): string {
  const id = String(raw);
  if (!BACKFILL_ID_PATTERN.test(id)) {
    throw new ApiError('BACKFILL_NOT_FOUND', `There is no backfill "${id.slice(0, 40)}".`);
  }
  return id;
}

export function createBackfillRouter(service: BackfillService): Router {
  const router = Router();

  router.post('/admin/backfills', async (req, res) => {
    requireAdmin(req);
    const body = parseOrThrow(startBodySchema, req.body, 'BODY_INVALID');
    const started = unwrap(await service.start(body));
    res
      .status('dryRun' in started ? 200 : 202)
      .json('dryRun' in started ? started : { backfill: started });
  });

  router.get('/admin/backfills', async (req, res) => {
    requireAdmin(req);
    const query = parseOrThrow(listQuerySchema, req.query, 'QUERY_INVALID');
    res.json({ backfills: await service.list(query.limit) });
  });

  router.get('/admin/backfills/:backfillId', async (req, res) => {
    requireAdmin(req);
    res.json({ backfill: unwrap(await service.progress(backfillIdOf(req.params.backfillId))) });
  });

  router.get('/admin/backfills/:backfillId/failures', async (req, res) => {
    requireAdmin(req);
    const query = parseOrThrow(listQuerySchema, req.query, 'QUERY_INVALID');
    const id = backfillIdOf(req.params.backfillId);
    res.json({ failures: unwrap(await service.failures(id, query.limit)) });
  });

  router.post('/admin/backfills/:backfillId/stop', async (req, res) => {
    requireAdmin(req);
    res.json({ backfill: unwrap(await service.stop(backfillIdOf(req.params.backfillId))) });
  });

  router.post('/admin/backfills/:backfillId/resume', async (req, res) => {
    requireAdmin(req);
    res.json({ backfill: unwrap(await service.resume(backfillIdOf(req.params.backfillId))) });
  });

  router.post('/admin/backfills/:backfillId/retry-failed', async (req, res) => {
    requireAdmin(req);
    const retried = unwrap(await service.retryFailed(backfillIdOf(req.params.backfillId)));
    const { requeued, ...backfill } = retried;
    res.json({ backfill, requeued });
  });

  return router;
}
