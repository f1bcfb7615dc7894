import * as z from 'zod';
import { targetSystemSchema } from '../run-log/run-record';
import { DELIVERY_STATES } from './delivery-queue';
import type {
  Delivery,
  DeliveryError,
  DeliveryState,
  StepProgress,
  StepResult,
} from './delivery-queue';

/**
 * The rows both delivery queues keep (SQLite and PostgreSQL have the same columns), read back
 * the same way. Times are epoch milliseconds; PostgreSQL hands its bigints over as text, hence
 * the coercion.
 */
const deliveryRowSchema = z.object({
  id: z.string(),
  system: targetSystemSchema,
  workflow_id: z.string(),
  target_type: z.string(),
  target_id: z.string(),
  payload: z.string(),
  state: z.enum(DELIVERY_STATES as [DeliveryState, ...DeliveryState[]]),
  attempts: z.coerce.number().int(),
  next_attempt_at: z.coerce.number(),
  outcome: z.enum(['success', 'failed']).nullable(),
  message: z.string().nullable(),
  last_error: z.string().nullable(),
  received_at: z.coerce.number(),
  updated_at: z.coerce.number(),
  finished_at: z.coerce.number().nullable(),
  lease_token: z.string().nullable(),
  lease_until: z.coerce.number().nullable(),
});
type DeliveryRow = z.infer<typeof deliveryRowSchema>;

const stepRowSchema = z.object({
  step_id: z.string(),
  state: z.enum(['started', 'done']),
  result: z.string(),
  updated_at: z.coerce.number(),
});

const iso = (ms: number) => new Date(ms).toISOString();

/** A stored delivery row as the API gives it. */
export function toDelivery(raw: unknown): Delivery {
  const row: DeliveryRow = deliveryRowSchema.parse(raw);
  return {
    id: row.id,
    system: row.system,
    workflowId: row.workflow_id,
    target: { type: row.target_type, id: row.target_id },
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: iso(row.next_attempt_at),
    outcome: row.outcome ?? undefined,
    message: row.message ?? undefined,
    lastError: row.last_error ? (JSON.parse(row.last_error) as DeliveryError) : undefined,
    receivedAt: iso(row.received_at),
    updatedAt: iso(row.updated_at),
    finishedAt: row.finished_at === null ? undefined : iso(row.finished_at),
  };
}

/** A stored step mark. */
export function toStepProgress(raw: unknown): StepProgress {
  const row = stepRowSchema.parse(raw);
  return {
    stepId: row.step_id,
    state: row.state,
    result: JSON.parse(row.result) as StepResult,
    updatedAt: iso(row.updated_at),
  };
}
