import { createHash } from 'node:crypto';
import express, { Router } from 'express';
import type { Request } from 'express';
import * as z from 'zod';
import { idSchema } from '../../../shared/src/api/api-contracts';
import { ApiError, describeZodError } from '../api/api-error';
import type { CompiledConfig } from '../compile/compiled-model';
import type { CompiledWorkflow } from '../compile/compile-workflows';
import type { Logger } from '../logging/logger';
import type { DeliveryQueue, DeliverySystem, NewDelivery } from './delivery-queue';
import {
  checkSignedTimestamp,
  MAX_SIGNATURE_AGE_MS,
  MAX_SIGNATURE_SKEW_MS,
  SALESFORCE_SIGNATURE_HEADER,
  verifySalesforceSignature,
  verifyZendeskSignature,
  ZENDESK_INVOCATION_HEADER,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
} from './webhook-signature';
import type { VerifySignatureResult } from './webhook-signature';

/**
 * `POST /webhooks/zendesk/:workflowId` and `POST /webhooks/salesforce/:workflowId`.
 *
 * Each call is checked in this order: signature (over the raw bytes, before anything is parsed),
 * workflow, body. An accepted delivery is committed to the queue before the 202 goes out, so
 * once the helpdesk sees 202 the work cannot be lost; the worker is then kicked.
 *
 * Duplicates: the same signed request (the same signature bytes, however the base64 is spelled,
 * whatever unsigned headers come with it) is one delivery, and so is a second
 * request with the same Zendesk invocation id (`X-Zendesk-Webhook-Invocation-Id`, the same for
 * every retry of one invocation), `delivery_id` in the body, or Salesforce `eventId`. A duplicate
 * is answered 202 with the first delivery's id and is not processed again.
 */

export interface WebhookRoutesDeps {
  queue: DeliveryQueue;
  config: () => CompiledConfig | undefined;
  /** Signing secrets; a system without one refuses every delivery. */
  secrets: { zendesk: string | undefined; salesforce: string | undefined };
  /** Called after a new delivery is stored (kicks the worker). */
  onEnqueued: () => void;
  /**
   * Throws 429 RATE_LIMITED when the system sends too much. Called once a signature checks out,
   * so a flood of forged requests cannot use up the helpdesk's own budget.
   */
  limitDelivery?: (system: DeliverySystem) => void;
  logger: Logger;
  now?: () => number;
}

const MAX_BODY = '256kb';
const DELIVERY_KEY = /^[A-Za-z0-9_.:-]{1,200}$/;

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

const numericIdSchema = z.union([z.string().trim(), z.number()]).pipe(idSchema).transform(String);

/** The keys the server itself reads from a Zendesk delivery; the rest is up to the admin. */
const zendeskBodySchema = z.looseObject({
  ticket_id: numericIdSchema.describe('"ticket_id": "{{ticket.id}}"'),
  delivery_id: z.string().regex(DELIVERY_KEY).optional(),
});

const salesforceBodySchema = z.looseObject({
  objectApiName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/),
  recordId: z.string().regex(/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/, 'a 15- or 18-character id'),
  sentAt: z.string().describe('ISO 8601; deliveries older than 5 minutes are refused'),
  eventId: z.string().regex(DELIVERY_KEY).optional(),
});

function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

