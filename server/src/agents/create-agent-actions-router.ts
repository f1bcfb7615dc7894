import express, { Router } from 'express';
import { API_ERROR_CODES } from '../../../shared/src/api/api-errors';
import { loadOnce } from '../../../shared/src/load-once';
import type { AgentKeyRecord } from './agent-key-store';
import type { AgentSurfaceDeps } from './agent-surface-deps';
import type { VerificationRules } from './customer-verification';
import { describeAgentTools, describeVerificationTools } from './describe-agent-tools';
import { runVerificationStep } from './verify-customer';
import type { AgentTool } from './describe-agent-tools';
import { authenticateAgentKey, runAgentTool } from './run-agent-tool';
import type { AgentToolRefusal, AgentToolResult } from './run-agent-tool';
import type { Result } from '../../../shared/src/result';

export interface AgentActionsDeps extends AgentSurfaceDeps {
  /** Runs a call once per Idempotency-Key (the API's idempotency store); refusals throw. */
  runOnce?: RunOnce;
}

/** What the idempotency layer hands a run: its key, and the hook called just before sending. */
export interface RunIdempotency {
  key: string | undefined;
  onSending: (runId: string) => Promise<void>;
}

export type RunOnce = (
  req: express.Request,
  scope: string,
  fingerprint: unknown,
  run: (idempotency: RunIdempotency) => Promise<Result<AgentToolResult, AgentToolRefusal>>,
) => Promise<AgentToolResult>;

// The MCP SDK's JSON Schema validator checks the actions' arguments, so both surfaces accept the
// same input, each schema compiled once (tool-schema-compiler.ts). The SDK is imported on the
// first call that needs it, not at startup (serve-mcp.ts says why).
const loadSchemaCompiler = loadOnce(async () =>
  (await import('./tool-schema-compiler')).createSchemaCompiler(),
);
async function validateArguments(schema: Record<string, unknown>, value: unknown) {
  const compileSchema = await loadSchemaCompiler();
  return compileSchema(schema)['~standard'].validate(value);
}

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

/** The body an action takes: the tool's arguments, and `confirmed` where the tool asks first. */
function actionBodySchema(tool: AgentTool): Record<string, unknown> {
  if (!tool.needsConfirmation) return tool.inputSchema;
  const properties = tool.inputSchema.properties as Record<string, unknown>;
  const required = (tool.inputSchema.required as string[] | undefined) ?? [];
  return {
    ...tool.inputSchema,
    properties: {
      ...properties,
      confirmed: {
        type: 'boolean',
        const: true,
        description:
          'Set only after the user confirmed this action in your platform: it changes data in another system.',
      },
    },
    required: [...required, 'confirmed'],
  };
}

/**
 * An OpenAPI 3.1 document of the tools one agent key may call, for platforms that import actions
 * from OpenAPI (Salesforce External Services, GPT-style actions). Each tool is one operation.
 */
export function describeAgentActions(
  tools: ReadonlyMap<string, AgentTool>,
  options: { serverUrl: string; version: string; verification: VerificationRules | undefined },
): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const verificationTools = options.verification
    ? describeVerificationTools(tools, options.verification)
    : undefined;
  for (const step of verificationTools ? [verificationTools.send, verificationTools.check] : []) {
    paths[`/api/agent-tools/${step.name}`] = {
      post: {
        operationId: step.name,
        summary: step.title,
        description: step.description,
        'x-openai-isConsequential': false,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: step.inputSchema } },
        },
        responses: {
          '200': {
            description: 'What happened, in words for the model.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { message: { type: 'string' } },
                  required: ['message'],
                },
              },
            },
          },
          default: {
            description:
              'Refused: a wrong, expired or locked code, too many sends, or no email on the ticket.',
            content: { 'application/json': { schema: ERROR_SCHEMA } },
          },
        },
      },
    };
  }
  for (const tool of tools.values()) {
    paths[`/api/agent-tools/${tool.name}`] = {
      post: {
        operationId: tool.name,
        summary: tool.title,
        description: tool.needsConfirmation
          ? `${tool.description} It changes data in another system: ask the user first, then send "confirmed": true.`
          : tool.description,
        // GPT-style actions ask the user before an operation marked consequential.
        'x-openai-isConsequential': tool.needsConfirmation,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: actionBodySchema(tool) } },
        },
        responses: {
          '200': {
            description: 'The run: success, empty (nothing found) or failed, with its outputs.',
            content: { 'application/json': { schema: tool.outputSchema } },
          },
          default: {
            description:
              'Refused before anything was sent (invalid arguments, not applicable to that ticket, not confirmed, unknown key).',
            content: { 'application/json': { schema: ERROR_SCHEMA } },
          },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Data Connectors: actions for AI agents',
      version: options.version,
      description:
        'The connectors this agent key may run. Each action runs on the ticket or record the conversation is about.',
    },
    servers: [{ url: options.serverUrl }],
    security: [{ agentKey: [] }],
    components: {
      securitySchemes: {
        agentKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An agent key (dcak_…) created by the admin.',
        },
      },
    },
    paths,
  };
}

