import type { ConnectorView } from '../../../shared/src/api/api-contracts';
import type { CompiledConfig, CompiledConnector } from '../compile/compiled-model';
import { effectiveMaxLength, prefillInput } from '../inputs/resolve-inputs';
import type { RunLogStore, RunRecord, TargetSystem } from '../run-log/run-record';
import { renderRunLink } from '../runs/render-run-link';
import { humanizeName } from '../../../shared/src/humanize-name';
import type { LoadedTarget } from '../runs/helpdesk-port';
import { describePause } from '../runs/connector-pauses';
import type { ConnectorPauses } from '../runs/connector-pauses';

/**
 * The connectors offered on one ticket or record, as the apps show them: inputs with the values
 * they start from, whether a confirmation is needed, and how the last run on this target went.
 */
export async function listConnectorViews(options: {
  config: CompiledConfig;
  target: LoadedTarget;
  /** A helpdesk's id, or `automation` (every enabled connector, whatever it applies to). */
  surface: string;
  runLog: RunLogStore;
  /** Connectors an alert paused: listed, as unavailable with CONNECTOR_PAUSED, not hidden. */
  pauses?: ConnectorPauses | undefined;
}): Promise<ConnectorView[]> {
  const { config, target, surface, runLog, pauses } = options;
  const offered = [...config.connectors.values()].filter(
    (connector) =>
      connector.def.enabled &&
      !connector.def.draft &&
      connector.def.surfaces.includes(surface) &&
      (surface === 'automation' || target.applies(connector.appliesWhen)),
  );
  const lastRuns = await runLog.lastRunsFor(
    { system: target.target.system, id: target.target.id },
    offered.map((connector) => connector.id),
  );
  const system = target.target.system;
  const lastSuccesses = await findLastSuccesses(
    runLog,
    target.target,
    offered.filter(hasSideEffects),
    lastRuns,
  );
  return offered.map((connector) => {
    const last = lastRuns[connector.id];
    return {
      id: connector.id,
      name: connector.def.name,
      description: connector.def.description,
      confirm: connector.confirm,
      method: connector.request.method,
      inputs: connector.inputs.map((input) => {
        // The apps know one source per input: the one this helpdesk reads (a ZAF path in Zendesk).
        const source = input.sourcesOn[system]?.[0] ?? null;
        return {
          name: input.def.name,
          label: input.def.label ?? humanizeName(input.def.name),
          hint: input.def.hint ?? null,
          example: input.def.example ?? null,
          description: input.def.description ?? '',
          type: input.def.type,
          required: input.def.required,
          prompt: input.def.prompt,
          source,
          // Only a pattern a browser can run safely; the server checks every value anyway.
          pattern: input.browserPattern ?? null,
          maxLength:
            input.def.type === 'string' || input.def.type === 'email'
              ? effectiveMaxLength(input.def)
              : (input.def.maxLength ?? null),
          trim: input.def.trim !== false,
          // The comment is chosen at run time; its body is not a prefill.
          value: source?.startsWith('comment.') ? null : (prefillInput(input, target.read) ?? null),
        };
      }),
      outputs: connector.response.outputs.map((output) => ({
        name: output.def.name,
        label: output.def.label ?? humanizeName(output.def.name),
        redacted: output.def.redact,
      })),
      // Shown like a connector missing a secret: agents see it exists, and why it cannot run.
      unavailable: pauses?.isPaused(connector.id)
        ? describePause(connector.def.name)
        : (connector.unavailable ?? null),
      lastRun: last
        ? {
            runId: last.id,
            outcome: last.outcome,
            message: last.message,
            startedAt: last.startedAt,
          }
        : null,
      sideEffects: hasSideEffects(connector),
      lastSuccess: lastSuccesses.get(connector.id) ?? null,
    };
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

function hasSideEffects(connector: CompiledConnector): boolean {
  return !SAFE_METHODS.has(connector.request.method);
}

/** How far back one connector's runs on one ticket are read to find its last success. */
const SUCCESS_LOOKBACK = 20;

/**
 * The latest run of each connector (with side effects) that did its job on this target: the
 * upstream call succeeded, even if writing the result back failed afterwards, because then the
 * thing was made and the ticket does not show it (the case most likely to be run twice).
 */
async function findLastSuccesses(
  runLog: RunLogStore,
  target: { system: TargetSystem; id: string },
  connectors: CompiledConnector[],
  lastRuns: Record<string, RunRecord>,
): Promise<Map<string, NonNullable<ConnectorView['lastSuccess']>>> {
  const found = new Map<string, NonNullable<ConnectorView['lastSuccess']>>();
  await Promise.all(
    connectors.map(async (connector) => {
      // Most connectors never ran here: the latest-run lookup already said so, skip the query.
      if (!lastRuns[connector.id]) return;
      const page = await runLog.query({
        targetSystem: target.system,
        targetId: target.id,
        connectorId: connector.id,
        limit: SUCCESS_LOOKBACK,
      });
      const run = page.runs.find(
        (candidate) =>
          !candidate.dryRun &&
          (candidate.outcome === 'success' || candidate.upstreamOutcome === 'success'),
      );
      if (!run) return;
      const link = renderRunLink(connector, run);
      found.set(connector.id, {
        runId: run.id,
        message: run.message,
        startedAt: run.startedAt,
        actorName: run.actor.name ?? null,
        ...(link ? { link } : {}),
      });
    }),
  );
  return found;
}
