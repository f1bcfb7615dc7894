import type { CompiledConfig, CompiledConnector } from '../compile/compiled-model';
import { memoizePerObject } from '../../../shared/src/memoize-per-object';
import type { AgentKeyRecord } from './agent-key-store';
import { keyAllowsConnector } from './agent-keys';
import { describeLifetime } from './customer-verification';
import type { VerificationRules } from './customer-verification';

/**
 * Each connector with the `agent` surface, as the tool an AI agent sees: a name and description
 * for a model, JSON Schemas for its arguments and its result, and hints about what it does. One
 * description serves MCP (tools/list) and the OpenAPI document of agent actions.
 */

type JsonSchema = Record<string, unknown>;

/** How a tool names the ticket or record it runs on, per helpdesk. */
export const TARGET_ARGUMENTS = {
  zendesk: {
    name: 'ticket_id',
    schema: {
      type: 'string',
      pattern: '^[0-9]{1,16}$',
      description: 'The Zendesk ticket the conversation is about (its number, e.g. "4521").',
    },
  },
  salesforce: {
    name: 'record_id',
    schema: {
      type: 'string',
      pattern: '^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$',
      description:
        'The Salesforce record the conversation is about (its 15- or 18-character id, e.g. "500…").',
    },
  },
} as const satisfies Record<string, { name: string; schema: JsonSchema }>;

export type TargetSystemName = keyof typeof TARGET_ARGUMENTS;

