import type { CompiledConfig } from '../compile/compiled-model';
import type { CompiledStep } from '../compile/compile-workflows';
import { IDEMPOTENCY_KEY_INPUT } from '../compile/compile-workflows';
import { renderTemplateText, renderTemplateValue } from '../compile/template';
import type { TemplateScope } from '../compile/template';
import type { RunActor, RunSource, TargetSystem } from '../run-log/run-record';
import type { HelpdeskPort, LoadedTarget, LoadRequest } from '../runs/helpdesk-port';
import { runConnector } from '../runs/run-connector';
import type { RunDeps } from '../runs/run-connector';
import type { DeliveryError, StepProgress, StepResult } from './delivery-queue';

/**
 * The step engine shared by workflows (in the background, durable, retried) and macros (in the
 * request, once). It walks the step tree in order; each step's result is written to `progress`
 * as soon as it is known, and a step whose progress says `done` is not run again, so an attempt
 * that resumes after a retry or a crash continues where the last one stopped.
 *
 * Three ways an attempt can end besides finishing:
 * - `retry`: something transient (Zendesk down, the connection busy, the upstream answering 503)
 *   that a later attempt may get past. Nothing that happened is repeated then;
 * - `halt`: retrying cannot help (the ticket is gone, the connector was removed); the delivery
 *   goes to the dead letters for an admin to look at and re-run;
 * - a `stop` step, or a missing required value, ends the workflow with an outcome.
 *
 * Exactly-once for a `run` step: a `started` mark is written before the connector is called and
 * replaced by the result after. A mark found on resume means the process died during the call,
 * and the engine cannot know whether the upstream acted. It calls again only when that is safe:
 * the connector's method is idempotent (GET, HEAD, PUT, DELETE), or the step declares an
 * `idempotencyKey` the upstream deduplicates on. Otherwise the step fails with
 * STEP_OUTCOME_UNKNOWN and its failure path runs, rather than risk doing it twice.
 */

export interface StepProgressStore {
  load(): Promise<Map<string, StepProgress>>;
  record(stepId: string, state: 'started' | 'done', result: StepResult): Promise<void>;
  forget(stepId: string): Promise<void>;
}

export interface StepRunContext {
  kind: 'workflow' | 'macro';
  ownerId: string;
  steps: readonly CompiledStep[];
  /** The helpdesk holding the target, and the target: a ticket, or a record of `targetType`. */
  system: TargetSystem;
  targetType: string;
  targetId: string;
  /**
   * How the target is loaded for the steps besides its type: who runs them (`actorId`, as the
   * helpdesk names its users) and what the surface that started them says they may do.
   */
  load?: Omit<LoadRequest, 'connectorId' | 'sources' | 'targetType'>;
  /** The webhook body ({{trigger.<key>}}); empty for macros. */
  trigger: Readonly<Record<string, unknown>>;
  /** Names this execution in idempotency keys and the run log (a delivery id, or a request id). */
  executionId: string;
  /** On the last attempt, transient failures of a run step take its failure path instead. */
  finalAttempt: boolean;
  source: RunSource;
  actor: RunActor;
  /** A macro's Idempotency-Key: marked sent before its first connector call goes out. */
  onSending?: (runId: string) => Promise<void>;
}

export interface StepEngineDeps {
  config: CompiledConfig;
  /** The helpdesk of `context.system`, for collect and write steps. */
  helpdesk: HelpdeskPort;
  /** Run steps go through the normal connector pipeline with these. */
  run: RunDeps;
  progress: StepProgressStore;
}

export interface StepReport {
  stepId: string;
  /** What the step did, in words for agents (a step id is the admin's name, not theirs). */
  label: string;
  type: CompiledStep['type'];
  outcome: StepResult['outcome'];
  message: string;
  error?: DeliveryError;
  runId?: string;
  writes?: unknown;
  path?: StepResult['path'];
  upstreamStatus?: number;
  /** Finished by an earlier attempt, not repeated by this one. */
  resumed: boolean;
}

export type StepsResult =
  | { kind: 'finished'; outcome: 'success' | 'failed'; message: string; steps: StepReport[] }
  | { kind: 'retry'; error: DeliveryError; steps: StepReport[] }
  | { kind: 'halt'; error: DeliveryError; steps: StepReport[] };

type Flow =
  | { kind: 'continue' }
  | { kind: 'stop'; outcome: 'success' | 'failed'; message: string }
  | { kind: 'retry'; error: DeliveryError }
  | { kind: 'halt'; error: DeliveryError };

const CONTINUE: Flow = { kind: 'continue' };

