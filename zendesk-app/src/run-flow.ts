import type { ConnectorView, RunResultView } from '../../shared/src/api/answer-schemas';
import { takesComment } from './connector-list';
import type { ErrorView } from './error-messages';
import { describeFailure } from './error-messages';
import { buildFormFields } from './input-form';
import { describeRunResult, fieldsToSet } from './run-result';
import type { ResultView } from './run-result';
import type { ServerApi } from './server-api';
import type { ZafAdapter } from './zaf-client';

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
      /** Custom field ids set in the open ticket form. */
      fieldsSet: number[];
      /** Written on the server but not settable in this form (not on it, or ZAF refused). */
      fieldsNotSet: number[];
    }
  | { kind: 'error'; error: ErrorView };

export async function executeRun(
  deps: { api: ServerApi; zaf: Pick<ZafAdapter, 'setCustomFields'>; serverUrl: string },
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
  const fields = fieldsToSet(answer.value.writes);
  const notSet = await deps.zaf.setCustomFields(fields);
  return {
    kind: 'result',
    result: answer.value,
    view: describeRunResult(answer.value),
    fieldsSet: fields.map((field) => field.id).filter((id) => !notSet.includes(id)),
    fieldsNotSet: notSet,
  };
}
