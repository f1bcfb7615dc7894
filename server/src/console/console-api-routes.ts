import express, { Router } from 'express';
import type { Request, Response } from 'express';
import * as z from 'zod';
import type {
  ConsoleCheckAnswer,
  ConsoleConnector,
  ConsoleConnectorsAnswer,
  ConsoleDraftAnswer,
  ConsoleHelpdeskFieldsAnswer,
  ConsoleIssue,
  ConsoleTemplatesAnswer,
  ConsoleSettings,
} from '../../../shared/src/console/console-contracts';
import { humanizeName } from '../../../shared/src/humanize-name';
import type { CompiledConfig, CompiledConnector } from '../compile/compiled-model';
import type { ConfigStatus } from '../config/config-store';
import type { LocatedIssue } from '../config/located-issue';
import { ApiError, parseOrThrow } from '../http/api-error';
import { requireAdmin } from '../http/authenticate';
import { formatRunsAsCsv, formatRunsAsNdjson } from '../run-log/export-runs';
import {
  decodeRunCursor,
  errorCodeSchema,
  runActorSchema,
  runIdSchema,
  runOutcomeSchema,
  runSourceSchema,
  targetSystemSchema,
} from '../run-log/run-record';
import type { RunLogStore, RunQuery } from '../run-log/run-record';
import type { TestConnectorRequest, TestConnectorResult } from '../runs/test-connector';
import { idSchema } from '../../../shared/src/config/connector-config-schema';
import { buildDraft } from '../drafts/build-draft';
import type { Helpdesks } from '../runs/helpdesk-port';
import { applyTemplate } from '../templates/apply-template';
import type { TemplateLibrary } from '../templates/load-templates';
import { checkConnectorEdit, findConnectorSource, saveConnectorEdit } from './edit-connector';
import type { ConfigSources, EditError } from './edit-connector';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The most runs one export holds, as the CLI's `logs --format csv`. */
export const MAX_EXPORT_RUNS = 100_000;

export interface ConsoleApiDeps {
  config: () => CompiledConfig | undefined;
  status: () => ConfigStatus;
  sources: ConfigSources;
  runLog: RunLogStore;
  settings: Omit<ConsoleSettings, 'user'>;
  /** Tests a connector without side effects (server/src/runs/test-connector.ts). */
  test: (request: TestConnectorRequest) => Promise<TestConnectorResult>;
  /** The helpdesks, to list the fields a template's blanks are picked from. */
  helpdesks?: Helpdesks;
  /** The template library (templates/), read when asked: edits to it show without a restart. */
  templates?: () => TemplateLibrary;
  /** Whether a secret is set, by name (never its value): drafts say which still need one. */
  hasSecret?: (name: string) => boolean;
  /** Connectors an alert paused, with why (the alerts feature); none when it is off. */
  pausedReason?: (connectorId: string) => string | undefined;
  now?: () => number;
}

const runsQuerySchema = z.strictObject({
  connectorId: z.string().min(1).max(64).optional(),
  system: targetSystemSchema.optional(),
  targetId: z.string().min(1).max(64).optional(),
  outcome: runOutcomeSchema.optional(),
  errorCode: errorCodeSchema.max(64).optional(),
  source: runSourceSchema.optional(),
  actorKind: runActorSchema.shape.kind.optional(),
  actorId: z.string().min(1).max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
const exportQuerySchema = runsQuerySchema
  .omit({ limit: true, cursor: true })
  .extend({ format: z.enum(['csv', 'ndjson']).default('csv') });

const testBodySchema = z.strictObject({
  system: targetSystemSchema.optional(),
  targetId: z.string().min(1).max(64),
  targetType: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/)
    .optional(),
  inputs: z
    .record(z.string(), z.union([z.string().max(100_000), z.number(), z.boolean()]))
    .default({}),
  mode: z.enum(['preview', 'response', 'send']).default('preview'),
  response: z
    .strictObject({
      status: z.int().min(100).max(599).default(200),
      body: z.string().max(2 * 1024 * 1024),
      contentType: z.string().max(200).optional(),
    })
    .optional(),
  confirmed: z.boolean().default(false),
});

const connectionIdSchema = z.string().regex(/^[a-z][a-z0-9_-]{1,63}$/);
const editBodySchema = z.strictObject({
  connector: z.record(z.string(), z.unknown()),
  fileHash: z.string().max(64).optional(),
  /** A new connector's connection, added with it (templates and drafts bring theirs). */
  connection: z
    .strictObject({ id: connectionIdSchema, value: z.record(z.string(), z.unknown()) })
    .optional(),
});

const helpdeskFieldsQuerySchema = z.strictObject({
  system: targetSystemSchema,
  object: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/)
    .optional(),
});