export interface AgentTool {
  name: string;
  connectorId: string;
  title: string;
  description: string;
  /** The helpdesks it can run on, in the order their argument is tried. */
  systems: TargetSystemName[];
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  annotations: {
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
  /** Runs only after the user confirmed it (the connector's `confirm`). */
  needsConfirmation: boolean;
  /** Runs only for a customer verified by email code (the connector's `verification`). */
  requiresVerification: boolean;
}

/** The two tools that verify a customer, offered with the tools that need it. */
export interface VerificationStep<Name extends string = VerificationStepName> {
  name: Name;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  annotations: AgentTool['annotations'];
}

export type VerificationStepName = 'send_verification_code' | 'check_verification_code';

export interface VerificationTools {
  systems: TargetSystemName[];
  send: VerificationStep<'send_verification_code'>;
  check: VerificationStep<'check_verification_code'>;
}

const INPUT_TYPES: Record<string, JsonSchema> = {
  string: { type: 'string' },
  number: { type: 'number' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  date: { type: 'string', format: 'date' },
  email: { type: 'string', format: 'email' },
};

function isTargetSystem(system: string): system is TargetSystemName {
  return Object.prototype.hasOwnProperty.call(TARGET_ARGUMENTS, system);
}

/**
 * The helpdesks a connector can run on: those its `appliesWhen` names, or every connected one
 * when it names none (as the helpdesks themselves read it).
 */
function systemsOf(connector: CompiledConnector, connected: readonly string[]): TargetSystemName[] {
  const named = Object.keys(connector.appliesWhen).filter(
    (system) => connector.appliesWhen[system] !== undefined,
  );
  const systems =
    named.length > 0 ? connected.filter((system) => named.includes(system)) : connected;
  return systems.filter(isTargetSystem);
}

function describeInput(connector: CompiledConnector, index: number): JsonSchema {
  const input = connector.def.inputs[index];
  if (!input) return {};
  const words = [input.label ?? input.name, input.description, input.hint]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join('. ');
  return {
    ...(INPUT_TYPES[input.type] ?? { type: 'string' }),
    ...(input.pattern !== undefined && (input.type === 'string' || input.type === 'email')
      ? { pattern: input.pattern }
      : {}),
    ...(input.maxLength === undefined ? {} : { maxLength: input.maxLength }),
    ...(input.example === undefined ? {} : { examples: [input.example] }),
    ...(input.default === undefined ? {} : { default: input.default }),
    description:
      words + (input.source === undefined ? '' : ' Leave it out to use the value on the ticket.'),
  };
}

/** Read-only: a GET or HEAD that writes nothing back. Anything else changes something. */
function isReadOnly(connector: CompiledConnector): boolean {
  const { success, empty, failure } = connector.writeBack;
  const writes = [success, empty, failure].some((write) => write !== undefined);
  return (connector.request.method === 'GET' || connector.request.method === 'HEAD') && !writes;
}

/**
 * The tools each compiled connector makes, per list of connected helpdesks. Every MCP request
 * and agent action describes the tools its key may use; a compiled connector never changes, so
 * its description is made once, and a new config brings new connectors.
 */
const toolsOfConnector = memoizePerObject(
  (_connector: CompiledConnector) => new Map<string, AgentTool | null>(),
);

export function describeAgentTool(
  connector: CompiledConnector,
  connected: readonly string[],
): AgentTool | undefined {
  const described = toolsOfConnector(connector);
  const helpdesks = connected.join(',');
  let tool = described.get(helpdesks);
  if (tool === undefined) {
    tool = buildAgentTool(connector, connected) ?? null;
    described.set(helpdesks, tool);
  }
  return tool ?? undefined;
}

function buildAgentTool(
  connector: CompiledConnector,
  connected: readonly string[],
): AgentTool | undefined {
  if (!connector.def.enabled || connector.def.draft || !connector.def.surfaces.includes('agent')) {
    return undefined;
  }
  const systems = systemsOf(connector, connected);
  if (systems.length === 0) return undefined;
  const properties: Record<string, JsonSchema> = {};
  for (const system of systems) {
    properties[TARGET_ARGUMENTS[system].name] = { ...TARGET_ARGUMENTS[system].schema };
  }
  const required: string[] =
    systems.length === 1 ? [TARGET_ARGUMENTS[systems[0] ?? 'zendesk'].name] : [];
  connector.def.inputs.forEach((input, index) => {
    // Only what an agent in the sidebar may type: the rest comes from the ticket.
    if (!input.prompt) return;
    properties[input.name] = describeInput(connector, index);
    if (input.required && input.source === undefined && input.default === undefined) {
      required.push(input.name);
    }
  });
  const outputs: Record<string, JsonSchema> = {};
  for (const output of connector.def.response.outputs) {
    outputs[output.name] = { description: output.label ?? output.name };
  }
  const readOnly = isReadOnly(connector);
  const description =
    connector.def.agent?.description ?? (connector.def.description || connector.def.name);
  return {
    name: connector.def.agent?.toolName ?? connector.id.replaceAll('-', '_'),
    connectorId: connector.id,
    title: connector.def.name,
    description:
      systems.length > 1
        ? `${description} Give either ${systems.map((system) => TARGET_ARGUMENTS[system].name).join(' or ')}.`
        : description,
    systems,
    inputSchema: {
      type: 'object',
      properties,
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        outcome: {
          type: 'string',
          enum: ['success', 'empty', 'failed'],
          description: 'success: found or done; empty: nothing found; failed: it did not work.',
        },
        message: { type: 'string', description: 'One sentence to tell the customer or agent.' },
        outputs: { type: 'object', properties: outputs },
        link: {
          type: 'object',
          properties: { label: { type: 'string' }, url: { type: 'string' } },
        },
        runId: { type: 'string' },
      },
      required: ['outcome', 'message', 'outputs', 'runId'],
    },
    annotations: {
      readOnlyHint: readOnly,
      destructiveHint: !readOnly,
      idempotentHint: connector.idempotent,
      openWorldHint: true,
    },
    needsConfirmation: connector.confirm,
    requiresVerification: connector.def.verification !== undefined,
  };
}

function targetProperties(systems: readonly TargetSystemName[]): Record<string, JsonSchema> {
  return Object.fromEntries(
    systems.map((system) => [
      TARGET_ARGUMENTS[system].name,
      { ...TARGET_ARGUMENTS[system].schema },
    ]),
  );
}

/** The verification tools for these tools, when one of them needs a verified customer. */
export function describeVerificationTools(
  tools: ReadonlyMap<string, AgentTool>,
  rules: VerificationRules,
): VerificationTools | undefined {
  const protectedTools = [...tools.values()].filter((tool) => tool.requiresVerification);
  if (protectedTools.length === 0) return undefined;
  const systems = [...new Set(protectedTools.flatMap((tool) => tool.systems))];
  const required = systems.length === 1 ? [TARGET_ARGUMENTS[systems[0] ?? 'zendesk'].name] : [];
  const names = protectedTools.map((tool) => tool.name).join(', ');
  const digits = rules.codeDigits;
  const example = '042917385'.padEnd(digits, '0').slice(0, digits);
  return {
    systems,
    send: {
      name: 'send_verification_code',
      title: 'Send a verification code',
      // It sends an email: not read-only, yet it changes nothing a later call could not redo.
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
      description: `Sends a ${digits}-digit code to the email address the helpdesk has for the customer on this ticket (never to an address from the conversation). Call it before ${names}, which reveal the customer's personal data, then ask the customer for the code from their email. The code is valid ${describeLifetime(rules.codeValidSeconds)}.`,
      inputSchema: {
        type: 'object',
        properties: targetProperties(systems),
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
      },
    },
    check: {
      name: 'check_verification_code',
      title: 'Check a verification code',
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      description: `Checks the ${digits}-digit code the customer read from their email. ${rules.maxTries} wrong code${rules.maxTries === 1 ? '' : 's'} lock it; then send a new one.`,
      inputSchema: {
        type: 'object',
        properties: {
          ...targetProperties(systems),
          code: {
            type: 'string',
            pattern: `^[0-9]{${digits}}$`,
            description: `The ${digits} digits, e.g. "${example}".`,
          },
        },
        required: [...required, 'code'],
        additionalProperties: false,
      },
    },
  };
}

/** The tools one agent key may see, by tool name. */
export function describeAgentTools(
  config: CompiledConfig,
  key: AgentKeyRecord,
  connected: readonly string[],
): Map<string, AgentTool> {
  const tools = new Map<string, AgentTool>();
  for (const connector of config.connectors.values()) {
    if (!keyAllowsConnector(key, connector.id)) continue;
    const tool = describeAgentTool(connector, connected);
    if (tool && !tools.has(tool.name)) tools.set(tool.name, tool);
  }
  return tools;
}
