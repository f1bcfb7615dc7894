import { Router } from 'express';
import type { CompiledConfig } from '../compile/compiled-model';
import type { RateLimiter } from '../http/rate-limit';
import type { Logger } from '../logging/logger';
import type { RunDeps } from '../runs/run-connector';
import { createAdminDeliveriesRouter } from './admin-deliveries-routes';
import type { DeliveryQueue } from './delivery-queue';
import { createWebhookRouter } from './webhook-routes';
import type { HelpdeskWebhook } from './webhook-routes';
import { createWorkflowWorker } from './workflow-worker';
import type { WorkflowWorker, WorkflowWorkerOptions } from './workflow-worker';

/**
 * Everything automations add to the server, in one place: the worker over the delivery queue
 * (opened with the other stores, storage/open-storage.ts), the webhook endpoints (`/webhooks/...`, raw bodies, no API auth: the signature is the
 * auth), and the admin API routes (`/api/admin/deliveries...`).
 *
 * @example
 * const services = createWorkflowServices({ queue, config, logger, webhooks });
 * const routers = services.routers(runDeps, idempotency, limiter); // app.use('/webhooks', routers.webhooks); api.use(routers.api)
 * await services.start();
 */
export interface WorkflowServices {
  queue: DeliveryQueue;
  /** Builds the routers (and the worker) once the run dependencies exist. Call once. */
  routers(run: RunDeps, limiter: RateLimiter): { webhooks: Router; api: Router };
  /** The worker; undefined until `routers` is called. */
  readonly worker: WorkflowWorker | undefined;
  start(): Promise<void>;
  /** Stops the worker, waiting for running attempts. The queue is closed with the storage. */
  close(): Promise<void>;
}

export interface WorkflowServicesOptions {
  queue: DeliveryQueue;
  config: () => CompiledConfig | undefined;
  logger: Logger;
  /** The helpdesks whose webhooks start workflows, each with its signing secret. */
  webhooks: readonly { webhook: HelpdeskWebhook; secret: string | undefined }[];
  concurrency?: number;
  /** How long a claimed delivery is held without renewal (WORKFLOW_LEASE_SECONDS). */
  leaseMs?: number;
  /** Worker tuning for tests. */
  worker?: Pick<WorkflowWorkerOptions, 'pollIntervalMs' | 'random' | 'now'>;
  /** Workflows that are not in the configuration (backfills'): workflow-worker.ts. */
  resolveWorkflow?: WorkflowWorkerOptions['resolveWorkflow'];
}

export function createWorkflowServices(options: WorkflowServicesOptions): WorkflowServices {
  const { queue } = options;
  const logger = options.logger.child({ component: 'workflows' });
  let worker: WorkflowWorker | undefined;

  return {
    queue,
    get worker() {
      return worker;
    },
    routers(run, limiter) {
      if (worker) throw new Error('createWorkflowServices: routers() was already called');
      const created = createWorkflowWorker({
        queue,
        config: options.config,
        run,
        logger,
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
        ...options.worker,
        ...(options.resolveWorkflow ? { resolveWorkflow: options.resolveWorkflow } : {}),
      });
      worker = created;
      const api = Router();
      api.use(createAdminDeliveriesRouter({ queue, onRequeued: () => created.kick() }));
      return {
        webhooks: createWebhookRouter({
          queue,
          config: options.config,
          helpdesks: options.webhooks,
          onEnqueued: () => created.kick(),
          limitDelivery: (system) => limiter.enforce('webhook', system),
          logger,
        }),
        api,
      };
    },
    async start() {
      await worker?.start();
    },
    async close() {
      await worker?.stop();
    },
  };
}