const templateDraftBodySchema = z.strictObject({
  values: z.record(z.string().max(64), z.string().max(2000)).default({}),
  secretNames: z.record(z.string().max(64), z.string().max(64)).default({}),
  connectorId: z.string().max(64).optional(),
  connectionId: z.string().max(64).optional(),
});

const draftBodySchema = z.strictObject({
  source: z.enum(['curl', 'openapi']),
  /** The curl command, as copied. */
  command: z.string().max(100_000).optional(),
  /** The OpenAPI 3 document (JSON or YAML text) and the operation (operationId or "GET /path"). */
  document: z
    .string()
    .max(10 * 1024 * 1024)
    .optional(),
  operation: z.string().max(500).optional(),
  /** A sample answer (JSON text): its fields become the outputs. */
  sample: z
    .string()
    .max(2 * 1024 * 1024)
    .optional(),
  id: idSchema.optional(),
});

function describeIssue(issue: LocatedIssue): ConsoleIssue {
  return {
    file: issue.file,
    path: issue.path,
    message: issue.message,
    hint: issue.hint,
    severity: issue.severity,
    ...(issue.line === undefined ? {} : { line: issue.line, column: issue.column ?? 1 }),
  };
}

function stateOf(
  connector: CompiledConnector,
  pausedReason: string | undefined,
): Pick<ConsoleConnector, 'state' | 'stateReason'> {
  if (connector.def.draft) {
    return { state: 'draft', stateReason: 'Only the console and the test command see it.' };
  }
  if (!connector.def.enabled) return { state: 'disabled', stateReason: '"enabled" is false.' };
  if (connector.unavailable)
    return { state: 'unavailable', stateReason: connector.unavailable.message };
  if (pausedReason) return { state: 'paused', stateReason: pausedReason };
  return { state: 'live' };
}

function toRunQuery(
  query: z.infer<typeof exportQuerySchema> | z.infer<typeof runsQuerySchema>,
): RunQuery {
  if (query.actorId !== undefined && query.actorKind === undefined) {
    throw new ApiError(
      'QUERY_INVALID',
      'actorId needs actorKind (agent, admin, system or ai_agent).',
    );
  }
  if ('cursor' in query && query.cursor !== undefined && !decodeRunCursor(query.cursor)) {
    throw new ApiError(
      'QUERY_INVALID',
      'The cursor is not one this server handed out; start again without it.',
    );
  }
  return {
    ...(query.connectorId === undefined ? {} : { connectorId: query.connectorId }),
    ...(query.system === undefined ? {} : { targetSystem: query.system }),
    ...(query.targetId === undefined ? {} : { targetId: query.targetId }),
    ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
    ...(query.errorCode === undefined ? {} : { errorCode: query.errorCode }),
    ...(query.source === undefined ? {} : { source: query.source }),
    ...(query.actorKind === undefined
      ? {}
      : {
          actor: {
            kind: query.actorKind,
            ...(query.actorId === undefined ? {} : { id: query.actorId }),
          },
        }),
    ...(query.since === undefined ? {} : { since: new Date(query.since).toISOString() }),
    ...(query.until === undefined ? {} : { until: new Date(query.until).toISOString() }),
    ...('limit' in query ? { limit: query.limit } : {}),
    ...('cursor' in query && query.cursor !== undefined ? { cursor: query.cursor } : {}),
  };
}

function throwEditError(error: EditError): never {
  if (error.code === 'CONFIG_INVALID') {
    throw new ApiError('CONFIG_INVALID', error.message, {
      issues: error.issues.map(describeIssue),
    });
  }
  if (error.code === 'CONFIG_WRITE_FAILED')
    throw new ApiError('CONFIG_WRITE_FAILED', error.message);
  throw new ApiError(error.code, error.message);
}

