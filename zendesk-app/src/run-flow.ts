import type { ConnectorView, RunResultView } from '../../shared/src/api/answer-schemas';
import { takesComment } from './connector-list';
import type { ErrorView } from './error-messages';
import { describeFailure } from './error-messages';
import { buildFormFields } from './input-form';
import { describeRunResult, savedChangesOf } from './run-result';
import type { ResultView, SavedChanges } from './run-result';
import type { ServerApi } from './server-api';

/**
 * The steps from "the agent picked a connector" to "the agent sees the result": pick a comment
 * when the connector reads one, fill in the form when it has editable inputs, confirm when it
 * has side effects, run, then mirror written fields into the open ticket form.
 */

export type RunStep = 'pick-comment' | 'form' | 'confirm' | 'run';

/** The step after selecting a connector (or after the comment was picked). */
export function firstStep(connector: ConnectorView, commentId: number | undefined): RunStep {
  if (takesComment(connector) && commentId === undefined) return 'pick-comment';
  if (buildFormFields(connector).some((field) => field.editable)) return 'form';
  return connector.confirm ? 'confirm' : 'run';
}

/**
 * Whether the agent should first hear that this connector already did its job here: it changes
 * something elsewhere (a Jira issue), and a run on this ticket succeeded, so running it again
 * makes a second one.
 */
export function alreadyDone(connector: ConnectorView): boolean {
  return connector.sideEffects === true && !!connector.lastSuccess;
}

/** The step after the form validated. */
export function stepAfterForm(connector: ConnectorView): RunStep {
  return connector.confirm ? 'confirm' : 'run';
}

export interface RunPlan {
  connector: ConnectorView;
  ticketId: number;
  commentId: number | undefined;
  inputs: Record<string, string | number | boolean>;
  idempotencyKey: string;
}

export type RunFlowOutcome =
  | {
      kind: 'result';
      result: RunResultView;
      view: ResultView;
      /** What the server saved on the ticket. */
      saved: SavedChanges;
    }
  | { kind: 'error'; error: ErrorView };

export async function executeRun(
  deps: { api: ServerApi; serverUrl: string },
  plan: RunPlan,
): Promise<RunFlowOutcome> {
  const answer = await deps.api.runConnector(
    plan.connector.id,
    {
      ticketId: plan.ticketId,
      ...(plan.commentId === undefined ? {} : { commentId: plan.commentId }),
      inputs: plan.inputs,
      confirmed: plan.connector.confirm,
    },
    plan.idempotencyKey,
  );
  if (!answer.ok) {
    const inputLabels = new Map(plan.connector.inputs.map((input) => [input.name, input.label]));
    return {
      kind: 'error',
      error: describeFailure(answer.error, { serverUrl: deps.serverUrl, inputLabels }),
    };
  }
  const { writes } = answer.value;
  return {
    kind: 'result',
    result: answer.value,
    view: describeRunResult(answer.value),
    saved: savedChangesOf(writes.status === 'written' ? [writes.changes] : []),
  };
}
