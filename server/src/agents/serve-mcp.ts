import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  createRequestStateCodec,
  inputRequired,
  inputResponse,
  McpServer,
} from '@modelcontextprotocol/server';
import type { CallToolResult, ServerContext } from '@modelcontextprotocol/server';
import type { AgentKeyRecord } from './agent-key-store';
import type { AgentSurfaceDeps } from './agent-surface-deps';
import { runVerificationStep } from './verify-customer';
import { describeAgentTools, describeVerificationTools } from './describe-agent-tools';
import type { AgentTool } from './describe-agent-tools';
import { readToolTarget, runAgentTool } from './run-agent-tool';
import { createSchemaCompiler } from './tool-schema-compiler';

/**
 * The MCP side of `/mcp` (create-mcp-router.ts): the official SDK's server and Streamable HTTP
 * handler. This module is imported on the first authenticated request, not at startup: the SDK
 * adds about 10 MB of heap and 26 MiB of RSS to a server whose agents may never use it
 * (docs/performance.md, "Memory").
 */

/** What the confirmation round carries back: the call it confirms, sealed by the server. */
interface ConfirmationState {
  keyName: string;
  tool: string;
  argsHash: string;
}

function hashArguments(args: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(args ?? {}))
    .digest('hex');
}

function textResult(text: string, isError: boolean): CallToolResult {
  return { content: [{ type: 'text', text }], isError };
}

/** Answers one authenticated MCP request; `body` is the parsed JSON body. */
export type McpNodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
) => Promise<void>;

/**
 * The handler for every MCP request of this process: one sealing key for the confirmation
 * rounds, and a fresh SDK server per request with the tools the request's agent key may use.
 */
export function createMcpNodeHandler(deps: AgentSurfaceDeps): McpNodeHandler {
  const logger = deps.run.logger.child({ component: 'mcp' });
  // Seals the confirmation round's state. One process serves every round of a call today; with
  // several instances this key must be shared (the scale-out issue).
  const stateCodec = createRequestStateCodec<ConfirmationState>({
    key: randomBytes(32),
    ttlSeconds: 600,
  });
  const compileSchema = createSchemaCompiler();

  const callTool = async (
    call: { key: AgentKeyRecord; era: 'legacy' | 'modern'; canAsk: boolean },
    tool: AgentTool,
    args: Record<string, unknown>,
    ctx: ServerContext,
  ): Promise<CallToolResult | ReturnType<typeof inputRequired>> => {
    const { key } = call;
    const target = readToolTarget(tool, args);
    if (!target.ok) return textResult(target.error.message, true);
    let confirmed = false;
    if (tool.needsConfirmation && !(call.era === 'modern' && call.canAsk)) {
      // Never a silent run: without a way to ask the user, a tool with side effects refuses.
      return textResult(
        call.era === 'legacy'
          ? `${tool.title} changes data in another system and runs only after the user confirms it. This server asks for that confirmation with MCP 2026-07-28 input requests; this client speaks an earlier revision, so nothing was run. Use a client that supports MCP 2026-07-28 with elicitation.`
          : `${tool.title} changes data in another system and runs only after the user confirms it, but this client did not declare the elicitation capability, so it cannot ask. Nothing was run.`,
        true,
      );
    }
    if (tool.needsConfirmation) {
      const argsHash = hashArguments(args);
      const state = await Promise.resolve(ctx.mcpReq.requestState<ConfirmationState>()).catch(
        () => undefined,
      );
      const sameCall =
        state !== undefined &&
        state.keyName === key.name &&
        state.tool === tool.name &&
        state.argsHash === argsHash;
      const answer = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
      if (sameCall && answer.kind === 'elicit') {
        if (answer.action !== 'accept' || answer.content?.confirm !== true) {
          return textResult(
            `The user did not confirm ${tool.title}; nothing was run. Ask them what they want instead.`,
            true,
          );
        }
        confirmed = true;
      } else {
        return inputRequired({
          inputRequests: {
            confirm: inputRequired.elicit({
              message: `${tool.title} changes data in another system. Run it on ${target.value.system === 'zendesk' ? `ticket ${target.value.targetId}` : `record ${target.value.targetId}`}?`,
              requestedSchema: {
                type: 'object',
                properties: {
                  confirm: { type: 'boolean', title: `Run ${tool.title}`, default: false },
                },
                required: ['confirm'],
              },
            }),
          },
          requestState: await stateCodec.mint({ keyName: key.name, tool: tool.name, argsHash }),
        });
      }
    }
    const ran = await runAgentTool(deps.run, deps.verification, {
      key,
      tool,
      args,
      confirmed,
      source: 'mcp',
    });
    if (!ran.ok) return textResult(`${ran.error.code}: ${ran.error.message}`, true);
    return {
      content: [{ type: 'text', text: `${ran.value.outcome}: ${ran.value.message}` }],
      structuredContent: { ...ran.value },
      isError: ran.value.outcome === 'failed',
    };
  };

  const buildServer = (key: AgentKeyRecord, era: 'legacy' | 'modern'): McpServer => {
    const server = new McpServer(
      { name: 'data-connectors', version: deps.version },
      { requestState: { verify: (state, ctx) => stateCodec.verify(state, ctx) } },
    );
    const config = deps.config();
    const tools = config
      ? describeAgentTools(config, key, [...deps.run.helpdesks.keys()])
      : new Map<string, AgentTool>();
    const verification = deps.verification;
    const verificationTools = verification
      ? describeVerificationTools(tools, verification.settings)
      : undefined;
    if (verificationTools && verification) {
      const verifyDeps = {
        helpdesks: deps.run.helpdesks,
        runLog: deps.run.runLog,
        verification,
        logger,
      };
      const answer = (
        result:
          { ok: true; value: string } | { ok: false; error: { code: string; message: string } },
      ) =>
        result.ok
          ? textResult(result.value, false)
          : textResult(`${result.error.code}: ${result.error.message}`, true);
      for (const step of [verificationTools.send, verificationTools.check]) {
        server.registerTool(
          step.name,
          {
            title: step.title,
            description: step.description,
            inputSchema: compileSchema(step.inputSchema),
            annotations: step.annotations,
          },
          async (args: Record<string, unknown>) =>
            answer(
              await runVerificationStep(verifyDeps, step.name, {
                key,
                tools: verificationTools,
                args,
                source: 'mcp',
              }),
            ),
        );
      }
    }
    for (const tool of tools.values()) {
      server.registerTool(
        tool.name,
        {
          title: tool.title,
          description: tool.description,
          inputSchema: compileSchema(tool.inputSchema),
          outputSchema: compileSchema(tool.outputSchema),
          annotations: { title: tool.title, ...tool.annotations },
        },
        (args: Record<string, unknown>, ctx: ServerContext) =>
          callTool(
            {
              key,
              era,
              // Backfilled per request from the 2026-07-28 envelope; from initialize on 2025.
              canAsk: server.server.getClientCapabilities()?.elicitation !== undefined,
            },
            tool,
            args,
            ctx,
          ),
      );
    }
    return server;
  };

  const handler = createMcpHandler(
    (ctx) => {
      const key = ctx.authInfo?.extra?.agentKey as AgentKeyRecord | undefined;
      // The route below lets no request through without a key; a missing one is a bug.
      if (!key) throw new Error('an MCP request reached the handler without an agent key');
      return buildServer(key, ctx.era);
    },
    { onerror: (error) => logger.warn('MCP request failed', { message: error.message }) },
  );
  const nodeHandler = toNodeHandler(handler);
  return (req, res, body) => nodeHandler(req, res, body);
}
