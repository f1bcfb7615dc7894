import { describeFailure } from './error-messages';
import type { ErrorView } from './error-messages';
import { errorRetryHelps, savedChangesOf } from './run-result';
import type { SavedChanges } from './run-result';
import type { ResultTone } from './run-result';
import type { MacroResult, MacroStepReport, MacroView, ServerApi } from './server-api';
import { STRINGS } from './strings';

/**
 * A macro from "the agent picked it" to "the agent sees what each step did": one confirmation for
 * the whole macro when a step has side effects, one request, then the custom fields its steps
 * wrote mirrored into the open ticket form. Pure apart from the two calls it is given.
 */

export type MacroStep = 'confirm' | 'run';

export function macroFirstStep(macro: MacroView): MacroStep {
  return macro.confirm ? 'confirm' : 'run';
}

export interface MacroStepLine {
  stepId: string;
  label: string;
  outcome: MacroStepReport['outcome'];
  title: string;
  message: string;
}

export interface MacroResultView {
  outcome: MacroResult['outcome'];
  tone: ResultTone;
  title: string;
  message: string;
  steps: MacroStepLine[];
  retryable: boolean;
}

/** `create_issue` → "Create issue": step ids are the only names the server reports. */
export function labelStep(stepId: string): string {
  const words = stepId.replace(/[_-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : stepId;
}

function toneOf(outcome: MacroStepReport['outcome']): ResultTone {
  return outcome === 'success' ? 'success' : outcome === 'empty' ? 'warning' : 'danger';
}

export function describeMacroResult(result: MacroResult): MacroResultView {
  return {
    outcome: result.outcome,
    tone: toneOf(result.outcome),
    title: STRINGS.outcome[result.outcome] ?? result.outcome,
    message: result.message,
    steps: result.steps.map((step) => ({
      stepId: step.stepId,
      label: step.label ?? labelStep(step.stepId),
      outcome: step.outcome,
      title: STRINGS.outcome[step.outcome] ?? step.outcome,
      message: step.message,
    })),
    retryable: macroRetryHelps(result),
  };
}

/**
 * Retry a macro only where a second click can get further: a step (or the macro itself) failed
 * for a reason that passes (a timeout, a 5xx or 429, the helpdesk down for a moment), by the
 * same rule as a connector's Retry; not after a refusal or a 404, which a retry only repeats.
 */
export function macroRetryHelps(result: MacroResult): boolean {
  if (result.outcome === 'success') return false;
  if (result.error && errorRetryHelps(result.error.code, undefined)) return true;
  return result.steps.some((step) => {
    if (step.outcome !== 'failed' || !step.error) return false;
    const writes = step.writes as { error?: { code?: unknown } } | null | undefined;
    const writeCode = typeof writes?.error?.code === 'string' ? writes.error.code : undefined;
    return errorRetryHelps(step.error.code, step.upstreamStatus, writeCode);
  });
}

/** The ticket updates a macro's steps made: a run step's write-back and each write step. */
export function macroUpdates(steps: readonly MacroStepReport[]): unknown[] {
  return steps.flatMap((step) => {
    const writes = step.writes as { status?: unknown; changes?: unknown } | null | undefined;
    if (step.type === 'run') return writes?.status === 'written' ? [writes.changes] : [];
    return step.type === 'write' && step.outcome === 'success' ? [step.writes] : [];
  });
}

/**
 * The shared error text, with a timeout naming the macro. Its promise holds for macros too: Retry
 * after a lost answer sends the click's Idempotency-Key again, so the server answers with the
 * first run's result instead of running every step twice.
 */
export function describeMacroFailure(
  error: Parameters<typeof describeFailure>[0],
  serverUrl: string,
): ErrorView {
  const view = describeFailure(error, { serverUrl });
  return error.code === 'TIMEOUT' ? { ...view, message: STRINGS.macroTimeout } : view;
}

export interface MacroPlan {
  macro: MacroView;
  ticketId: number;
  /** One per click; a retry after a lost answer reuses it, so the server replays the first run. */
  idempotencyKey: string;
}

export type MacroFlowOutcome =
  | {
      kind: 'result';
      result: MacroResult;
      view: MacroResultView;
      /** What the server saved on the ticket. */
      saved: SavedChanges;
    }
  | { kind: 'error'; error: ErrorView };

export async function executeMacro(
  deps: {
    api: Pick<ServerApi, 'runMacro'>;
    serverUrl: string;
  },
  plan: MacroPlan,
): Promise<MacroFlowOutcome> {
  const answer = await deps.api.runMacro(
    plan.macro.id,
    {
      ticketId: plan.ticketId,
      // The agent confirmed in the sidebar before this is called, when the macro asks for it.
      confirmed: plan.macro.confirm,
    },
    plan.idempotencyKey,
  );
  if (!answer.ok)
    return { kind: 'error', error: describeMacroFailure(answer.error, deps.serverUrl) };
  return {
    kind: 'result',
    result: answer.value,
    view: describeMacroResult(answer.value),
    saved: savedChangesOf(macroUpdates(answer.value.steps)),
  };
}
