import { capRunRecord } from '../run-log/cap-run-record';
import { recordRun } from '../run-log/record-run';
import type { CompiledConfig } from '../compile/compiled-model';
import type { CompiledWorkflow } from '../compile/compile-workflows';
import type { Logger } from '../logging/logger';
import { createRunId } from '../run-log/run-record';
import type { RunRecord } from '../run-log/run-record';
import type { HelpdeskPort } from '../runs/helpdesk-port';
import type { RunDeps } from '../runs/run-connector';
import type {
  ClaimedDelivery,
  Delivery,
  DeliveryError,
  DeliveryQueue,
  DeliverySystem,
  StepProgress,
} from './delivery-queue';
import { runSteps } from './run-steps';
import type { StepProgressStore, StepsResult } from './run-steps';

/**
 * Runs queued deliveries in the background: a few at a time, each attempt resuming from the
 * steps the last one finished. Failed attempts wait with exponential backoff and jitter; after
 * the workflow's `maxAttempts`, or at once when retrying cannot help, the delivery goes to the
 * dead letters. Every finished delivery also gets one run-log entry (kind `workflow`) on its
 * ticket or record, next to the connector runs its steps made.
 */

export interface WorkflowWorkerOptions {
  queue: DeliveryQueue;
  config: () => CompiledConfig | undefined;
  /**
   * Run dependencies, in the automation lane (pacing/run-lane.ts: the helpdesks' automation
   * ports and slots that leave agents a share; start-server.ts builds them). Its helpdesks are
   * found by the delivery's system: a delivery for a system this server has no helpdesk for
   * goes to the dead letters.
   */
  run: RunDeps;
  logger: Logger;
  /** Deliveries run at the same time (default 32). */
  concurrency?: number;
  /** Longest wait between looks at the queue, should a kick be missed (default 1000 ms). */
  pollIntervalMs?: number;
  /**
   * How long a claimed delivery stays this worker's without a renewal (default 60 s). The worker
   * renews it every third of that while the attempt runs; if this process dies, another worker
   * (or this one restarted) may claim the delivery once the lease runs out.
   */
  leaseMs?: number;
  random?: () => number;
  now?: () => number;
  /**
   * The workflow of a delivery the configuration has no workflow for (a backfill's, whose id is
   * `backfill:<id>`), or undefined. With `buryFailures`, a run that ends failed goes to the dead
   * letters with its error instead of completing, so an admin can re-run exactly the failures.
   */
  resolveWorkflow?: (
    delivery: Delivery,
    config: CompiledConfig,
  ) => (CompiledWorkflow & { buryFailures?: boolean }) | undefined;
}

export interface WorkflowWorker {
  /** Starts claiming deliveries (those a dead process left running included, once due). */
  start(): Promise<void>;
  /** Looks at the queue now (called after each enqueue). */
  kick(): void;
  /** Stops claiming deliveries and waits for the running ones to finish their attempt. */
  stop(): Promise<void>;
  /** Called after every attempt with the delivery as stored; returns an unsubscribe function. */
  onSettled(listener: (delivery: Delivery, result: StepsResult | undefined) => void): () => void;
}

const DEFAULT_CONCURRENCY = 32;
const DEFAULT_POLL_MS = 1_000;
const DEFAULT_LEASE_MS = 60_000;
/**
 * Attempts started per turn of the event loop. Starting one runs it up to its first call out
 * (claim, step records, rendering), so a pump that filled a hundred free slots at once held the
 * loop for half a second in the burst benchmark, and agents' runs waited behind it
 * (docs/performance.md, "Bursts and backfills", agents during the burst).
 */
const STARTS_PER_TURN = 4;

/**
 * Delay before attempt `attempt + 1`: doubling from `initialDelayMs`, capped at `maxDelayMs`,
 * then "equal jitter" (half fixed, half random) so deliveries that failed together during an
 * outage do not all come back at the same instant, while none retries immediately.
 */
export function computeBackoffMs(
  attempt: number,
  retry: { initialDelayMs: number; maxDelayMs: number },
  random: () => number,
): number {
  const exponential = retry.initialDelayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(retry.maxDelayMs, exponential);
  return Math.round(capped / 2 + (random() * capped) / 2);
}

/** The error of the step that failed a finished run (the last one with an error). */
function failureOf(result: Extract<StepsResult, { kind: 'finished' }>): DeliveryError {
  const failed = result.steps.findLast((step) => step.error !== undefined);
  return failed?.error ?? { code: 'WORKFLOW_FAILED', message: result.message };
}

