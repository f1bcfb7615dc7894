import type { Request } from 'express';
import * as z from 'zod';
import { parseOrThrow } from '../../../server/src/http/api-error';
import type { HelpdeskApi } from '../../../server/src/api/helpdesk-routes';
import type { RunActor, RunSource } from '../../../server/src/run-log/run-record';

/** How Helpnest's app asks for connectors and macros: conversations by id. */

const conversationIdSchema = z.string().regex(/^c[0-9]{1,12}$/, 'a conversation id such as c42');
const inputValueSchema = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);

const targetQuerySchema = z.strictObject({ conversationId: conversationIdSchema });
const runBodySchema = z.strictObject({
  conversationId: conversationIdSchema,
  inputs: z.record(z.string().max(64), inputValueSchema).default({}),
  confirmed: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});
const macroRunBodySchema = z.strictObject({
  conversationId: conversationIdSchema,
  confirmed: z.boolean().default(false),
});

function callerOf(req: Request): { source: RunSource; actor: RunActor } {
  return req.principal?.kind === 'app'
    ? { source: 'helpnest', actor: { kind: 'system', name: 'Helpnest app' } }
    : { source: 'api', actor: { kind: 'admin' } };
}

export const helpnestApi: HelpdeskApi = {
  system: 'helpnest',
  readConnectorsQuery(req) {
    const query = parseOrThrow(targetQuerySchema, req.query, 'QUERY_INVALID');
    return { targetId: query.conversationId, load: {}, surface: 'helpnest' };
  },
  readRunBody(req) {
    const body = parseOrThrow(runBodySchema, req.body, 'BODY_INVALID');
    return {
      targetId: body.conversationId,
      load: {},
      inputs: body.inputs,
      confirmed: body.confirmed,
      dryRun: body.dryRun,
      surface: 'helpnest',
      ...callerOf(req),
      fingerprint: body,
    };
  },
  readMacrosQuery(req) {
    const query = parseOrThrow(targetQuerySchema, req.query, 'QUERY_INVALID');
    return { targetId: query.conversationId, load: {} };
  },
  readMacroRunBody(req) {
    const body = parseOrThrow(macroRunBodySchema, req.body, 'BODY_INVALID');
    const caller = callerOf(req);
    return {
      targetId: body.conversationId,
      load: {},
      confirmed: body.confirmed,
      ...caller,
      actorFor: () => caller.actor,
      fingerprint: body,
    };
  },
  describeTarget: (loaded) => ({ conversationId: loaded.target.id }),
};
