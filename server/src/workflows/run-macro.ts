import type { MacroResultView, MacroView } from '../../../shared/src/api/api-contracts';
import { randomUUID } from 'node:crypto';
import type { CompiledConfig } from '../compile/compiled-model';
import type { CompiledMacro, CompiledStep } from '../compile/compile-workflows';
import { capRunRecord } from '../run-log/cap-run-record';
import { recordRun } from '../run-log/record-run';
import { createRunId } from '../run-log/run-record';
import type { RunActor, RunRecord, RunSource } from '../run-log/run-record';
import type { HelpdeskPort, LoadedTarget } from '../runs/helpdesk-port';
import { writesBack } from '../runs/run-connector';
import { describePause } from '../runs/connector-pauses';
import type { ConnectorPauses } from '../runs/connector-pauses';
import type { RunDeps } from '../runs/run-connector';
import { createMemoryProgress, runSteps } from './run-steps';
import type { StepRunContext } from './run-steps';
import type { Result } from '../../../shared/src/result';

/**
 * Macros for agents and reps, whatever the helpdesk: which macros apply to a loaded ticket or
 * record, and running one once, in the request, through the same step engine as workflows.
 * One router serves every helpdesk's macros (api/helpdesk-routes.ts); helpdesks differ only in
 * how they load the target and who the caller is.
 */

/** The helpdesk whose app offers the macro (its registry id). */
export type MacroSurface = string;

export type RunMacroRefusalCode =
  'NOT_FOUND' | 'CONNECTOR_NOT_APPLICABLE' | 'CONFIRMATION_REQUIRED' | 'TICKET_EDIT_FORBIDDEN';

export type RunMacroResult = Result<
  MacroResultView,
  { code: RunMacroRefusalCode; message: string }
>;

export interface RunMacroRequest {
  macroId: string;
  surface: MacroSurface;
  /** The ticket or record, loaded by the caller (its system decides which helpdesk writes). */
  target: LoadedTarget;
  confirmed: boolean;
  /**
   * How each step loads the target (who runs it, what they may do), as the caller loaded it
   * for the click: the steps reload it.
   */
  load?: StepRunContext['load'];
  source: RunSource;
  actor: RunActor;
  /**
   * The caller's Idempotency-Key, when it sent one: used as the execution id, so a step that
   * declares `idempotencyKey` sends the same key to the upstream when the request is retried.
   */
  idempotencyKey?: string;
  /** Called before the first step sends anything: from then on the macro is never repeated. */
  onSending?: (runId: string) => Promise<void>;
}

/** Whether any step may write to the ticket or record (a write step, or a run that writes back). */
function stepsWrite(steps: readonly CompiledStep[] | undefined, config: CompiledConfig): boolean {
  return (steps ?? []).some((step) => {
    switch (step.type) {
      case 'write':
        return true;
      case 'run': {
        const connector = config.connectors.get(step.connectorId);
        return step.writeBack && connector !== undefined && writesBack(connector);
      }
      case 'branch':
        return [step.success, step.empty, step.failure].some((branch) =>
          stepsWrite(branch, config),
        );
      case 'collect':
        return stepsWrite(step.onMissing, config);
      case 'stop':
        return false;
    }
  });
}

function viewMacro(
  macro: CompiledMacro,
  config: CompiledConfig,
  pauses: ConnectorPauses | undefined,
): MacroView {
  const connectors = macro.connectorIds.map((id) => config.connectors.get(id));
  const paused = connectors.find((connector) => connector && pauses?.isPaused(connector.id));
  const unavailable = paused
    ? describePause(paused.def.name)
    : connectors.find((connector) => connector?.unavailable)?.unavailable;
  return {
    id: macro.id,
    name: macro.def.name,
    description: macro.def.description,
    confirm: macro.confirm,
    connectors: connectors.flatMap((connector) =>
      connector ? [{ id: connector.id, name: connector.def.name }] : [],
    ),
    unavailable: unavailable ?? null,
  };
}

/** Whether a macro runs a connector that is still a draft. */
function macroUsesDraft(
  macro: { connectorIds: readonly string[] },
  config: CompiledConfig,
): boolean {
  return macro.connectorIds.some((id) => config.connectors.get(id)?.def.draft === true);
}

