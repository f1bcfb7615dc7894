import type {
  AppliesWhen,
  ConnectorConfig,
} from '../../../shared/src/config/connector-config-schema';
import type {
  Macro,
  Workflow,
  WorkflowStep,
  WriteStep,
} from '../../../shared/src/config/workflow-schema';
import { compileTemplate } from './compile-references';
import type { CompiledConnector, CompiledWrite, Path } from './compiled-model';
import { forEachUniqueId } from './config-issues';
import type { IssueCollector } from './config-issues';
import type { RefRules } from './compile-references';
import { describeSources, isKnownSource, needsAgentContext } from './config-format';
import type { ConfigFormat } from './config-format';
import { compileAppliesWhen, compileWrite } from './compile-helpdesk-groups';
import type { ParsedTemplate, TemplateRef, TemplateRoot } from './template';

/**
 * Compiles workflows and macros once, with the connectors they run. Every check that can be
 * made before a trigger fires is made here: unknown connectors and inputs, duplicate step ids,
 * a branch on a step that is not an earlier run, and template references to values that do not
 * exist yet where the template is rendered. Steps form a tree and references may only point
 * back to steps that have certainly run, so a workflow cannot loop.
 */

/** Where a collected value is read from. */
export type CollectSource = { kind: 'target'; source: string } | { kind: 'trigger'; key: string };

export interface CompiledCollectValue {
  name: string;
  source: CollectSource;
  required: boolean;
  default: string | number | boolean | undefined;
}

export type CompiledStep =
  | {
      type: 'collect';
      id: string;
      values: CompiledCollectValue[];
      onMissing: CompiledStep[] | undefined;
    }
  | {
      type: 'run';
      id: string;
      connectorId: string;
      inputs: [string, ParsedTemplate][];
      writeBack: boolean;
      /** `execution`: the delivery (or macro run) id and the step id. */
      idempotencyKey:
        { kind: 'execution' } | { kind: 'template'; template: ParsedTemplate } | undefined;
    }
  | {
      type: 'branch';
      id: string;
      on: string;
      success: CompiledStep[] | undefined;
      empty: CompiledStep[] | undefined;
      failure: CompiledStep[] | undefined;
    }
  | { type: 'write'; id: string; write: CompiledWrite }
  | {
      type: 'stop';
      id: string;
      outcome: 'success' | 'failed';
      message: ParsedTemplate | undefined;
    };

export interface CompiledWorkflow {
  id: string;
  def: Workflow;
  steps: CompiledStep[];
}

export interface CompiledMacro {
  id: string;
  def: Macro;
  /** Where it is offered, the per-helpdesk groups merged. */
  appliesWhen: AppliesWhen;
  steps: CompiledStep[];
  /** Some step runs a connector that needs the agent's confirmation. */
  confirm: boolean;
  /** The connectors the steps run, in order of appearance. */
  connectorIds: string[];
}

/** The input a run step's `idempotencyKey` is handed to. */
export const IDEMPOTENCY_KEY_INPUT = 'idempotency_key';

const TRIGGER_SOURCE = /^trigger\.([A-Za-z0-9_-]{1,100})$/;

interface StepInfo {
  kind: WorkflowStep['type'];
  /** Position in document order, to tell "runs later" from "may not have run". */
  order: number;
  connectorId?: string;
}

/** What has certainly happened before a step: the steps that ran and the values collected. */
interface Scope {
  steps: Map<string, StepInfo>;
  collected: Set<string>;
  /** Inside a failure path or onMissing, where {{error.…}} describes what went wrong. */
  inFailure: boolean;
}

interface Owner {
  kind: 'workflow' | 'macro';
  id: string;
  base: Path;
  allSteps: Map<string, StepInfo>;
  allCollected: Set<string>;
  connectors: ReadonlyMap<string, CompiledConnector>;
  declaredConnectors: ReadonlySet<string>;
  issues: IssueCollector;
  format: ConfigFormat;
  /** The step being compiled (its templates are checked while it is current). */
  current: { id: string; order: number };
}

/** Why a step that exists is not available where it is referred to. */
function whyUnavailable(stepId: string, info: StepInfo, owner: Owner): string {
  if (stepId === owner.current.id) return 'which is this step itself';
  return info.order > owner.current.order
    ? 'which runs later'
    : 'which may not have run here (it is in another branch)';
}

function describeStepRef(name: string): { stepId: string; rest: string[] } {
  const [stepId = '', ...rest] = name.split('.');
  return { stepId, rest };
}