function authorOf(req: Request): string {
  const user = req.principal?.kind === 'admin' ? req.principal.user : undefined;
  return user ? `${user} (console)` : 'admin API';
}

/**
 * `/api/admin/console/*`: what the admin console shows and changes. Admins only (the admin
 * token, or a console session signed in with it); an agent's sidebar session gets 403.
 */
export function createConsoleApiRoutes(deps: ConsoleApiDeps): Router {
  const now = deps.now ?? Date.now;
  const router = Router();
  router.use((req, _res, next) => {
    requireAdmin(req);
    next();
  });

  router.get('/settings', (req, res) => {
    const answer: ConsoleSettings = {
      ...deps.settings,
      user: req.principal?.kind === 'admin' ? (req.principal.user ?? 'admin token') : '',
    };
    res.json(answer);
  });

  router.get('/connectors', async (_req, res) => {
    const config = deps.config();
    const status = deps.status();
    const compiled = config ? [...config.connectors.values()] : [];
    const summaries = await deps.runLog.summarize(
      compiled.map((connector) => connector.id),
      new Date(now() - DAY_MS),
    );
    const sources = deps.sources.sources();
    const connectors = compiled.map((connector): ConsoleConnector => {
      const summary = summaries[connector.id];
      const file = findConnectorSource(sources, connector.id)?.file;
      return {
        id: connector.id,
        name: connector.def.name ?? humanizeName(connector.id),
        ...(connector.def.description ? { description: connector.def.description } : {}),
        ...stateOf(connector, deps.pausedReason?.(connector.id)),
        surfaces: [...connector.def.surfaces],
        connection: connector.connection.id,
        method: connector.request.method,
        ...(file === undefined ? {} : { file }),
        last24h: { runs: summary?.runs ?? 0, failed: summary?.failed ?? 0 },
        ...(summary?.lastRun ? { lastRun: summary.lastRun } : {}),
      };
    });
    const answer: ConsoleConnectorsAnswer = {
      connectors,
      config: {
        ok: status.ok,
        ...(status.loadedAt ? { loadedAt: status.loadedAt } : {}),
        files: status.files,
        errors: (status.lastError?.issues ?? [])
          .filter((issue) => issue.severity === 'error')
          .map(describeIssue),
      },
    };
    res.json(answer);
  });

  router.get('/connectors/:connectorId/source', (req, res) => {
    const id = String(req.params.connectorId);
    const found = findConnectorSource(deps.sources.sources(), id);
    if (!found)
      throw new ApiError('CONNECTOR_NOT_FOUND', `There is no connector "${id.slice(0, 64)}".`);
    res.json({ id, ...found });
  });

  // Connector JSON can be large (long templates); still bounded (\`json\`, below).

  const check = async (
    req: Request,
    res: Response,
    edit: Parameters<typeof checkConnectorEdit>[1],
  ) => {
    const body = parseOrThrow(editBodySchema, req.body, 'BODY_INVALID');
    const withConnection =
      edit.kind === 'create' && body.connection ? { ...edit, connection: body.connection } : edit;
    res.json(await checkEdit(withConnection, body.connector));
  };
  const checkEdit = async (
    edit: Parameters<typeof checkConnectorEdit>[1],
    connector: unknown,
  ): Promise<ConsoleCheckAnswer> => {
    const checked = await checkConnectorEdit(deps.sources, edit, connector);
    if (!checked.ok && checked.error.code !== 'CONFIG_INVALID') throwEditError(checked.error);
    return checked.ok
      ? { ok: true, file: checked.value.file, issues: checked.value.warnings.map(describeIssue) }
      : {
          ok: false,
          issues:
            checked.error.code === 'CONFIG_INVALID' ? checked.error.issues.map(describeIssue) : [],
        };
  };
  /** A draft as the console shows it before saving: checked as the whole config, nothing written. */
  const reviewDraft = async (draft: {
    connectionId: string;
    connection: Record<string, unknown>;
    connector: Record<string, unknown>;
    secrets: { name: string; label?: string; howToGet?: string }[];
    notes: string[];
  }): Promise<ConsoleDraftAnswer> => {
    const check = await checkEdit(
      { kind: 'create', connection: { id: draft.connectionId, value: draft.connection } },
      draft.connector,
    );
    // The review is about the draft: warnings the served config already has (another
    // connector's unset secret, say) are not the draft's to fix.
    const known = new Set(deps.status().warnings.map((issue) => `${issue.path}\n${issue.message}`));
    return {
      ...draft,
      secrets: draft.secrets.map((secret) => ({
        ...secret,
        set: deps.hasSecret?.(secret.name) ?? false,
      })),
      check: {
        ...check,
        issues: check.issues.filter((issue) => !known.has(`${issue.path}\n${issue.message}`)),
      },
    };
  };

  router.get('/helpdesk-fields', async (req, res) => {
    const query = parseOrThrow(helpdeskFieldsQuerySchema, req.query, 'QUERY_INVALID');
    const helpdesk = deps.helpdesks?.get(query.system);
    if (!helpdesk?.listFields) {
      throw new ApiError(
        'HELPDESK_UNAVAILABLE',
        `This server is not connected to ${query.system}, or it cannot list its fields.`,
      );
    }
    const listed = await helpdesk.listFields(query.object ?? 'Case');
    if (!listed.ok) {
      throw new ApiError(
        'HELPDESK_UNAVAILABLE',
        `${helpdesk.label} did not list its fields: ${listed.error}`,
      );
    }
    const answer: ConsoleHelpdeskFieldsAnswer = { fields: listed.value };
    res.json(answer);
  });

  router.get('/templates', (_req, res) => {
    const library = deps.templates?.() ?? { templates: [], issues: [] };
    const answer: ConsoleTemplatesAnswer = {
      templates: library.templates.map((template) => ({
        id: template.id,
        title: template.title,
        service: template.service,
        category: template.category,
        summary: template.summary,
        auth: template.auth,
        ...(template.sideEffects ? { sideEffects: template.sideEffects } : {}),
        docs: template.docs,
        parameters: template.parameters,
        secrets: template.secrets,
        connectionId: template.connection.id,
        connectorId: String(template.connector.id ?? template.id),
      })),
      issues: library.issues.map(describeIssue),
    };
    res.json(answer);
  });

  const json = express.json({ limit: '512kb', strict: true });

  router.post('/templates/:templateId/draft', json, async (req, res) => {
    const id = String(req.params.templateId);
    const template = deps.templates?.().templates.find((candidate) => candidate.id === id);
    if (!template) {
      throw new ApiError('TEMPLATE_NOT_FOUND', `There is no template "${id.slice(0, 64)}".`);
    }
    const body = parseOrThrow(templateDraftBodySchema, req.body, 'BODY_INVALID');
    const applied = applyTemplate(template, {
      values: body.values,
      secretNames: body.secretNames,
      ...(body.connectorId ? { connectorId: body.connectorId } : {}),
      ...(body.connectionId ? { connectionId: body.connectionId } : {}),
    });
    if (!applied.ok) {
      throw new ApiError('TEMPLATE_VALUE_INVALID', applied.error.message, {
        parameter: applied.error.parameter,
      });
    }
    res.json(await reviewDraft({ ...applied.value, notes: [] }));
  });

  // An OpenAPI document can be large (GitHub's is ~10 MB): its own limit.
  router.post('/drafts', express.json({ limit: '12mb', strict: true }), async (req, res) => {
    const body = parseOrThrow(draftBodySchema, req.body, 'BODY_INVALID');
    let sample: unknown;
    if (body.sample !== undefined && body.sample.trim() !== '') {
      try {
        sample = JSON.parse(body.sample) as unknown;
      } catch (error) {
        throw new ApiError(
          'DRAFT_SOURCE_INVALID',
          `The sample answer is not JSON: ${(error as Error).message}`,
        );
      }
    }
    const built = buildDraft({
      ...(body.source === 'curl'
        ? { kind: 'curl' as const, command: body.command ?? '' }
        : {
            kind: 'openapi' as const,
            document: body.document ?? '',
            operation: body.operation ?? '',
          }),
      ...(body.id === undefined ? {} : { id: body.id }),
      ...(sample === undefined ? {} : { sample }),
    });
    if (!built.ok) throw new ApiError('DRAFT_SOURCE_INVALID', built.error.message);
    const { connectionId, connection, connector, secrets, notes } = built.value;
    res.json(
      await reviewDraft({
        connectionId,
        connection,
        connector,
        secrets: secrets.map((name) => ({ name })),
        notes,
      }),
    );
  });

  router.post('/connectors/:connectorId/check', json, (req, res) =>
    check(req, res, { kind: 'update', connectorId: String(req.params.connectorId) }),
  );
  router.post('/connectors/check', json, (req, res) => check(req, res, { kind: 'create' }));

  router.put('/connectors/:connectorId', json, async (req, res) => {
    const body = parseOrThrow(editBodySchema, req.body, 'BODY_INVALID');
    const saved = await saveConnectorEdit(
      deps.sources,
      {
        kind: 'update',
        connectorId: String(req.params.connectorId),
        ...(body.fileHash === undefined ? {} : { fileHash: body.fileHash }),
      },
      body.connector,
      authorOf(req),
    );
    if (!saved.ok) throwEditError(saved.error);
    res.json({ ...saved.value, warnings: saved.value.warnings.map(describeIssue) });
  });

  router.post('/connectors', json, async (req, res) => {
    const body = parseOrThrow(editBodySchema, req.body, 'BODY_INVALID');
    const saved = await saveConnectorEdit(
      deps.sources,
      { kind: 'create', ...(body.connection ? { connection: body.connection } : {}) },
      body.connector,
      authorOf(req),
    );
    if (!saved.ok) throwEditError(saved.error);
    res.status(201).json({ ...saved.value, warnings: saved.value.warnings.map(describeIssue) });
  });

  // A pasted response may be as large as a connector reads (maxResponseBytes): its own limit.
  router.post(
    '/connectors/:connectorId/test',
    express.json({ limit: '2mb', strict: true }),
    async (req, res) => {
      const body = parseOrThrow(testBodySchema, req.body, 'BODY_INVALID');
      const tested = await deps.test({
        connectorId: String(req.params.connectorId),
        system: body.system ?? deps.settings.helpdesks[0] ?? 'zendesk',
        targetId: body.targetId,
        ...(body.targetType === undefined ? {} : { targetType: body.targetType }),
        inputs: body.inputs,
        mode: body.mode,
        ...(body.response === undefined ? {} : { response: body.response }),
        confirmed: body.confirmed,
        actor: { name: authorOf(req) },
      });
      if (!tested.ok) throw new ApiError(tested.error.code, tested.error.message);
      res.json(tested.value);
    },
  );

  router.get('/runs', async (req, res) => {
    const query = parseOrThrow(runsQuerySchema, req.query, 'QUERY_INVALID');
    const page = await deps.runLog.query(toRunQuery(query));
    res.json({
      runs: page.runs,
      nextCursor: page.nextCursor ?? null,
      retentionDays: deps.settings.retentionDays,
    });
  });

  router.get('/runs/export', async (req, res) => {
    const query = parseOrThrow(exportQuerySchema, req.query, 'QUERY_INVALID');
    const base = toRunQuery(query);
    const stamp = new Date(now()).toISOString().replaceAll(':', '-').slice(0, 19);
    res
      .status(200)
      .type(query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
      .setHeader('Content-Disposition', `attachment; filename="runs-${stamp}.${query.format}"`);
    let cursor: string | undefined;
    let sent = 0;
    let first = true;
    // Page by page, so a large export never sits in memory whole.
    do {
      const page = await deps.runLog.query({
        ...base,
        limit: Math.min(500, MAX_EXPORT_RUNS - sent),
        ...(cursor === undefined ? {} : { cursor }),
      });
      let chunk =
        query.format === 'csv' ? formatRunsAsCsv(page.runs) : formatRunsAsNdjson(page.runs);
      // The header line once, at the top.
      if (query.format === 'csv' && !first) chunk = chunk.slice(chunk.indexOf('\r\n') + 2);
      first = false;
      sent += page.runs.length;
      cursor = page.nextCursor;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      if (res.destroyed) return;
    } while (cursor !== undefined && sent < MAX_EXPORT_RUNS);
    res.end();
  });

  router.get('/runs/:runId', async (req, res) => {
    const runId = String(req.params.runId);
    const run = runIdSchema.safeParse(runId).success ? await deps.runLog.get(runId) : undefined;
    if (!run) throw new ApiError('RUN_NOT_FOUND', `There is no run "${runId.slice(0, 40)}".`);
    res.json({ run });
  });

  return router;
}