/** Upstream failures a later attempt may get past. */
const TRANSIENT_UPSTREAM_ERRORS = new Set([
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_CONNECTION_FAILED',
  'UPSTREAM_RETRIES_EXHAUSTED',
  'UPSTREAM_HTTP_ERROR',
]);
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);
/**
 * Statuses by which the upstream says it did not act on the request, so even a POST may be sent
 * again. A timeout, a dropped connection, 502 or 504 say nothing about that.
 */
const NOT_PROCESSED_STATUSES = new Set([429, 503]);
const RETRYABLE_REFUSALS = new Set([
  'CONFIG_UNAVAILABLE',
  'CONNECTION_BUSY',
  'HELPDESK_UNAVAILABLE',
  'HELPDESK_AUTH_FAILED',
]);
const RETRYABLE_WRITE_ERRORS = new Set(['WRITE_BACK_UNAVAILABLE', 'WRITE_BACK_CONFLICT']);

interface EngineState {
  deps: StepEngineDeps;
  context: StepRunContext;
  done: Map<string, StepProgress>;
  scope: {
    collected: Record<string, unknown>;
    steps: Record<string, unknown>;
    error: Record<string, unknown> | undefined;
  };
  /** Each failed run step's error, for the {{error.…}} of its failure path. */
  runErrors: Map<string, DeliveryError>;
  reports: StepReport[];
  /** The first failure that sent the workflow down a failure path. */
  failure: { stepId: string; error: DeliveryError } | undefined;
  target: LoadedTarget | undefined;
}

function templateScope(state: EngineState): TemplateScope {
  return {
    collected: state.scope.collected,
    steps: state.scope.steps,
    trigger: state.context.trigger,
    ...(state.scope.error ? { error: state.scope.error } : {}),
  };
}

