import { Router } from 'express';
import * as z from 'zod';
import { ApiError, parseOrThrow } from '../http/api-error';
import { requireAdmin } from '../http/authenticate';
import { DELIVERY_ID_PATTERN, DELIVERY_STATES } from './delivery-queue';
import type { DeliveryQueue, DeliveryState } from './delivery-queue';

/**
 * Admin view of workflow deliveries, mounted in the API router (JSON and authentication done):
 * - `GET /admin/deliveries?state=dead&workflowId=…&ticketId=…&limit=50&before=<id>`
 * - `GET /admin/deliveries/:id` with its steps
 * - `POST /admin/deliveries/:id/rerun` queues a dead delivery again; finished steps stay done.
 */

const listQuerySchema = z.strictObject({
  state: z.enum(DELIVERY_STATES as [DeliveryState, ...DeliveryState[]]).optional(),
  workflowId: z.string().max(64).optional(),
  ticketId: z
    .string()
    .regex(/^[A-Za-z0-9]{1,20}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.string().regex(DELIVERY_ID_PATTERN, 'a delivery id').optional(),
});

export function createAdminDeliveriesRouter(deps: {
  queue: DeliveryQueue;
  /** Called after a re-run is queued (kicks the worker). */
  onRequeued: () => void;
}): Router {
  const router = Router();

  const findDelivery = async (raw: string) => {
    const delivery = DELIVERY_ID_PATTERN.test(raw) ? await deps.queue.get(raw) : undefined;
    if (!delivery) throw new ApiError('NOT_FOUND', `There is no delivery "${raw.slice(0, 40)}".`);
    return delivery;
  };

  router.get('/admin/deliveries', async (req, res) => {
    requireAdmin(req);
    const query = parseOrThrow(listQuerySchema, req.query, 'QUERY_INVALID');
    const page = await deps.queue.list({
      limit: query.limit,
      ...(query.state ? { state: query.state } : {}),
      ...(query.workflowId ? { workflowId: query.workflowId } : {}),
      ...(query.ticketId ? { targetId: query.ticketId } : {}),
      ...(query.before ? { before: query.before } : {}),
    });
    res.json({
      deliveries: page.deliveries,
      nextBefore: page.nextBefore ?? null,
      counts: await deps.queue.countByState(),
    });
  });

  router.get('/admin/deliveries/:deliveryId', async (req, res) => {
    requireAdmin(req);
    const delivery = await findDelivery(String(req.params.deliveryId));
    res.json({ delivery, steps: await deps.queue.steps(delivery.id) });
  });

  router.post('/admin/deliveries/:deliveryId/rerun', async (req, res) => {
    requireAdmin(req);
    const delivery = await findDelivery(String(req.params.deliveryId));
    const requeued = await deps.queue.requeueDead(delivery.id);
    if (!requeued) {
      throw new ApiError(
        'NOT_FOUND',
        `Delivery ${delivery.id} is ${delivery.state}, not dead; only dead deliveries can be re-run.`,
      );
    }
    deps.onRequeued();
    res.status(202).json({ delivery: requeued });
  });

  return router;
}