function checkWorkflowRef(ref: TemplateRef, path: Path, scope: Scope, owner: Owner): void {
  const { issues } = owner;
  if (ref.root === 'collected') {
    if (scope.collected.has(ref.name)) return;
    issues.error(
      path,
      owner.allCollected.has(ref.name)
        ? `${ref.raw}: "${ref.name}" is not collected before this step`
        : `${ref.raw} refers to a value no "collect" step collects`,
      owner.allCollected.has(ref.name)
        ? 'move the "collect" step that reads it before this step (outside any branch)'
        : `add it to a "collect" step's values${scope.collected.size ? `, or use one of: ${[...scope.collected].join(', ')}` : ''}`,
    );
    return;
  }
  if (ref.root !== 'steps') return;
  const { stepId, rest } = describeStepRef(ref.name);
  const available = scope.steps.get(stepId);
  const anywhere = owner.allSteps.get(stepId);
  if (!available) {
    const runs = [...scope.steps].filter(([, info]) => info.kind === 'run').map(([id]) => id);
    issues.error(
      path,
      !anywhere
        ? `${ref.raw} refers to an unknown step "${stepId}"`
        : `${ref.raw} refers to step "${stepId}", ${whyUnavailable(stepId, anywhere, owner)}`,
      runs.length
        ? `use a "run" step that runs before this one: ${runs.join(', ')}`
        : 'only "run" steps that run before this one can be referred to',
    );
    return;
  }
  if (available.kind !== 'run') {
    issues.error(
      path,
      `${ref.raw}: step "${stepId}" is a "${available.kind}" step and has no outputs`,
      'refer to a "run" step; collected values are {{collected.<name>}}',
    );
    return;
  }
  if (rest[0] !== 'outputs') return;
  const connector = available.connectorId ? owner.connectors.get(available.connectorId) : undefined;
  if (!connector) return;
  const outputs = connector.response.outputs.map((output) => output.def.name);
  const name = rest[1] ?? '';
  if (!outputs.includes(name)) {
    issues.error(
      path,
      `${ref.raw}: connector "${connector.id}" has no output "${name}"`,
      outputs.length
        ? `use one of: ${outputs.join(', ')}`
        : `declare it in the connector's "response.outputs"`,
    );
  }
}

function rulesFor(scope: Scope, owner: Owner, where: string): RefRules {
  const roots: TemplateRoot[] = ['collected', 'steps'];
  if (owner.kind === 'workflow') roots.push('trigger');
  if (scope.inFailure) roots.push('error');
  return {
    roots,
    where,
    workflow: { checkRef: (ref, path) => checkWorkflowRef(ref, path, scope, owner) },
  };
}

/** First pass: every step id in document order, so later checks can say "runs later". */
function indexSteps(
  steps: readonly WorkflowStep[],
  path: Path,
  owner: Owner,
  counter: { next: number },
): void {
  steps.forEach((step, index) => {
    const at = [...path, index];
    const previous = owner.allSteps.get(step.id);
    if (previous) {
      owner.issues.error(
        [...at, 'id'],
        `duplicate step id "${step.id}"`,
        `step ids must be unique in the ${owner.kind}, branches included`,
      );
    } else {
      owner.allSteps.set(step.id, {
        kind: step.type,
        order: counter.next,
        ...(step.type === 'run' ? { connectorId: step.connector } : {}),
      });
    }
    counter.next += 1;
    if (step.type === 'collect') {
      for (const value of step.values) owner.allCollected.add(value.name);
      if (step.onMissing) indexSteps(step.onMissing, [...at, 'onMissing'], owner, counter);
    }
    if (step.type === 'branch') {
      for (const key of ['success', 'empty', 'failure'] as const) {
        const nested = step[key];
        if (nested) indexSteps(nested, [...at, key], owner, counter);
      }
    }
  });
}

function compileCollect(
  step: Extract<WorkflowStep, { type: 'collect' }>,
  at: Path,
  owner: Owner,
): CompiledCollectValue[] {
  return step.values.map((value, index) => {
    const path = [...at, 'values', index, 'source'];
    const trigger = TRIGGER_SOURCE.exec(value.source);
    if (trigger) {
      if (owner.kind === 'macro') {
        owner.issues.error(
          path,
          `"${value.source}": a macro has no trigger`,
          'macros read the ticket or record: use ticket.… or record.…',
        );
      }
      return {
        name: value.name,
        source: { kind: 'trigger', key: trigger[1] as string },
        required: value.required,
        default: value.default,
      };
    }
    if (!isKnownSource(owner.format, value.source)) {
      owner.issues.error(
        path,
        `unknown source "${value.source}"`,
        `use ${describeSources(owner.format)}${owner.kind === 'workflow' ? ' or trigger.<key of the webhook body>' : ''}`,
      );
    } else if (needsAgentContext(owner.format, value.source)) {
      owner.issues.error(
        path,
        `"${value.source}" is not available to ${owner.kind}s`,
        'there is no chosen comment or agent here; read the ticket (ticket.…) instead',
      );
    }
    return {
      name: value.name,
      source: { kind: 'target', source: value.source },
      required: value.required,
      default: value.default,
    };
  });
}