function isBlank(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

/**
 * The target sources (`ticket.*`, `record.*`) the steps' collect values read, anywhere in the
 * tree, failure paths and branches included, so the target is loaded with them.
 */
export function targetSourcesReadBySteps(steps: readonly CompiledStep[]): string[] {
  const sources = new Set<string>();
  const visit = (list: readonly CompiledStep[] | undefined) => {
    for (const step of list ?? []) {
      if (step.type === 'collect') {
        for (const value of step.values) {
          if (value.source.kind === 'target') sources.add(value.source.source);
        }
        visit(step.onMissing);
      } else if (step.type === 'branch') {
        visit(step.success);
        visit(step.empty);
        visit(step.failure);
      }
    }
  };
  visit(steps);
  return [...sources];
}

/** How the steps' target is loaded: its type, who runs it and what they may do. */
function loadRequestOf(context: StepRunContext): Omit<LoadRequest, 'connectorId' | 'sources'> {
  return { ...context.load, targetType: context.targetType };
}

async function loadTarget(
  state: EngineState,
  fresh: boolean,
): Promise<{ ok: true; target: LoadedTarget } | { ok: false; flow: Flow }> {
  if (state.target && !fresh) return { ok: true, target: state.target };
  const { context } = state;
  const loaded = await state.deps.helpdesk.load(context.targetId, {
    ...loadRequestOf(context),
    sources: targetSourcesReadBySteps(context.steps),
  });
  if (!loaded.ok) {
    const error = { code: loaded.error.code, message: loaded.error.message };
    const retryable =
      loaded.error.code === 'HELPDESK_UNAVAILABLE' || loaded.error.code === 'HELPDESK_AUTH_FAILED';
    return { ok: false, flow: retryable ? { kind: 'retry', error } : { kind: 'halt', error } };
  }
  state.target = loaded.value;
  return { ok: true, target: loaded.value };
}

function labelStep(state: EngineState, step: CompiledStep): string {
  const noun = state.target?.target.system === 'zendesk' ? 'ticket' : 'record';
  switch (step.type) {
    case 'run':
      return (
        state.deps.run.config()?.connectors.get(step.connectorId)?.def.name ?? 'Run a connector'
      );
    case 'write':
      return `Update the ${noun}`;
    case 'collect':
      return `Read the ${noun}`;
    case 'branch':
      return 'Choose what comes next';
    case 'stop':
      return 'Stop';
  }
}

async function finishStep(
  state: EngineState,
  step: CompiledStep,
  result: StepResult,
  resumed = false,
): Promise<void> {
  if (!resumed) await state.deps.progress.record(step.id, 'done', result);
  state.reports.push({
    stepId: step.id,
    label: labelStep(state, step),
    type: step.type,
    outcome: result.outcome,
    message: result.message,
    ...(result.error ? { error: result.error } : {}),
    ...(result.runId ? { runId: result.runId } : {}),
    ...(result.writes === undefined ? {} : { writes: result.writes }),
    ...(result.path ? { path: result.path } : {}),
    ...(result.upstreamStatus === undefined ? {} : { upstreamStatus: result.upstreamStatus }),
    resumed,
  });
}

function exposeRunResult(state: EngineState, stepId: string, result: StepResult): void {
  state.scope.steps[`${stepId}.outcome`] = result.outcome;
  state.scope.steps[`${stepId}.message`] = result.message;
  if (result.outcome === 'failed') {
    state.runErrors.set(stepId, result.error ?? { code: 'STEP_FAILED', message: result.message });
  }
  for (const [name, value] of Object.entries(result.values ?? {})) {
    state.scope.steps[`${stepId}.outputs.${name}`] = value;
  }
}

async function runCollect(
  state: EngineState,
  step: Extract<CompiledStep, { type: 'collect' }>,
): Promise<Flow> {
  const previous = state.done.get(step.id);
  let result: StepResult;
  if (previous?.state === 'done') {
    result = previous.result;
    await finishStep(state, step, result, true);
  } else {
    const needsTarget = step.values.some((value) => value.source.kind === 'target');
    const loaded = needsTarget ? await loadTarget(state, false) : undefined;
    if (loaded && !loaded.ok) return loaded.flow;
    const values: Record<string, unknown> = {};
    const missing: string[] = [];
    const described: string[] = [];
    for (const value of step.values) {
      const raw =
        value.source.kind === 'trigger'
          ? state.context.trigger[value.source.key]
          : loaded?.ok
            ? loaded.target.read(value.source.source)
            : undefined;
      const resolved = isBlank(raw) ? value.default : raw;
      if (isBlank(resolved)) {
        if (value.required) {
          missing.push(value.name);
          const from =
            value.source.kind === 'trigger' ? `trigger.${value.source.key}` : value.source.source;
          described.push(`"${value.name}" (read from ${from}, which is empty)`);
        }
        continue;
      }
      values[value.name] = resolved;
    }
    result = missing.length
      ? {
          type: 'collect',
          outcome: 'failed',
          message: `Required value ${described.join(' and ')} is missing.`,
          error: {
            code: 'VALUE_MISSING',
            message: `Required value ${described.join(' and ')} is missing.`,
          },
          values,
          missing,
        }
      : { type: 'collect', outcome: 'success', message: 'Collected.', values };
    await finishStep(state, step, result);
  }
  Object.assign(state.scope.collected, result.values ?? {});
  if (result.outcome !== 'failed') return CONTINUE;
  const error = result.error ?? { code: 'VALUE_MISSING', message: result.message };
  state.failure ??= { stepId: step.id, error };
  if (step.onMissing) {
    const flow = await runList(state, step.onMissing, { code: error.code, message: error.message });
    if (flow.kind !== 'continue') return flow;
  }
  return { kind: 'stop', outcome: 'failed', message: error.message };
}

function renderOverrides(
  state: EngineState,
  step: Extract<CompiledStep, { type: 'run' }>,
): Record<string, unknown> {
  const scope = templateScope(state);
  const overrides: Record<string, unknown> = Object.fromEntries(
    step.inputs.map(([name, template]) => [name, renderTemplateValue(template, scope)]),
  );
  const key = step.idempotencyKey;
  if (key) {
    overrides[IDEMPOTENCY_KEY_INPUT] =
      key.kind === 'execution'
        ? `${state.context.executionId}:${step.id}`
        : renderTemplateText(key.template, scope);
  }
  return overrides;
}

async function runRun(
  state: EngineState,
  step: Extract<CompiledStep, { type: 'run' }>,
  handled: boolean,
): Promise<Flow> {
  const { deps, context } = state;
  const previous = state.done.get(step.id);
  const connector = deps.config.connectors.get(step.connectorId);
  if (previous?.state === 'done') {
    exposeRunResult(state, step.id, previous.result);
    await finishStep(state, step, previous.result, true);
    return afterRun(state, step, previous.result, handled);
  }
  const repeatable = connector?.idempotent === true || step.idempotencyKey !== undefined;
  if (previous?.state === 'started' && !repeatable) {
    const result: StepResult = {
      type: 'run',
      outcome: 'failed',
      message: `The server stopped while "${step.connectorId}" was running; it may or may not have acted, and it is not repeated because the connector is not idempotent and the step has no idempotencyKey. Check the other system before re-running.`,
      error: {
        code: 'STEP_OUTCOME_UNKNOWN',
        message: `The server stopped while "${step.connectorId}" was running; it may or may not have acted.`,
      },
    };
    exposeRunResult(state, step.id, result);
    await finishStep(state, step, result);
    return afterRun(state, step, result, handled);
  }

  await deps.progress.record(step.id, 'started', {
    type: 'run',
    outcome: 'failed',
    message: 'Started; the result is not known yet.',
  });
  const ran = await runConnector(deps.run, {
    connectorId: step.connectorId,
    system: context.system,
    targetId: context.targetId,
    load: loadRequestOf(context),
    inputs: {},
    inputOverrides: renderOverrides(state, step),
    confirmed: true,
    dryRun: false,
    surface: 'automation',
    source: context.source,
    actor: context.actor,
    idempotencyKey: `${context.executionId}:${step.id}`,
    skipWriteBack: !step.writeBack,
    ...(context.onSending ? { onSending: context.onSending } : {}),
  });
  if (!ran.ok) {
    // Refused before anything was sent: forgetting the mark lets a later attempt run it cleanly.
    await deps.progress.forget(step.id);
    const error = { code: ran.error.code, message: ran.error.message };
    if (RETRYABLE_REFUSALS.has(ran.error.code)) return { kind: 'retry', error };
    // A value the connector needs is missing or malformed, or an alert paused the connector
    // until an admin resumes it: failures the workflow can handle, not reasons to retry.
    if (ran.error.code === 'INPUT_INVALID' || ran.error.code === 'CONNECTOR_PAUSED') {
      const result: StepResult = { type: 'run', outcome: 'failed', message: error.message, error };
      exposeRunResult(state, step.id, result);
      await finishStep(state, step, result);
      return afterRun(state, step, result, handled);
    }
    return { kind: 'halt', error };
  }
  const view = ran.value;
  if (view.outcome === 'failed' && view.error && !context.finalAttempt) {
    // What the upstream answered comes with the run; no need to read it back from the log.
    const status = view.upstreamStatus;
    const transient =
      TRANSIENT_UPSTREAM_ERRORS.has(view.error.code) &&
      (view.error.code !== 'UPSTREAM_HTTP_ERROR' ||
        (status !== undefined && TRANSIENT_STATUSES.has(status)));
    const safeToRepeat = repeatable || (status !== undefined && NOT_PROCESSED_STATUSES.has(status));
    if (transient && safeToRepeat && view.upstreamOutcome === 'failed') {
      await deps.progress.forget(step.id);
      return {
        kind: 'retry',
        error: { code: view.error.code, message: `Step "${step.id}": ${view.error.message}` },
      };
    }
  }
  const result: StepResult = {
    type: 'run',
    outcome: view.outcome,
    message: view.message,
    ...(view.error ? { error: view.error } : {}),
    values: Object.fromEntries(view.outputs.map((output) => [output.name, output.value])),
    runId: view.runId,
    writes: view.writes,
    ...(view.upstreamStatus === undefined ? {} : { upstreamStatus: view.upstreamStatus }),
  };
  exposeRunResult(state, step.id, result);
  await finishStep(state, step, result);
  return afterRun(state, step, result, handled);
}

function afterRun(
  state: EngineState,
  step: Extract<CompiledStep, { type: 'run' }>,
  result: StepResult,
  handled: boolean,
): Flow {
  if (result.outcome !== 'failed' || handled) return CONTINUE;
  // No branch follows this step: a failure ends the workflow instead of being ignored.
  const error = result.error ?? { code: 'STEP_FAILED', message: result.message };
  state.failure ??= { stepId: step.id, error };
  return {
    kind: 'stop',
    outcome: 'failed',
    message: `Step "${step.id}" failed (${error.code}): ${error.message}`,
  };
}

async function runBranch(
  state: EngineState,
  step: Extract<CompiledStep, { type: 'branch' }>,
): Promise<Flow> {
  const outcome = state.scope.steps[`${step.on}.outcome`];
  const key = outcome === 'success' ? 'success' : outcome === 'empty' ? 'empty' : 'failure';
  const nested = step[key];
  const previous = state.done.get(step.id);
  const result: StepResult = {
    type: 'branch',
    outcome: 'success',
    message: nested ? `Took the ${key} path.` : `No steps for the ${key} path.`,
    path: nested ? key : 'none',
  };
  await finishStep(state, step, result, previous?.state === 'done');
  let error: DeliveryError | undefined;
  if (key === 'failure') {
    error = state.runErrors.get(step.on) ?? {
      code: 'STEP_FAILED',
      message: `Step "${step.on}" failed.`,
    };
    state.failure ??= { stepId: step.on, error };
  }
  return nested ? runList(state, nested, error) : CONTINUE;
}

async function runWrite(
  state: EngineState,
  step: Extract<CompiledStep, { type: 'write' }>,
): Promise<Flow> {
  const previous = state.done.get(step.id);
  if (previous?.state === 'done') {
    await finishStep(state, step, previous.result, true);
    return CONTINUE;
  }
  // A fresh load: a connector's write-back may have changed the ticket since it was read, and
  // the helpdesk guards the update with the version it loaded.
  const loaded = await loadTarget(state, true);
  if (!loaded.ok) return loaded.flow;
  // Step outputs are already redacted by their runs; the redactor also covers collected and
  // trigger values, so no secret form reaches the ticket through a write step.
  const written = await state.deps.helpdesk.write(
    loaded.target,
    step.write,
    state.deps.run.redactor.redactDeep(templateScope(state)),
  );
  if (!written.ok) {
    const error = { code: written.error.code, message: written.error.message };
    return RETRYABLE_WRITE_ERRORS.has(written.error.code)
      ? { kind: 'retry', error }
      : { kind: 'halt', error };
  }
  await finishStep(state, step, {
    type: 'write',
    outcome: 'success',
    message: written.written ? 'Written.' : 'Nothing to write.',
    writes: written.changes,
  });
  return CONTINUE;
}

async function runStop(
  state: EngineState,
  step: Extract<CompiledStep, { type: 'stop' }>,
): Promise<Flow> {
  const previous = state.done.get(step.id);
  const message = step.message
    ? renderTemplateText(step.message, state.deps.run.redactor.redactDeep(templateScope(state)))
    : step.outcome === 'success'
      ? 'Stopped.'
      : 'Stopped as failed.';
  const result: StepResult =
    previous?.state === 'done'
      ? previous.result
      : { type: 'stop', outcome: step.outcome === 'success' ? 'success' : 'failed', message };
  await finishStep(state, step, result, previous?.state === 'done');
  return { kind: 'stop', outcome: step.outcome, message: result.message };
}

async function runList(
  state: EngineState,
  steps: readonly CompiledStep[],
  error?: DeliveryError,
): Promise<Flow> {
  const outerError = state.scope.error;
  if (error) state.scope.error = { code: error.code, message: error.message };
  try {
    for (const [index, step] of steps.entries()) {
      let flow: Flow;
      switch (step.type) {
        case 'collect':
          flow = await runCollect(state, step);
          break;
        case 'run': {
          const handled = steps
            .slice(index + 1)
            .some((later) => later.type === 'branch' && later.on === step.id);
          flow = await runRun(state, step, handled);
          break;
        }
        case 'branch':
          flow = await runBranch(state, step);
          break;
        case 'write':
          flow = await runWrite(state, step);
          break;
        case 'stop':
          flow = await runStop(state, step);
          break;
      }
      if (flow.kind !== 'continue') return flow;
    }
    return CONTINUE;
  } finally {
    state.scope.error = outerError;
  }
}

/** Runs (or resumes) the steps of a workflow or macro once. */
export async function runSteps(
  deps: StepEngineDeps,
  context: StepRunContext,
): Promise<StepsResult> {
  const state: EngineState = {
    deps,
    context,
    done: await deps.progress.load(),
    scope: { collected: {}, steps: {}, error: undefined },
    runErrors: new Map(),
    reports: [],
    failure: undefined,
    target: undefined,
  };
  const flow = await runList(state, context.steps);
  switch (flow.kind) {
    case 'retry':
    case 'halt':
      return { kind: flow.kind, error: flow.error, steps: state.reports };
    case 'stop':
      return {
        kind: 'finished',
        outcome: flow.outcome,
        message: flow.message,
        steps: state.reports,
      };
    case 'continue':
      return state.failure
        ? {
            kind: 'finished',
            outcome: 'failed',
            message: `Step "${state.failure.stepId}" failed (${state.failure.error.code}): ${state.failure.error.message}; its failure path ran.`,
            steps: state.reports,
          }
        : {
            kind: 'finished',
            outcome: 'success',
            message: 'All steps completed.',
            steps: state.reports,
          };
  }
}

/** Progress kept in memory: a macro runs once, inside the request. */
export function createMemoryProgress(): StepProgressStore {
  const steps = new Map<string, StepProgress>();
  return {
    load: async () => new Map(steps),
    record: async (stepId, state, result) => {
      steps.set(stepId, { stepId, state, result, updatedAt: new Date().toISOString() });
    },
    forget: async (stepId) => {
      steps.delete(stepId);
    },
  };
}
