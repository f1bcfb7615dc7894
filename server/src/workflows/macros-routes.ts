import { Router } from 'express';
import * as z from 'zod';
import { idSchema } from '../../../shared/src/api/api-contracts';
import { ApiError, parseOrThrow } from '../api/api-error';
import { agentOf } from '../api/authenticate';
import { principalScope, refuseAgentOverreach, viewerOf } from '../api/connectors-routes';
import { runWithIdempotency } from '../api/run-with-idempotency';
import type { IdempotencyStore } from '../runs/idempotency-store';
import type { CompiledConfig } from '../compile/compiled-model';
import type { LoadedTarget, LoadRequest } from '../runs/helpdesk-port';
import type { RunDeps } from '../runs/run-connector';
import { listMacroViews, runMacro } from './run-macro';

/**
 * Macros for agents, mounted in the API router (JSON and authentication done):
 * - `GET /macros?ticketId=` lists the macros that apply to the ticket; `confirm` is true when a
 *   step runs a connector with side effects, and the sidebar asks before running it;
 * - `POST /macros/:macroId/run` `{ ticketId, confirmed, agentId? }` runs the steps once, in the
 *   request, through the same step engine as workflows, and answers with each step's outcome.
 */

const listMacrosQuerySchema = z.strictObject({ ticketId: idSchema });

export const runMacroBodySchema = z.strictObject({
  ticketId: idSchema,
  confirmed: z.boolean().default(false),
  agentId: idSchema.optional(),
});
export type RunMacroBody = z.infer<typeof runMacroBodySchema>;

export function createMacrosRouter(deps: {
  config: () => CompiledConfig | undefined;
  run: RunDeps;
  idempotency: IdempotencyStore;
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

  const loadTicket = async (ticketId: string, options: LoadRequest): Promise<LoadedTarget> => {
    const helpdesk = deps.run.helpdesks.get('zendesk');
    if (!helpdesk) {
      throw new ApiError('HELPDESK_NOT_CONFIGURED', 'Zendesk is not configured on this server.');
    }
    const loaded = await helpdesk.load(ticketId, options);
    if (!loaded.ok) throw new ApiError(loaded.error.code, loaded.error.message);
    return loaded.value;
  };

  router.get('/macros', async (req, res) => {
    const query = parseOrThrow(listMacrosQuerySchema, req.query, 'QUERY_INVALID');
    const config = requireConfig();
    const target = await loadTicket(String(query.ticketId), viewerOf(req));
    res.json({ ticketId: target.target.id, macros: listMacroViews(config, target, 'zendesk') });
  });

  router.post('/macros/:macroId/run', async (req, res) => {
    if (!req.is('application/json')) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    }
    const body = parseOrThrow(runMacroBodySchema, req.body, 'BODY_INVALID');
    refuseAgentOverreach(req, body.agentId === undefined ? {} : { agentId: body.agentId });
    const agent = agentOf(req);
    const config = requireConfig();
    const macroId = String(req.params.macroId);
    const macro = config.macros.get(macroId);
    if (!macro || !macro.def.enabled || !macro.def.surfaces.includes('zendesk')) {
      // Before loading the ticket: an unknown macro is a 404 whatever the ticket.
      throw new ApiError('NOT_FOUND', `There is no macro "${macroId.slice(0, 64)}".`);
    }
    const agentId = agent
      ? String(agent.userId)
      : body.agentId === undefined
        ? undefined
        : String(body.agentId);
    const target = await loadTicket(String(body.ticketId), {
      ...(agent === undefined && agentId !== undefined ? { actorId: agentId } : {}),
      ...viewerOf(req),
    });
    const helpdesk = deps.run.helpdesks.get('zendesk');
    if (!helpdesk) throw new Error('loadTicket returned without a Zendesk helpdesk');
    // A retried or double-clicked macro must not run its steps (and create issues) twice.
    res.json(
      await runWithIdempotency({
        store: deps.idempotency,
        scope: principalScope(req.principal),
        key: req.get('idempotency-key'),
        fingerprint: {
          macroId,
          ...body,
          ticketId: String(body.ticketId),
          agentId: agentId ?? null,
        },
        run: async ({ key, onSending }) => {
          const ran = await runMacro(
            { config, helpdesk, run: deps.run },
            {
              macroId,
              surface: 'zendesk',
              target,
              confirmed: body.confirmed,
              ...(agentId === undefined ? {} : { load: { actorId: agentId } }),
              source: agent ? 'zendesk' : 'api',
              actor: target.agent
                ? { kind: 'agent', ...target.agent }
                : agent
                  ? { kind: 'agent', id: String(agent.userId) }
                  : { kind: 'admin' },
              ...(key === undefined ? {} : { idempotencyKey: key }),
              onSending,
            },
          );
          return ran;
        },
      }),
    );
  });

  return router;
}