function compileRun(
  step: Extract<WorkflowStep, { type: 'run' }>,
  at: Path,
  scope: Scope,
  owner: Owner,
): CompiledStep {
  const { issues } = owner;
  const connector = owner.connectors.get(step.connector);
  if (!connector && !owner.declaredConnectors.has(step.connector)) {
    const known = [...owner.connectors.keys()];
    issues.error(
      [...at, 'connector'],
      `unknown connector "${step.connector}"`,
      known.length ? `use one of: ${known.join(', ')}` : 'add it under "connectors"',
    );
  }
  if (connector && !connector.def.surfaces.includes('automation')) {
    issues.error(
      [...at, 'connector'],
      `connector "${connector.id}" is not offered to automations`,
      `add "automation" to the connector's "surfaces"`,
    );
  }
  const inputNames = connector?.inputs.map((input) => input.def.name);
  const inputs = Object.entries(step.inputs).map(([name, source]) => {
    const path = [...at, 'inputs', name];
    if (inputNames && !inputNames.includes(name)) {
      issues.error(
        path,
        `connector "${step.connector}" has no input "${name}"`,
        inputNames.length ? `use one of: ${inputNames.join(', ')}` : 'the connector has no inputs',
      );
    }
    if (name === IDEMPOTENCY_KEY_INPUT) {
      issues.error(
        path,
        `"${IDEMPOTENCY_KEY_INPUT}" is set by the step's "idempotencyKey"`,
        'write the key in "idempotencyKey" instead',
      );
    }
    return [
      name,
      compileTemplate(source, path, rulesFor(scope, owner, 'run step inputs'), issues),
    ] as [string, ParsedTemplate];
  });
  let idempotencyKey: Extract<CompiledStep, { type: 'run' }>['idempotencyKey'];
  if (step.idempotencyKey !== undefined) {
    const path = [...at, 'idempotencyKey'];
    if (inputNames && !inputNames.includes(IDEMPOTENCY_KEY_INPUT)) {
      issues.error(
        path,
        `connector "${step.connector}" has no input "${IDEMPOTENCY_KEY_INPUT}" to carry the key`,
        `declare an input "${IDEMPOTENCY_KEY_INPUT}" with a "default" and send it in a request header (e.g. "Idempotency-Key": "{{inputs.${IDEMPOTENCY_KEY_INPUT}}}"), or remove "idempotencyKey"`,
      );
    }
    idempotencyKey =
      step.idempotencyKey === true
        ? { kind: 'execution' }
        : {
            kind: 'template',
            template: compileTemplate(
              step.idempotencyKey,
              path,
              rulesFor(scope, owner, 'the idempotency key'),
              issues,
            ),
          };
  }
  return {
    type: 'run',
    id: step.id,
    connectorId: step.connector,
    inputs,
    writeBack: step.writeBack,
    idempotencyKey,
  };
}

function compileBranchOn(
  step: Extract<WorkflowStep, { type: 'branch' }>,
  at: Path,
  scope: Scope,
  owner: Owner,
): void {
  const target = scope.steps.get(step.on);
  const anywhere = owner.allSteps.get(step.on);
  const runs = [...scope.steps].filter(([, info]) => info.kind === 'run').map(([id]) => id);
  const hint = runs.length
    ? `branch on a "run" step that runs before it: ${runs.join(', ')}`
    : 'add a "run" step before the branch';
  if (!anywhere) {
    owner.issues.error([...at, 'on'], `"on" names an unknown step "${step.on}"`, hint);
  } else if (!target) {
    owner.issues.error(
      [...at, 'on'],
      `"on" names step "${step.on}", ${whyUnavailable(step.on, anywhere, owner)}`,
      hint,
    );
  } else if (target.kind !== 'run') {
    owner.issues.error(
      [...at, 'on'],
      `"on" names a "${target.kind}" step; a branch follows the outcome of a "run" step`,
      hint,
    );
  }
}

function toWriteSpec(step: WriteStep) {
  const { type: _type, id: _id, ...spec } = step;
  return spec;
}

