import { createHmac } from 'node:crypto';
import request from 'supertest';
import type { RunningDemoUpstream } from '../../../server/src/sandbox/demo-upstream/demo-upstream';
import type { RunningFakeSalesforce } from '../../../server/src/sandbox/fake-salesforce/fake-salesforce';
import type { RunningFakeZendesk } from '../../../server/src/sandbox/fake-zendesk/fake-zendesk';
import { SANDBOX_ZENDESK_CREDENTIALS } from '../../../server/src/sandbox/seed/zendesk-seed';
import type { RunningServer } from '../../../server/src/start-server';
import type { Delivery } from '../../../server/src/workflows/delivery-queue';
import { startTestStack } from '../../support/start-test-stack';

/**
 * The test stack (test/support/start-test-stack.ts) plus what automations need: webhook signing
 * secrets, the sandbox Zendesk URL rewritten too, fast retries, and helpers to sign deliveries
 * and await them.
 */
export const WEBHOOK_SECRET = 'automation-test-webhook-secret-0123456789';
export const SALESFORCE_WEBHOOK_SECRET = 'automation-test-salesforce-secret-0123456789';
export const ADMIN_TOKEN = 'automation-admin-token-0123456789abcdef';
export const SALESFORCE_CONNECTOR_KEY = 'automation-salesforce-connector-key-0123456789';

/** base64(HMAC-SHA256(secret, TIMESTAMP + BODY)), as Zendesk documents it. */
export function signZendeskDelivery(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret)
    .update(timestamp + body)
    .digest('base64');
}

/** base64(HMAC-SHA256(secret, BODY)): what the Apex action puts in X-Connector-Signature. */
export function signSalesforceDelivery(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

export interface DeliverOptions {
  timestamp?: string;
  secret?: string;
  headers?: Record<string, string>;
}

export interface AutomationStack {
  server: RunningServer;
  url: string;
  zendesk: RunningFakeZendesk;
  upstream: RunningDemoUpstream;
  /** The Salesforce org (its fake on its own port), when started with `salesforce: true`. */
  salesforce: RunningFakeSalesforce | undefined;
  adminAuth: { Authorization: string };
  logLines: string[];
  /** Creates a ticket in the fake Zendesk through its API and returns its id. */
  createTicket(fields: { subject: string; tags: string[]; description?: string }): Promise<number>;
  ticket(id: number): {
    customFields: Record<string, unknown>;
    tags: string[];
    notes: string[];
    groupId: number | null;
    subject: string;
  };
  /** Posts a signed Zendesk delivery (now, unless a timestamp is given). */
  deliver(workflowId: string, body: unknown, options?: DeliverOptions): request.Test;
  /** Posts a Salesforce delivery signed as the Apex action signs it. */
  deliverSalesforce(
    workflowId: string,
    body: unknown,
    options?: Pick<DeliverOptions, 'secret' | 'headers'>,
  ): request.Test;
  /** Resolves once the delivery is stored in a state `until` accepts (default: finished). */
  waitForDelivery(id: string, until?: (delivery: Delivery) => boolean): Promise<Delivery>;
  close(): Promise<void>;
}

const finished = (delivery: Delivery) =>
  delivery.state === 'completed' || delivery.state === 'dead';

export async function startAutomationStack(
  options: {
    editConfig?: (config: Record<string, unknown>) => void;
    /** Also start a fake Salesforce org and connect the server to it (live-mode credentials). */
    salesforce?: boolean;
  } = {},
): Promise<AutomationStack> {
  const stack = await startTestStack({
    rewriteSandboxZendeskUrl: true,
    editConfig: (config) => {
      // Retries a few milliseconds apart, so dead letters and fail paths are reached quickly.
      for (const workflow of config.workflows as Record<string, unknown>[]) {
        workflow.maxAttempts = 3;
        workflow.retry = { initialDelayMs: 10, maxDelayMs: 20 };
      }
      options.editConfig?.(config);
    },
    env: (built) => ({
      adminToken: ADMIN_TOKEN,
      zendeskWebhookSecret: WEBHOOK_SECRET,
      salesforceWebhookSecret: SALESFORCE_WEBHOOK_SECRET,
      // The fake org runs either way; the server is connected to it only when asked.
      salesforce:
        options.salesforce && built.salesforce
          ? { ...built.salesforce, connectorKey: SALESFORCE_CONNECTOR_KEY }
          : undefined,
    }),
  });
  const { server, zendesk } = stack;
  const worker = server.workflows.worker;
  if (!worker) throw new Error('the workflow worker was not created');

  return {
    server,
    url: stack.url,
    zendesk,
    upstream: stack.upstream,
    salesforce: options.salesforce ? stack.salesforce : undefined,
    adminAuth: stack.adminAuth,
    logLines: stack.logLines,
    createTicket: async ({ subject, tags, description }) => {
      const res = await request(zendesk.baseUrl)
        .post('/api/v2/tickets.json')
        .auth(`${SANDBOX_ZENDESK_CREDENTIALS.email}/token`, SANDBOX_ZENDESK_CREDENTIALS.apiToken)
        .send({ ticket: { subject, tags, comment: { body: description ?? subject } } });
      if (res.status !== 201) throw new Error(`ticket not created: ${JSON.stringify(res.body)}`);
      return res.body.ticket.id as number;
    },
    ticket: (id) => {
      const stored = zendesk.store.findTicket(id);
      if (!stored) throw new Error(`no ticket ${id}`);
      return { ...stack.ticket(id), groupId: stored.group_id, subject: stored.subject };
    },
    deliver: (workflowId, body, { timestamp, secret, headers } = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const at = timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      return request(server.url)
        .post(`/webhooks/zendesk/${workflowId}`)
        .set('Content-Type', 'application/json')
        .set('X-Zendesk-Webhook-Signature-Timestamp', at)
        .set('X-Zendesk-Webhook-Signature', signZendeskDelivery(secret ?? WEBHOOK_SECRET, at, text))
        .set(headers ?? {})
        .send(text);
    },
    deliverSalesforce: (workflowId, body, { secret, headers } = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return request(server.url)
        .post(`/webhooks/salesforce/${workflowId}`)
        .set('Content-Type', 'application/json')
        .set(
          'X-Connector-Signature',
          signSalesforceDelivery(secret ?? SALESFORCE_WEBHOOK_SECRET, text),
        )
        .set(headers ?? {})
        .send(text);
    },
    waitForDelivery: (id, until = finished) =>
      new Promise<Delivery>((resolve, reject) => {
        const unsubscribe = worker.onSettled((delivery) => {
          if (delivery.id === id && until(delivery)) {
            unsubscribe();
            resolve(delivery);
          }
        });
        // Subscribed first, then checked: a delivery that settled already is not missed.
        server.workflows.queue.get(id).then((delivery) => {
          if (delivery && until(delivery)) {
            unsubscribe();
            resolve(delivery);
          }
        }, reject);
      }),
    close: stack.close,
  };
}
