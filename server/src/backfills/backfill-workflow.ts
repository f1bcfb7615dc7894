import type { CompiledConfig } from '../compile/compiled-model';
import type { CompiledWorkflow } from '../compile/compile-workflows';
import type { Delivery } from '../workflows/delivery-queue';
import type { Workflow } from '../../../shared/src/config/workflow-schema';

/**
 * A backfill's deliveries carry the workflow id `backfill:<id>`, which no configured workflow
 * has: the worker asks this module for their workflow. It is one run step of the backfill's
 * connector (its own write-back), so each delivery runs the connector once, as an automation,
 * and the step mark keeps a resumed attempt from running it again.
 */

export const BACKFILL_WORKFLOW_PREFIX = 'backfill:';
export const BACKFILL_RUN_STEP_ID = 'run';

export function backfillWorkflowId(backfillId: string): string {
  return `${BACKFILL_WORKFLOW_PREFIX}${backfillId}`;
}

/** A delivery's payload: which connector it runs (the backfill id names the workflow). */
export interface BackfillPayload {
  backfillId: string;
  connectorId: string;
}

/** Attempts before a delivery is a failure an admin may re-run (retry-failed). */
const MAX_ATTEMPTS = 3;

export function resolveBackfillWorkflow(
  delivery: Delivery,
  config: CompiledConfig,
): (CompiledWorkflow & { buryFailures: boolean }) | undefined {
  if (!delivery.workflowId.startsWith(BACKFILL_WORKFLOW_PREFIX)) return undefined;
  const connectorId = delivery.payload.connectorId;
  if (typeof connectorId !== 'string' || !config.connectors.has(connectorId)) return undefined;
  const def = {
    id: delivery.workflowId,
    name: `Backfill of ${connectorId}`,
    description: '',
    enabled: true,
    trigger: {},
    steps: [],
    maxAttempts: MAX_ATTEMPTS,
    retry: { initialDelayMs: 10_000, maxDelayMs: 600_000 },
  } as unknown as Workflow;
  return {
    id: delivery.workflowId,
    def,
    steps: [
      {
        type: 'run',
        id: BACKFILL_RUN_STEP_ID,
        connectorId,
        inputs: [],
        writeBack: true,
        idempotencyKey: undefined,
      },
    ],
    buryFailures: true,
  };
}