function queueProgress(queue: DeliveryQueue, deliveryId: string): StepProgressStore {
  return {
    load: async () =>
      new Map(
        (await queue.steps(deliveryId)).map((step): [string, StepProgress] => [step.stepId, step]),
      ),
    record: (stepId, state, result) => queue.recordStep(deliveryId, stepId, state, result),
    forget: (stepId) => queue.forgetStep(deliveryId, stepId),
  };
}

export function createWorkflowWorker(options: WorkflowWorkerOptions): WorkflowWorker {
  const { queue, logger } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const listeners = new Set<(delivery: Delivery, result: StepsResult | undefined) => void>();
  const inFlight = new Set<Promise<void>>();
  let started = false;
  let stopping = false;
  let pumping = false;
  let pumped: Promise<void> = Promise.resolve();
  let pumpAgain = false;
  let timer: NodeJS.Timeout | undefined;

  const helpdeskFor = (system: DeliverySystem): HelpdeskPort | undefined =>
    options.run.helpdesks.get(system);

  const settle = (delivery: Delivery, result: StepsResult | undefined) => {
    for (const listener of listeners) listener(delivery, result);
  };

  async function logDelivery(delivery: Delivery, startedAtMs: number): Promise<void> {
    if (delivery.state !== 'completed' && delivery.state !== 'dead') return;
    const record: RunRecord = {
      id: createRunId(startedAtMs),
      kind: 'workflow',
      workflowId: delivery.workflowId,
      source: 'automation',
      actor: { kind: 'system', name: `workflow ${delivery.workflowId}` },
      target: { system: delivery.system, type: delivery.target.type, id: delivery.target.id },
      outcome: delivery.outcome === 'success' ? 'success' : 'failed',
      ...(delivery.state === 'dead'
        ? { errorCode: 'DELIVERY_DEAD' }
        : delivery.outcome === 'failed'
          ? { errorCode: 'WORKFLOW_FAILED' }
          : {}),
      message:
        delivery.state === 'dead'
          ? `Dead letter after ${delivery.attempts} attempt(s): ${delivery.message ?? ''}`
          : (delivery.message ?? ''),
      dryRun: false,
      inputs: { deliveryId: delivery.id },
      outputs: {},
      writes: { status: 'none', changes: null },
      attempts: delivery.attempts,
      startedAt: new Date(startedAtMs).toISOString(),
      durationMs: Math.max(0, now() - startedAtMs),
      idempotencyKey: delivery.id,
    };
    await recordRun(
      { runLog: options.run.runLog, logger },
      capRunRecord(options.run.redactor.redactDeep(record)),
      'delivery',
    );
  }

  async function attempt(delivery: ClaimedDelivery): Promise<void> {
    const startedAtMs = now();
    const { token } = delivery.lease;
    // Renewed while the steps run, so a long attempt keeps its delivery; a renewal that fails
    // means the lease ran out and another worker may already have the delivery.
    const renewal = setInterval(() => {
      queue
        .renewLease(delivery.id, token, leaseMs)
        .then((held) => {
          if (!held) logger.warn('lost the lease on a delivery', { deliveryId: delivery.id });
        })
        .catch((error: unknown) =>
          logger.error('renewing a delivery lease failed', { error, deliveryId: delivery.id }),
        );
    }, leaseMs / 3);
    renewal.unref();
    try {
      await attemptUnderLease(delivery, token, startedAtMs);
    } finally {
      clearInterval(renewal);
    }
  }

  async function attemptUnderLease(
    delivery: ClaimedDelivery,
    token: string,
    startedAtMs: number,
  ): Promise<void> {
    const config = options.config();
    const workflow = config
      ? (config.workflows.get(delivery.workflowId) ?? options.resolveWorkflow?.(delivery, config))
      : undefined;
    const bury = (error: DeliveryError) => queue.bury(delivery.id, token, error);
    let stored: Delivery | undefined;
    let result: StepsResult | undefined;
    if (!config) {
      stored = await queue.retryLater(
        delivery.id,
        token,
        { code: 'CONFIG_UNAVAILABLE', message: 'No valid configuration is loaded.' },
        now() + pollIntervalMs * 10,
      );
    } else if (!workflow || !workflow.def.enabled) {
      stored = await bury({
        code: workflow ? 'WORKFLOW_DISABLED' : 'WORKFLOW_NOT_FOUND',
        message: workflow
          ? `Workflow "${delivery.workflowId}" is disabled.`
          : `The configuration has no workflow "${delivery.workflowId}".`,
      });
    } else if (!helpdeskFor(delivery.system)) {
      stored = await bury({
        code: 'HELPDESK_NOT_CONFIGURED',
        message: `This server has no "${delivery.system}" helpdesk configured, so the delivery cannot run.`,
      });
    } else {
      const helpdesk = helpdeskFor(delivery.system) as HelpdeskPort;
      const finalAttempt = delivery.attempts >= workflow.def.maxAttempts;
      try {
        result = await runSteps(
          {
            config,
            helpdesk,
            run: options.run,
            progress: queueProgress(queue, delivery.id),
          },
          {
            kind: 'workflow',
            ownerId: workflow.id,
            steps: workflow.steps,
            system: delivery.system,
            targetType: delivery.target.type,
            targetId: delivery.target.id,
            trigger: delivery.payload,
            executionId: delivery.id,
            finalAttempt,
            source: 'automation',
            actor: { kind: 'system', name: `workflow ${workflow.id}` },
          },
        );
      } catch (error) {
        // A bug, not an outcome: keep the delivery and retry it, like any transient failure.
        logger.error('workflow attempt threw', { error, deliveryId: delivery.id });
        result = {
          kind: 'retry',
          error: { code: 'INTERNAL_ERROR', message: 'The server failed while running the steps.' },
          steps: [],
        };
      }
      switch (result.kind) {
        case 'finished':
          stored =
            result.outcome === 'failed' && 'buryFailures' in workflow && workflow.buryFailures
              ? await bury(failureOf(result))
              : await queue.complete(delivery.id, token, {
                  outcome: result.outcome,
                  message: result.message,
                });
          break;
        case 'halt':
          stored = await bury(result.error);
          break;
        case 'retry':
          stored = finalAttempt
            ? await bury({
                code: result.error.code,
                message: `Gave up after ${delivery.attempts} attempt(s): ${result.error.message}`,
              })
            : await queue.retryLater(
                delivery.id,
                token,
                result.error,
                now() + computeBackoffMs(delivery.attempts, workflow.def.retry, random),
              );
          break;
      }
    }
    if (!stored) {
      // Another worker claimed it after this lease ran out; its attempt records the outcome.
      logger.warn('a delivery attempt ended after its lease was lost; its result is dropped', {
        deliveryId: delivery.id,
        workflowId: delivery.workflowId,
      });
      return;
    }
    logger[stored.state === 'dead' ? 'warn' : 'info']('workflow delivery attempt', {
      deliveryId: stored.id,
      workflowId: stored.workflowId,
      state: stored.state,
      attempt: stored.attempts,
      outcome: stored.outcome,
      error: stored.state === 'completed' ? undefined : stored.lastError?.code,
    });
    await logDelivery(stored, startedAtMs);
    settle(stored, result);
  }

  function schedule(): void {
    if (stopping) return;
    if (timer) clearTimeout(timer);
    void queue
      .nextDueAtMs()
      .then((due) => {
        if (stopping) return;
        const wait = due === undefined ? pollIntervalMs : Math.min(pollIntervalMs, due - now());
        timer = setTimeout(pump, Math.max(0, wait));
        timer.unref();
      })
      .catch((error: unknown) => {
        // A database that is away (several instances on PostgreSQL) must not stop the worker
        // for good: it looks again after the usual interval.
        logger.error('reading the delivery queue failed', { error });
        if (stopping) return;
        timer = setTimeout(pump, pollIntervalMs);
        timer.unref();
      });
  }

  function pump(): void {
    if (!started || stopping) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    pumped = (async () => {
      try {
        do {
          pumpAgain = false;
          let claimed = 0;
          while (inFlight.size < concurrency && !stopping) {
            if (claimed > 0 && claimed % STARTS_PER_TURN === 0) {
              await new Promise<void>((resolve) => setImmediate(resolve));
              if (inFlight.size >= concurrency || stopping) break;
            }
            claimed += 1;
            const delivery = await queue.claimNext(leaseMs);
            if (!delivery) break;
            const running = attempt(delivery)
              .catch((error: unknown) =>
                logger.error('a delivery attempt failed to settle', {
                  error,
                  deliveryId: delivery.id,
                }),
              )
              .finally(() => {
                inFlight.delete(running);
                pump();
              });
            inFlight.add(running);
          }
        } while (pumpAgain && !stopping);
      } catch (error) {
        logger.error('claiming a delivery failed', { error });
      } finally {
        pumping = false;
        schedule();
      }
    })();
  }

  return {
    async start() {
      if (started) return;
      started = true;
      pump();
    },
    kick: pump,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      // A claim answered after `stopping` was set still starts its attempt (the lease is ours),
      // so wait for the claiming loop first; an attempt left running would lose its result
      // when the storage closes, and run again after the restart.
      await pumped;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    onSettled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
