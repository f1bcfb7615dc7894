import type { ConnectorView } from '../../../shared/src/api/api-contracts';
import type { CompiledConfig } from '../compile/compiled-model';
import { effectiveMaxLength, prefillInput } from '../inputs/resolve-inputs';
import type { RunLogStore } from '../run-log/run-record';
import type { LoadedTarget } from '../runs/helpdesk-port';

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
}): Promise<ConnectorView[]> {
  const { config, target, surface, runLog } = options;
  const offered = [...config.connectors.values()].filter(
    (connector) =>
      connector.def.enabled &&
      connector.def.surfaces.includes(surface) &&
      (surface === 'automation' || target.applies(connector.appliesWhen)),
  );
  const lastRuns = await runLog.lastRunsFor(
    { system: target.target.system, id: target.target.id },
    offered.map((connector) => connector.id),
  );
  const system = target.target.system;
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
          label: input.def.label ?? input.def.name,
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
        label: output.def.label ?? output.def.name,
        redacted: output.def.redact,
      })),
      unavailable: connector.unavailable ?? null,
      lastRun: last
        ? {
            runId: last.id,
            outcome: last.outcome,
            message: last.message,
            startedAt: last.startedAt,
          }
        : null,
    };
  });
}