function compileSteps(
  steps: readonly WorkflowStep[],
  path: Path,
  outer: Scope,
  owner: Owner,
): CompiledStep[] {
  // A copy: what runs inside a branch path is not certain to have run after the branch.
  const scope: Scope = {
    steps: new Map(outer.steps),
    collected: new Set(outer.collected),
    inFailure: outer.inFailure,
  };
  return steps.map((step, index) => {
    const at = [...path, index];
    owner.current = { id: step.id, order: owner.allSteps.get(step.id)?.order ?? 0 };
    let compiled: CompiledStep;
    switch (step.type) {
      case 'collect': {
        const values = compileCollect(step, at, owner);
        const onMissing = step.onMissing
          ? compileSteps(step.onMissing, [...at, 'onMissing'], { ...scope, inFailure: true }, owner)
          : undefined;
        for (const value of step.values) scope.collected.add(value.name);
        compiled = { type: 'collect', id: step.id, values, onMissing };
        break;
      }
      case 'run':
        compiled = compileRun(step, at, scope, owner);
        break;
      case 'branch': {
        compileBranchOn(step, at, scope, owner);
        const path = (key: 'success' | 'empty' | 'failure') => {
          const nested = step[key];
          return nested
            ? compileSteps(
                nested,
                [...at, key],
                { ...scope, inFailure: scope.inFailure || key === 'failure' },
                owner,
              )
            : undefined;
        };
        compiled = {
          type: 'branch',
          id: step.id,
          on: step.on,
          success: path('success'),
          empty: path('empty'),
          failure: path('failure'),
        };
        break;
      }
      case 'write':
        compiled = {
          type: 'write',
          id: step.id,
          write: compileWrite(
            toWriteSpec(step),
            at,
            rulesFor(scope, owner, 'a write step'),
            owner.issues,
            owner.format,
            // "type" names the step kind here, so some flat keys are spelled otherwise.
            'step',
          ),
        };
        break;
      case 'stop':
        compiled = {
          type: 'stop',
          id: step.id,
          outcome: step.outcome,
          message:
            step.message === undefined
              ? undefined
              : compileTemplate(
                  step.message,
                  [...at, 'message'],
                  rulesFor(scope, owner, 'a stop message'),
                  owner.issues,
                ),
        };
        break;
    }
    const info = owner.allSteps.get(step.id);
    if (info && !scope.steps.has(step.id)) scope.steps.set(step.id, info);
    return compiled;
  });
}

function collectConnectorIds(steps: readonly CompiledStep[], into: string[]): string[] {
  for (const step of steps) {
    if (step.type === 'run' && !into.includes(step.connectorId)) into.push(step.connectorId);
    if (step.type === 'collect' && step.onMissing) collectConnectorIds(step.onMissing, into);
    if (step.type === 'branch') {
      for (const nested of [step.success, step.empty, step.failure]) {
        if (nested) collectConnectorIds(nested, into);
      }
    }
  }
  return into;
}

function compileOwner(
  kind: 'workflow' | 'macro',
  def: Workflow | Macro,
  index: number,
  connectors: ReadonlyMap<string, CompiledConnector>,
  declaredConnectors: ReadonlySet<string>,
  issues: IssueCollector,
  format: ConfigFormat,
): CompiledStep[] {
  const base: Path = [kind === 'workflow' ? 'workflows' : 'macros', index];
  const owner: Owner = {
    kind,
    id: def.id,
    base,
    allSteps: new Map(),
    allCollected: new Set(),
    connectors,
    declaredConnectors,
    issues,
    format,
    current: { id: '', order: 0 },
  };
  indexSteps(def.steps, [...base, 'steps'], owner, { next: 0 });
  return compileSteps(
    def.steps,
    [...base, 'steps'],
    { steps: new Map(), collected: new Set(), inFailure: false },
    owner,
  );
}

/** Compiles the config's workflows and macros against its compiled connectors. */
export function compileWorkflows(
  config: ConnectorConfig,
  connectors: ReadonlyMap<string, CompiledConnector>,
  issues: IssueCollector,
  format: ConfigFormat,
): { workflows: Map<string, CompiledWorkflow>; macros: Map<string, CompiledMacro> } {
  const declaredConnectors = new Set(config.connectors.map((connector) => connector.id));
  const workflows = new Map<string, CompiledWorkflow>();
  const macros = new Map<string, CompiledMacro>();
  forEachUniqueId(
    config.workflows,
    'workflows',
    'give every workflow a unique id; it is part of the webhook URL',
    issues,
    (workflow, index) => {
      const steps = compileOwner(
        'workflow',
        workflow,
        index,
        connectors,
        declaredConnectors,
        issues,
        format,
      );
      workflows.set(workflow.id, { id: workflow.id, def: workflow, steps });
    },
  );
  forEachUniqueId(
    config.macros,
    'macros',
    'give every macro a unique id',
    issues,
    (macro, index) => {
      const steps = compileOwner(
        'macro',
        macro,
        index,
        connectors,
        declaredConnectors,
        issues,
        format,
      );
      const connectorIds = collectConnectorIds(steps, []);
      macros.set(macro.id, {
        id: macro.id,
        def: macro,
        appliesWhen: compileAppliesWhen(
          macro.appliesWhen,
          ['macros', index, 'appliesWhen'],
          issues,
          format,
        ),
        steps,
        connectorIds,
        confirm: connectorIds.some((id) => connectors.get(id)?.confirm ?? true),
      });
    },
  );
  return { workflows, macros };
}
