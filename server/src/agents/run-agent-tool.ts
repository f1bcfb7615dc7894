import type { Request, Response } from 'express';
import type { RateLimiter } from '../http/rate-limit';
import type { RunSource } from '../run-log/run-record';
import { runConnector } from '../runs/run-connector';
import type { RunDeps } from '../runs/run-connector';
import { toRunResultView } from '../runs/run-result-view';
import type { ApiErrorCode } from '../../../shared/src/api/api-errors';
import type { Result } from '../../../shared/src/result';
import type { AgentKeyRecord } from './agent-key-store';
import type { AgentKeys } from './agent-keys';
import { readRequester } from './customer-verification';
import type { CustomerVerification } from './customer-verification';
import { TARGET_ARGUMENTS } from './describe-agent-tools';
import type { AgentTool, TargetSystemName } from './describe-agent-tools';

/** A tool's result as MCP's structuredContent and the actions API's body carry it. */
export interface AgentToolResult {
  outcome: 'success' | 'empty' | 'failed';
  message: string;
  outputs: Record<string, unknown>;
  link?: { label: string; url: string };
  runId: string;
}

export interface AgentToolRefusal {
  code: ApiErrorCode;
  message: string;
}

/** The ticket or record the call names: exactly one of the tool's target arguments. */
export function readToolTarget(
  tool: Pick<AgentTool, 'systems'>,
  args: Record<string, unknown>,
): Result<{ system: TargetSystemName; targetId: string }, AgentToolRefusal> {
  const given = tool.systems.filter(
    (system) => typeof args[TARGET_ARGUMENTS[system].name] === 'string',
  );
  const [system, ...more] = given;
  if (system === undefined || more.length > 0) {
    const names = tool.systems.map((candidate) => TARGET_ARGUMENTS[candidate].name);
    return {
      ok: false,
      error: { code: 'INPUT_INVALID', message: `Give exactly one of ${names.join(', ')}.` },
    };
  }
  return { ok: true, value: { system, targetId: String(args[TARGET_ARGUMENTS[system].name]) } };
}

/**
 * A tool that reveals personal data runs only once the ticket's requester proved they read the
 * code sent to their email. The refusal tells the model what to do next.
 */
async function checkVerified(
  run: RunDeps,
  verification: CustomerVerification | undefined,
  target: { system: TargetSystemName; targetId: string },
): Promise<Result<void, AgentToolRefusal>> {
  if (!verification) {
    return {
      ok: false,
      error: {
        code: 'VERIFICATION_UNAVAILABLE',
        message:
          'This tool needs a customer verified by email code, and email is not set up on this server (SMTP_HOST). Nothing was run.',
      },
    };
  }
  const requester = await readRequester(run.helpdesks, target);
  if (!requester.ok) return requester;
  const { ticketKey, email } = requester.value;
  if ((await verification.isVerified({ ticketKey, requesterEmail: email })).verified) {
    return { ok: true, value: undefined };
  }
  return {
    ok: false,
    error: {
      code: 'VERIFICATION_REQUIRED',
      message: `This tool reveals the customer's personal data, and the customer is not verified yet. Call send_verification_code for this ticket, ask the customer for the ${verification.settings.codeDigits}-digit code it emailed them, then call check_verification_code with it, and try again. Nothing was run.`,
    },
  };
}

/**
 * Runs a tool's connector as the key's agent: the same pipeline as every run (appliesWhen,
 * input rules, redaction, egress, write-back, the run log), on the `agent` surface.
 */
export async function runAgentTool(
  run: RunDeps,
  verification: CustomerVerification | undefined,
  call: {
    key: AgentKeyRecord;
    tool: AgentTool;
    args: Record<string, unknown>;
    confirmed: boolean;
    source: RunSource;
    /** The HTTP actions' Idempotency-Key: a repeated request replays the first run's result. */
    idempotency?: { key: string | undefined; onSending: (runId: string) => Promise<void> };
  },
): Promise<Result<AgentToolResult, AgentToolRefusal>> {
  const target = readToolTarget(call.tool, call.args);
  if (!target.ok) return target;
  if (call.tool.requiresVerification) {
    const verified = await checkVerified(run, verification, target.value);
    if (!verified.ok) return verified;
  }
  const {
    [TARGET_ARGUMENTS.zendesk.name]: _ticket,
    [TARGET_ARGUMENTS.salesforce.name]: _record,
    ...inputs
  } = call.args;
  const ran = await runConnector(run, {
    connectorId: call.tool.connectorId,
    system: target.value.system,
    targetId: target.value.targetId,
    inputs,
    confirmed: call.confirmed,
    dryRun: false,
    surface: 'agent',
    source: call.source,
    actor: { kind: 'ai_agent', name: call.key.name },
    ...(call.idempotency?.key === undefined ? {} : { idempotencyKey: call.idempotency.key }),
    ...(call.idempotency ? { onSending: call.idempotency.onSending } : {}),
  });
  if (!ran.ok) return { ok: false, error: { code: ran.error.code, message: ran.error.message } };
  const view = toRunResultView(ran.value);
  return {
    ok: true,
    value: {
      outcome: view.outcome,
      message: view.message,
      outputs: Object.fromEntries(view.outputs.map((output) => [output.name, output.value])),
      ...(view.link ? { link: view.link } : {}),
      runId: view.runId,
    },
  };
}

/**
 * The agent key of a request (`Authorization: Bearer dcak_…`), within its rate limit; otherwise
 * answers 401 with the challenge MCP clients read, or 429, and returns undefined.
 */
export async function authenticateAgentKey(
  req: Request,
  res: Response,
  deps: { agentKeys: AgentKeys; limiter: RateLimiter; serverUrl: () => string },
): Promise<AgentKeyRecord | undefined> {
  const refuse = (description: string) => {
    const metadata = `${deps.serverUrl()}/.well-known/oauth-protected-resource/mcp`;
    res
      .status(401)
      .setHeader(
        'WWW-Authenticate',
        `Bearer realm="data-connectors", error="invalid_token", error_description="${description}", resource_metadata="${metadata}"`,
      )
      .json({
        error: {
          code: 'AUTH_INVALID',
          message: `${description} Send Authorization: Bearer <agent key>; an admin creates keys with "npm run connectors -- agent-keys create".`,
        },
      });
    return undefined;
  };
  const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  if (token === undefined) return refuse('No agent key.');
  const key = await deps.agentKeys.verify(token);
  if (!key) return refuse('The agent key is unknown or revoked.');
  const limited = deps.limiter.take('run', `agent-key:${key.name}`);
  if (!limited.ok) {
    res
      .status(429)
      .setHeader('Retry-After', String(limited.error.retryAfterSeconds))
      .json({
        error: {
          code: 'RATE_LIMITED',
          message: `Too many requests from agent key "${key.name}". Try again in ${limited.error.retryAfterSeconds} s.`,
        },
      });
    return undefined;
  }
  return key;
}