/** The enabled macros offered on `surface` that apply to the target, in config order. */
export function listMacroViews(
  config: CompiledConfig,
  target: LoadedTarget,
  surface: MacroSurface,
  /** Connectors an alert paused: a macro running one is listed as unavailable. */
  pauses?: ConnectorPauses,
): MacroView[] {
  return [...config.macros.values()]
    .filter(
      (macro) =>
        macro.def.enabled &&
        macro.def.surfaces.includes(surface) &&
        target.applies(macro.appliesWhen) &&
        // A macro with a draft step waits until that connector is published.
        !macroUsesDraft(macro, config),
    )
    .map((macro) => viewMacro(macro, config, pauses));
}

/**
 * Runs a macro on a loaded target. Refusals (unknown macro, not applicable, not confirmed) come
 * back before any step runs; one confirmation covers every step. A macro does not retry: a
 * transient failure takes the failure path at once.
 */
export async function runMacro(
  deps: { config: CompiledConfig; helpdesk: HelpdeskPort; run: RunDeps },
  request: RunMacroRequest,
): Promise<RunMacroResult> {
  const { config, helpdesk } = deps;
  const macro = config.macros.get(request.macroId);
  if (
    !macro ||
    !macro.def.enabled ||
    !macro.def.surfaces.includes(request.surface) ||
    macroUsesDraft(macro, config)
  ) {
    return {
      ok: false,
      error: { code: 'NOT_FOUND', message: `There is no macro "${request.macroId.slice(0, 64)}".` },
    };
  }
  const { target } = request;
  if (!target.applies(macro.appliesWhen)) {
    return {
      ok: false,
      error: {
        code: 'CONNECTOR_NOT_APPLICABLE',
        message: `Macro "${macro.id}" does not apply to this ${target.target.type}.`,
      },
    };
  }
  if (!target.viewerMayEdit && stepsWrite(macro.steps, config)) {
    return {
      ok: false,
      error: {
        code: 'TICKET_EDIT_FORBIDDEN',
        message: helpdesk.editForbiddenMessage(`Macro "${macro.id}"`, target.target.type),
      },
    };
  }
  if (macro.confirm && !request.confirmed) {
    return {
      ok: false,
      error: {
        code: 'CONFIRMATION_REQUIRED',
        message: `Macro "${macro.id}" changes data in another system; send "confirmed": true to run it.`,
      },
    };
  }
  const startedAtMs = Date.now();
  const result = await runSteps(
    { config, helpdesk, run: deps.run, progress: createMemoryProgress() },
    {
      kind: 'macro',
      ownerId: macro.id,
      steps: macro.steps,
      system: target.target.system,
      targetType: target.target.type,
      targetId: target.target.id,
      ...(request.load === undefined ? {} : { load: request.load }),
      trigger: {},
      executionId: `macro_${request.idempotencyKey ?? randomUUID()}`,
      finalAttempt: true,
      source: request.source,
      actor: request.actor,
      ...(request.onSending ? { onSending: request.onSending } : {}),
    },
  );
  const runId = createRunId(startedAtMs);
  const value: MacroResultView =
    result.kind === 'finished'
      ? {
          macroId: macro.id,
          runId,
          outcome: result.outcome,
          message: result.message,
          steps: result.steps,
        }
      : {
          macroId: macro.id,
          runId,
          outcome: 'failed',
          message: result.error.message,
          error: result.error,
          steps: result.steps,
        };
  await recordMacroRun(deps.run, { value, request, startedAtMs });
  return { ok: true, value };
}

/**
 * One run-log entry for the click, next to the connector runs its steps made: who ran which
 * macro on what, how it ended, and each step's outcome and run id.
 */
async function recordMacroRun(
  run: RunDeps,
  entry: { value: MacroResultView; request: RunMacroRequest; startedAtMs: number },
): Promise<void> {
  const { value, request } = entry;
  const record: RunRecord = {
    id: value.runId,
    kind: 'macro',
    macroId: value.macroId,
    source: request.source,
    actor: request.actor,
    target: request.target.target,
    outcome: value.outcome,
    ...(value.error ? { errorCode: value.error.code } : {}),
    message: value.message,
    dryRun: false,
    inputs: {},
    outputs: {
      steps: value.steps.map((step) => ({
        stepId: step.stepId,
        outcome: step.outcome,
        ...(step.runId === undefined ? {} : { runId: step.runId }),
      })),
    },
    writes: { status: 'none', changes: null },
    attempts: 1,
    startedAt: new Date(entry.startedAtMs).toISOString(),
    durationMs: Math.max(0, Date.now() - entry.startedAtMs),
    ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
  };
  await recordRun(run, capRunRecord(run.redactor.redactDeep(record)), 'macro run');
}