function sendError(res: express.Response, code: string, message: string): void {
  const status = (API_ERROR_CODES as Record<string, number>)[code] ?? 422;
  res.status(status).json({ error: { code, message } });
}

/**
 * `GET /api/openapi.json` and `POST /api/agent-tools/:name`: the agent tools as plain HTTP
 * actions, with the same agent keys, scope and runs as /mcp. Mounted before the API's own
 * authentication, since agent keys are not API tokens.
 */
export function createAgentActionsRouter(deps: AgentActionsDeps): Router {
  const router = Router();
  const toolsOf = (key: AgentKeyRecord): Map<string, AgentTool> => {
    const config = deps.config();
    return config
      ? describeAgentTools(config, key, [...deps.run.helpdesks.keys()])
      : new Map<string, AgentTool>();
  };

  router.get('/openapi.json', async (req, res) => {
    const key = await authenticateAgentKey(req, res, deps);
    if (!key) return;
    res.setHeader('Cache-Control', 'no-store').json(
      describeAgentActions(toolsOf(key), {
        serverUrl: deps.serverUrl(),
        version: deps.version,
        verification: deps.verification?.settings,
      }),
    );
  });

  router.post('/agent-tools/:name', express.json({ limit: '100kb' }), async (req, res) => {
    const key = await authenticateAgentKey(req, res, deps);
    if (!key) return;
    const tools = toolsOf(key);
    const name = String(req.params.name);
    const verification = deps.verification;
    const verificationTools = verification
      ? describeVerificationTools(tools, verification.settings)
      : undefined;
    if (
      verificationTools &&
      verification &&
      (name === verificationTools.send.name || name === verificationTools.check.name)
    ) {
      const step =
        name === verificationTools.send.name ? verificationTools.send : verificationTools.check;
      const body: unknown = req.body;
      const checked = await validateArguments(step.inputSchema, body);
      if (checked.issues) {
        return sendError(res, 'INPUT_INVALID', checked.issues[0]?.message ?? 'invalid arguments');
      }
      const call = {
        key,
        tools: verificationTools,
        args: body as Record<string, unknown>,
        source: 'api' as const,
      };
      const verifyDeps = {
        helpdesks: deps.run.helpdesks,
        runLog: deps.run.runLog,
        verification,
        logger: deps.run.logger,
      };
      const result = await runVerificationStep(verifyDeps, step.name, call);
      return result.ok
        ? res.json({ message: result.value })
        : sendError(res, result.error.code, result.error.message);
    }
    const tool = tools.get(name);
    if (!tool) {
      return sendError(
        res,
        'CONNECTOR_NOT_FOUND',
        `This agent key has no tool "${String(req.params.name)}".`,
      );
    }
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendError(res, 'BODY_INVALID', 'Send the tool arguments as a JSON object.');
    }
    const { confirmed, ...args } = body as Record<string, unknown>;
    const checked = await validateArguments(tool.inputSchema, args);
    if (checked.issues) {
      const first = checked.issues[0];
      const where = first?.path
        ?.map((part) => (typeof part === 'object' ? part.key : part))
        .join('.');
      return sendError(
        res,
        'INPUT_INVALID',
        `${where ? `${String(where)}: ` : ''}${first?.message ?? 'the arguments do not match the tool'}`,
      );
    }
    if (tool.needsConfirmation && confirmed !== true) {
      return sendError(
        res,
        'CONFIRMATION_REQUIRED',
        `${tool.title} changes data in another system: ask the user, then send "confirmed": true. Nothing was run.`,
      );
    }
    const run = (idempotency?: RunIdempotency) =>
      runAgentTool(deps.run, deps.verification, {
        key,
        tool,
        args,
        confirmed: tool.needsConfirmation,
        source: 'api',
        ...(idempotency ? { idempotency } : {}),
      });
    if (deps.runOnce) {
      // A repeated request with the same Idempotency-Key gets the first answer, not a second run.
      return res.json(
        await deps.runOnce(req, `agent-key:${key.name}`, { tool: tool.name, args }, run),
      );
    }
    const ran = await run();
    if (!ran.ok) return sendError(res, ran.error.code, ran.error.message);
    res.json(ran.value);
  });

  return router;
}
