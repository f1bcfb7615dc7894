import { createHash } from 'node:crypto';
import express, { Router } from 'express';
import type { Request } from 'express';
import * as z from 'zod';
import { ApiError, describeZodError } from '../http/api-error';
import type { CompiledConfig } from '../compile/compiled-model';
import type { CompiledWorkflow } from '../compile/compile-workflows';
import type { Logger } from '../logging/logger';
import type { DeliveryQueue, NewDelivery } from './delivery-queue';
import { MAX_SIGNATURE_AGE_MS, MAX_SIGNATURE_SKEW_MS } from './webhook-signature';
import type { VerifySignatureResult } from './webhook-signature';

/**
 * `POST /webhooks/<helpdesk>/:workflowId`, for every helpdesk that takes webhooks.
 *
 * Each call is checked in this order: signature (over the raw bytes, before anything is parsed),
 * workflow, body. An accepted delivery is committed to the queue before the 202 goes out, so
 * once the helpdesk sees 202 the work cannot be lost; the worker is then kicked.
 *
 * Duplicates: the same signed request (the same signature bytes, however the base64 is spelled,
 * whatever unsigned headers come with it) is one delivery, and so is a second request with the
 * same delivery id the helpdesk gives (Zendesk's invocation id, Salesforce's `eventId`). A
 * duplicate is answered 202 with the first delivery's id and is not processed again.
 */

export type VerifiedSignature = Extract<VerifySignatureResult, { ok: true }>;

/** What the queue needs of a delivery, as a helpdesk reads it from its signed body. */
export interface WebhookDelivery {
  /** Two deliveries with the same key are one (a retry of the same invocation or event). */
  dedupeKey: string;
  target: NewDelivery['target'];
  payload: NewDelivery['payload'];
  /** When the signed request stops being accepted at all (its timestamp plus the window). */
  signedAtMs: number | undefined;
}

/** One helpdesk's webhooks: how they are signed and what their body holds. */
export interface HelpdeskWebhook {
  readonly system: string;
  readonly label: string;
  /** The environment variable with the signing secret, named when it is not set. */
  readonly secretName: string;
  /** Checks the signature over the raw bytes; nothing is parsed before it holds. */
  verify(req: Request, body: Buffer, secret: string, nowMs: number): VerifySignatureResult;
  /** Reads a signed body for a workflow (throws ApiError BODY_INVALID or AUTH_INVALID). */
  readDelivery(input: {
    req: Request;
    body: Buffer;
    workflow: CompiledWorkflow;
    nowMs: number;
  }): WebhookDelivery;
}

export interface WebhookRoutesDeps {
  queue: DeliveryQueue;
  config: () => CompiledConfig | undefined;
  /** The helpdesks that take webhooks, each with its signing secret (unset: all refused). */
  helpdesks: readonly { webhook: HelpdeskWebhook; secret: string | undefined }[];
  /** Called after a new delivery is stored (kicks the worker). */
  onEnqueued: () => void;
  /**
   * Throws 429 RATE_LIMITED when the system sends too much. Called once a signature checks out,
   * so a flood of forged requests cannot use up the helpdesk's own budget.
   */
  limitDelivery?: (system: string) => void;
  logger: Logger;
  now?: () => number;
}

const MAX_BODY = '256kb';
/** A delivery id a helpdesk sends (an invocation or event id), as the queue's key accepts it. */
export const DELIVERY_KEY = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * The trigger's JSON body. Admins choose its keys (they become {{trigger.<key>}}), so it is a
 * flat record of scalars rather than a fixed shape; Zendesk placeholders are quoted, so numbers
 * usually arrive as strings and are coerced where a number is needed.
 */
const flatBodySchema = z.record(
  z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'use keys of letters, digits, "_" and "-"'),
  z.union([z.string().max(100_000), z.number(), z.boolean(), z.null()]),
  'the body must be a flat JSON object of strings, numbers and booleans',
);

export function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

function rawBody(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

export function refuseSignature(result: Extract<VerifySignatureResult, { ok: false }>): ApiError {
  return new ApiError(
    result.error.code === 'SIGNATURE_MISSING' ? 'AUTH_REQUIRED' : 'AUTH_INVALID',
    result.error.message,
    { reason: result.error.code },
  );
}

/** Parses the raw body as a flat JSON object, then checks the keys the helpdesk needs. */
export function parseFlatBody<T>(
  schema: z.ZodType<T>,
  body: Buffer,
): { values: z.infer<typeof flatBodySchema>; fields: T } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError('BODY_INVALID', 'The request body is not valid JSON.');
  }
  const flat = flatBodySchema.safeParse(json);
  const fields = flat.success ? schema.safeParse(flat.data) : undefined;
  if (!flat.success || !fields?.success) {
    throw new ApiError(
      'BODY_INVALID',
      'The webhook body is not valid.',
      describeZodError(flat.success ? (fields as z.ZodSafeParseError<T>).error : flat.error),
    );
  }
  return { values: flat.data, fields: fields.data };
}

export function createWebhookRouter(deps: WebhookRoutesDeps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  const raw = express.raw({ type: () => true, limit: MAX_BODY });

  const accept = async (delivery: NewDelivery) => {
    const enqueued = await deps.queue.enqueue(delivery);
    if (!enqueued.ok) {
      deps.logger.warn('a replayed webhook delivery was refused', {
        workflowId: delivery.workflowId,
        system: delivery.system,
      });
      throw new ApiError('AUTH_INVALID', enqueued.error.message, { reason: enqueued.error.code });
    }
    if (!enqueued.duplicate) deps.onEnqueued();
    deps.logger.info('webhook delivery accepted', {
      deliveryId: enqueued.delivery.id,
      workflowId: delivery.workflowId,
      duplicate: enqueued.duplicate,
    });
    return { deliveryId: enqueued.delivery.id, duplicate: enqueued.duplicate };
  };

  for (const { webhook, secret } of deps.helpdesks) {
    const { system } = webhook;
    router.post(`/${system}/:workflowId`, raw, async (req, res) => {
      if (secret === undefined) {
        deps.logger.warn(`a ${system} webhook was refused: ${webhook.secretName} is not set`);
        throw new ApiError(
          'AUTH_INVALID',
          'Webhooks from this system are not enabled on the server.',
        );
      }
      const body = rawBody(req);
      const nowMs = now();
      const verified = webhook.verify(req, body, secret, nowMs);
      if (!verified.ok) throw refuseSignature(verified);
      deps.limitDelivery?.(system);
      const workflowId = String(req.params.workflowId);
      const workflow = deps.config()?.workflows.get(workflowId);
      if (!workflow || !workflow.def.enabled || !workflow.def.trigger[system]) {
        throw new ApiError(
          'NOT_FOUND',
          `There is no enabled workflow "${workflowId.slice(0, 64)}" started by ${webhook.label}.`,
        );
      }
      const delivery = webhook.readDelivery({ req, body, workflow, nowMs });
      const signedAtMs = delivery.signedAtMs ?? verified.timestampMs ?? nowMs;
      const reply = await accept({
        system,
        workflowId: workflow.id,
        dedupeKey: delivery.dedupeKey,
        target: delivery.target,
        payload: delivery.payload,
        replayGuard: {
          signature: sha256(verified.signatureBytes),
          expiresAtMs: signedAtMs + MAX_SIGNATURE_AGE_MS + MAX_SIGNATURE_SKEW_MS,
        },
      });
      res.status(202).json(reply);
    });
  }

  return router;
}