function rawBody(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

function refuseSignature(result: Extract<VerifySignatureResult, { ok: false }>): ApiError {
  return new ApiError(
    result.error.code === 'SIGNATURE_MISSING' ? 'AUTH_REQUIRED' : 'AUTH_INVALID',
    result.error.message,
    { reason: result.error.code },
  );
}

/** Parses the raw body as a flat JSON object, then checks the keys the server needs. */
function parseBody<T>(
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

  const findWorkflow = (workflowId: string, system: DeliverySystem): CompiledWorkflow => {
    const workflow = deps.config()?.workflows.get(workflowId);
    if (!workflow || !workflow.def.enabled || !workflow.def.trigger[system]) {
      throw new ApiError(
        'NOT_FOUND',
        `There is no enabled workflow "${workflowId.slice(0, 64)}" started by ${system === 'zendesk' ? 'Zendesk' : 'Salesforce'}.`,
      );
    }
    return workflow;
  };

  const requireSecret = (system: DeliverySystem): string => {
    const secret = deps.secrets[system];
    if (secret === undefined) {
      const name = system === 'zendesk' ? 'ZENDESK_WEBHOOK_SECRET' : 'SALESFORCE_WEBHOOK_SECRET';
      deps.logger.warn(`a ${system} webhook was refused: ${name} is not set`);
      throw new ApiError(
        'AUTH_INVALID',
        'Webhooks from this system are not enabled on the server.',
      );
    }
    return secret;
  };

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

  router.post('/zendesk/:workflowId', raw, async (req, res) => {
    const secret = requireSecret('zendesk');
    const body = rawBody(req);
    const signature = req.get(ZENDESK_SIGNATURE_HEADER);
    const timestamp = req.get(ZENDESK_TIMESTAMP_HEADER);
    const verified = verifyZendeskSignature({ secret, signature, timestamp, body, nowMs: now() });
    if (!verified.ok) throw refuseSignature(verified);
    deps.limitDelivery?.('zendesk');
    const workflow = findWorkflow(String(req.params.workflowId), 'zendesk');
    const { values, fields } = parseBody(zendeskBodySchema, body);
    const invocation = req.get(ZENDESK_INVOCATION_HEADER)?.trim() || fields.delivery_id;
    if (invocation !== undefined && !DELIVERY_KEY.test(invocation)) {
      throw new ApiError('BODY_INVALID', 'The invocation id is not valid.');
    }
    const ticketId = fields.ticket_id;
    const reply = await accept({
      system: 'zendesk',
      workflowId: workflow.id,
      dedupeKey: invocation
        ? `zendesk:${workflow.id}:invocation:${invocation}`
        : `zendesk:${workflow.id}:signed:${sha256(timestamp ?? '', '\n', body)}`,
      target: { type: 'ticket', id: ticketId },
      payload: { ...values, ticket_id: ticketId },
      replayGuard: {
        signature: sha256(verified.signatureBytes),
        expiresAtMs: (verified.timestampMs ?? now()) + MAX_SIGNATURE_AGE_MS + MAX_SIGNATURE_SKEW_MS,
      },
    });
    res.status(202).json(reply);
  });

  router.post('/salesforce/:workflowId', raw, async (req, res) => {
    const secret = requireSecret('salesforce');
    const body = rawBody(req);
    const signature = req.get(SALESFORCE_SIGNATURE_HEADER);
    const verified = verifySalesforceSignature({ secret, signature, body });
    if (!verified.ok) throw refuseSignature(verified);
    deps.limitDelivery?.('salesforce');
    const workflow = findWorkflow(String(req.params.workflowId), 'salesforce');
    const { values, fields: parsed } = parseBody(salesforceBodySchema, body);
    const fresh = checkSignedTimestamp(parsed.sentAt, now());
    if (!fresh.ok) throw refuseSignature(fresh);
    const trigger = workflow.def.trigger.salesforce as { objectTypes?: string[] } | undefined;
    const objectTypes = trigger?.objectTypes;
    if (objectTypes && !objectTypes.includes(parsed.objectApiName)) {
      throw new ApiError(
        'BODY_INVALID',
        `Workflow "${workflow.id}" does not run on ${parsed.objectApiName} records.`,
        [{ path: '$.objectApiName', message: `use one of ${objectTypes.join(', ')}` }],
      );
    }
    const reply = await accept({
      system: 'salesforce',
      workflowId: workflow.id,
      dedupeKey: parsed.eventId
        ? `salesforce:${workflow.id}:event:${parsed.eventId}`
        : `salesforce:${workflow.id}:signed:${sha256(body)}`,
      target: { type: parsed.objectApiName, id: parsed.recordId },
      payload: values,
      replayGuard: {
        signature: sha256(verified.signatureBytes),
        expiresAtMs: fresh.timestampMs + MAX_SIGNATURE_AGE_MS + MAX_SIGNATURE_SKEW_MS,
      },
    });
    res.status(202).json(reply);
  });

  return router;
}
