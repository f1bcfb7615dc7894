import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import * as z from 'zod';
import type { Macro } from '../../../shared/src/config/workflow-schema';
import { ApiError, parseOrThrow } from '../api/api-error';
import type { CompiledConfig } from '../compile/compile-config';
import type { CompiledMacro } from '../compile/compile-workflows';
import type { LoadedTarget } from '../runs/helpdesk-port';
import type { RunDeps } from '../runs/run-connector';
import { createMemoryProgress, runSteps } from './run-steps';
import type { StepReport } from './run-steps';

/**
 * Macros for agents, mounted in the API router (JSON and authentication done):
 * - `GET /macros?ticketId=` lists the macros that apply to the ticket; `confirm` is true when a
 *   step runs a connector with side effects, and the sidebar asks before running it;
 * - `POST /macros/:macroId/run` `{ ticketId, confirmed, agentId? }` runs the steps once, in the
 *   request, through the same step engine as workflows, and answers with each step's outcome.
 */

const idSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^[0-9]{1,20}$/, 'must be a numeric id'),
]);

const listMacrosQuerySchema = z.strictObject({ ticketId: idSchema });

export const runMacroBodySchema = z.strictObject({
  ticketId: idSchema,
  confirmed: z.boolean().default(false),
  agentId: idSchema.optional(),
});
export type RunMacroBody = z.infer<typeof runMacroBodySchema>;

export interface MacroView {
  id: string;
  name: string;
  description: string;
  confirm: boolean;
  connectors: { id: string; name: string }[];
  unavailable: { code: string; message: string } | null;
}

export interface MacroResultView {
  macroId: string;
  outcome: 'success' | 'failed';
  message: string;
  error?: { code: string; message: string };
  steps: StepReport[];
}

/** Whether a macro's `appliesWhen` holds, read through the loaded target like any input. */
export function macroApplies(when: Macro['appliesWhen'], target: LoadedTarget): boolean {
  if (target.target.system === 'salesforce') {
    return !when.objectTypes?.length || when.objectTypes.includes(target.target.type);
  }
  const rawTags = target.read('ticket.tags');
  const tags = new Set(Array.isArray(rawTags) ? rawTags.map(String) : []);
  if (when.tagsAny && !when.tagsAny.some((tag) => tags.has(tag))) return false;
  if (when.tagsAll && !when.tagsAll.every((tag) => tags.has(tag))) return false;
  if (when.tagsNone && when.tagsNone.some((tag) => tags.has(tag))) return false;
  const inList = (list: number[] | undefined, source: string) => {
    const value = target.read(source);
    return !list || (typeof value === 'number' && list.includes(value));
  };
  if (!inList(when.brandIds, 'ticket.brand_id')) return false;
  if (!inList(when.groupIds, 'ticket.group_id')) return false;
  if (!inList(when.ticketFormIds, 'ticket.ticket_form_id')) return false;
  const status = target.read('ticket.status');
  if (when.statuses && !(when.statuses as string[]).includes(String(status))) return false;
  return !when.objectTypes?.length;
}

function viewMacro(macro: CompiledMacro, config: CompiledConfig): MacroView {
  const connectors = macro.connectorIds.map((id) => config.connectors.get(id));
  const unavailable = connectors.find((connector) => connector?.unavailable)?.unavailable;
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

export function createMacrosRouter(deps: {
  config: () => CompiledConfig | undefined;
  run: RunDeps;
}): Router {
  const router = Router();

  const requireConfig = (): CompiledConfig => {
    const config = deps.config();
    if (!config) {
      throw new ApiError(
        'CONFIG_UNAVAILABLE',
        'No valid connector configuration is loaded; see /health.',
      );
    }
    return config;
  };

  const loadTicket = async (ticketId: string, agentId?: string): Promise<LoadedTarget> => {
    const helpdesk = deps.run.helpdesk;
    if (!helpdesk) {
      throw new ApiError('HELPDESK_NOT_CONFIGURED', 'Zendesk is not configured on this server.');
    }
    const loaded = await helpdesk.load(ticketId, agentId === undefined ? {} : { agentId });
    if (!loaded.ok) throw new ApiError(loaded.error.code, loaded.error.message);
    return loaded.value;
  };

  const offered = (config: CompiledConfig, target: LoadedTarget) =>
    [...config.macros.values()].filter(
      (macro) =>
        macro.def.enabled &&
        macro.def.surfaces.includes('zendesk') &&
        macroApplies(macro.def.appliesWhen, target),
    );

  router.get('/macros', async (req, res) => {
    const query = parseOrThrow(listMacrosQuerySchema, req.query, 'QUERY_INVALID');
    const config = requireConfig();
    const target = await loadTicket(String(query.ticketId));
    res.json({
      ticketId: target.target.id,
      macros: offered(config, target).map((macro) => viewMacro(macro, config)),
    });
  });

  router.post('/macros/:macroId/run', async (req, res) => {
    if (!req.is('application/json')) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    }
    const body = parseOrThrow(runMacroBodySchema, req.body, 'BODY_INVALID');
    const config = requireConfig();
    const macroId = String(req.params.macroId);
    const macro = config.macros.get(macroId);
    if (!macro || !macro.def.enabled || !macro.def.surfaces.includes('zendesk')) {
      throw new ApiError('NOT_FOUND', `There is no macro "${macroId.slice(0, 64)}".`);
    }
    const agentId = body.agentId === undefined ? undefined : String(body.agentId);
    const target = await loadTicket(String(body.ticketId), agentId);
    if (!macroApplies(macro.def.appliesWhen, target)) {
      throw new ApiError(
        'CONNECTOR_NOT_APPLICABLE',
        `Macro "${macro.id}" does not apply to this ticket.`,
      );
    }
    // One confirmation covers the whole macro: it is asked for before any step runs.
    if (macro.confirm && !body.confirmed) {
      throw new ApiError(
        'CONFIRMATION_REQUIRED',
        `Macro "${macro.id}" changes data in another system; send "confirmed": true to run it.`,
      );
    }
    const helpdesk = deps.run.helpdesk;
    if (!helpdesk) throw new Error('loadTicket returned without a Zendesk helpdesk');
    const byApp = req.principal?.kind === 'app';
    const result = await runSteps(
      { config, helpdesk, run: deps.run, progress: createMemoryProgress() },
      {
        kind: 'macro',
        ownerId: macro.id,
        steps: macro.steps,
        system: 'zendesk',
        targetType: 'ticket',
        targetId: target.target.id,
        ...(agentId === undefined ? {} : { agentId }),
        trigger: {},
        executionId: `macro_${randomUUID()}`,
        finalAttempt: true,
        source: byApp ? 'zendesk' : 'api',
        actor: byApp ? { kind: 'agent' } : { kind: 'admin' },
      },
    );
    const view: MacroResultView =
      result.kind === 'finished'
        ? {
            macroId: macro.id,
            outcome: result.outcome,
            message: result.message,
            steps: result.steps,
          }
        : {
            macroId: macro.id,
            outcome: 'failed',
            message: result.error.message,
            error: result.error,
            steps: result.steps,
          };
    res.json(view);
  });

  return router;
}
