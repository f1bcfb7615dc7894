import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { Request } from 'express';
import {
  listConnectorsQuerySchema,
  runConnectorBodySchema,
} from '../../../shared/src/api/api-contracts';
import type { ConnectorView, RunResultView } from '../../../shared/src/api/api-contracts';
import type { CompiledConfig } from '../compile/compile-config';
import { prefillInput } from '../inputs/resolve-inputs';
import type { RunLogStore } from '../run-log/run-record';
import type { IdempotencyStore } from '../runs/idempotency-store';
import { runConnector } from '../runs/run-connector';
import type { RunDeps } from '../runs/run-connector';
import { ApiError, parseOrThrow } from './api-error';
import type { Principal } from './authenticate';

export interface ConnectorsRouteDeps {
  run: RunDeps;
  config: () => CompiledConfig | undefined;
  runLog: RunLogStore;
  idempotency: IdempotencyStore;
}

const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,200}$/;

function principalScope(principal: Principal | undefined): string {
  if (!principal || principal.kind === 'admin') return 'admin';
  return `app:${principal.issuer ?? ''}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  }
}

export function createConnectorsRouter(deps: ConnectorsRouteDeps): Router {
  const router = Router();

  router.get('/connectors', async (req, res) => {
    const query = parseOrThrow(listConnectorsQuerySchema, req.query, 'QUERY_INVALID');
    const config = deps.config();
    if (!config)
      throw new ApiError(
        'CONFIG_UNAVAILABLE',
        'No valid connector configuration is loaded; see /health.',
      );
    const loaded = await deps.run.helpdesk.load(String(query.ticketId), {});
    if (!loaded.ok) throw new ApiError(loaded.error.code, loaded.error.message);
    const target = loaded.value;
    const offered = [...config.connectors.values()].filter(
      (connector) =>
        connector.def.enabled &&
        connector.def.surfaces.includes(query.surface) &&
        (query.surface === 'automation' || target.applies(connector)),
    );
    const lastRuns = await deps.runLog.lastRunsFor(
      { system: target.target.system, id: target.target.id },
      offered.map((connector) => connector.id),
    );
    const connectors: ConnectorView[] = offered.map((connector) => {
      const last = lastRuns[connector.id];
      return {
        id: connector.id,
        name: connector.def.name,
        description: connector.def.description,
        confirm: connector.confirm,
        method: connector.request.method,
        inputs: connector.inputs.map((input) => ({
          name: input.def.name,
          label: input.def.label ?? input.def.name,
          description: input.def.description ?? '',
          type: input.def.type,
          required: input.def.required,
          prompt: input.def.prompt,
          source: input.def.source ?? null,
          pattern: input.def.pattern ?? null,
          maxLength: input.def.maxLength ?? null,
          value: (() => {
            // The comment is chosen at run time; its body is not a prefill.
            if (input.def.source?.startsWith('comment.')) return null;
            return prefillInput(input, target.read) ?? null;
          })(),
        })),
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
    res.json({ ticketId: target.target.id, connectors });
  });

  router.post('/connectors/:connectorId/run', async (req, res) => {
    requireJson(req);
    const body = parseOrThrow(runConnectorBodySchema, req.body, 'BODY_INVALID');
    const connectorId = String(req.params.connectorId);
    const key = req.get('idempotency-key');
    const scope = principalScope(req.principal);
    if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_INVALID',
        'Idempotency-Key must be 8-200 characters of letters, digits, "_", "-", ".", ":" (a UUID works).',
      );
    }
    if (key !== undefined) {
      // Ids may arrive as 1 or "1"; the same request must get the same fingerprint either way.
      const normalized = {
        ...body,
        ticketId: String(body.ticketId),
        ...(body.commentId === undefined ? {} : { commentId: String(body.commentId) }),
        ...(body.agentId === undefined ? {} : { agentId: String(body.agentId) }),
      };
      const fingerprint = createHash('sha256')
        .update(connectorId)
        .update(canonicalJson(normalized))
        .digest('hex');
      const begun = deps.idempotency.begin(scope, key, fingerprint);
      if (begun.state === 'mismatch') {
        throw new ApiError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used for a different request; use a new key.',
        );
      }
      if (begun.state === 'in_progress') {
        throw new ApiError(
          'IDEMPOTENCY_IN_PROGRESS',
          'A request with this Idempotency-Key is still running; retry in a moment.',
          undefined,
          { 'Retry-After': '1' },
        );
      }
      if (begun.state === 'done') {
        res.json({ ...(begun.result as RunResultView), replayed: true });
        return;
      }
    }
    let outcome;
    try {
      outcome = await runConnector(deps.run, {
        connectorId,
        targetId: String(body.ticketId),
        ...(body.commentId === undefined ? {} : { commentId: String(body.commentId) }),
        ...(body.agentId === undefined ? {} : { agentId: String(body.agentId) }),
        inputs: body.inputs,
        confirmed: body.confirmed,
        dryRun: body.dryRun,
        surface: body.surface,
        source: req.principal?.kind === 'app' ? 'zendesk' : 'api',
        actor: req.principal?.kind === 'admin' ? { kind: 'admin' } : { kind: 'agent' },
        ...(key === undefined ? {} : { idempotencyKey: key }),
      });
    } catch (error) {
      if (key !== undefined) deps.idempotency.abandon(scope, key);
      throw error;
    }
    if (!outcome.ok) {
      if (key !== undefined) deps.idempotency.abandon(scope, key);
      const { code, message, details, retryAfterSeconds } = outcome.refusal;
      throw new ApiError(
        code,
        message,
        details,
        retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(retryAfterSeconds) },
      );
    }
    if (key !== undefined) deps.idempotency.complete(scope, key, outcome.result);
    res.json(outcome.result);
  });

  return router;
}
