import { createConfigSchemas } from '../../../shared/src/config/connector-config-schema';
import type {
  ConfigSchemas,
  HelpdeskConfigParts,
} from '../../../shared/src/config/connector-config-schema';
import type { CompiledJson, Path } from './compiled-model';
import type { IssueCollector } from './config-issues';
import type { ParsedTemplate } from './template';

/**
 * The config format the compiler checks against: the helpdesk-independent parts (connections,
 * requests, responses, steps) and, for each helpdesk the server runs with, what it adds: its
 * write-back group, its `appliesWhen` and trigger groups, and the input sources it reads. Each
 * helpdesk describes its own part in its folder (server/src/helpdesks/<name>/<name>-config.ts);
 * the compiler never names one.
 */

/** What a helpdesk's write compiler is given: parts compiled with the write's reference rules. */
export interface WriteCompileContext {
  /** Where a key of the group was written (inside the group, or flat in the deprecated form). */
  pathOf(key: string): Path;
  template(value: string, path: Path): ParsedTemplate;
  json(value: unknown, path: Path): CompiledJson;
  issues: IssueCollector;
}

/** The input sources a helpdesk reads (`ticket.subject`, `record.Email__c`). */
export interface InputSourceRules {
  /** Whether the source is one of this helpdesk's. */
  owns(source: string): boolean;
  /** The key under which two spellings name one source (Salesforce API names ignore case). */
  identity?(source: string): string;
  /** Sources that exist only when an agent runs it on something chosen (a comment). */
  needsAgentContext?(source: string): boolean;
  /** The sources in words, for the hint of an "unknown input source" error. */
  hint: string;
}

export interface HelpdeskConfigFormat {
  system: string;
  parts: HelpdeskConfigParts;
  /** Compiles this helpdesk's write group; what it returns only this helpdesk's adapter reads. */
  compileWrite(group: Readonly<Record<string, unknown>>, context: WriteCompileContext): unknown;
  sources: InputSourceRules;
}

export interface ConfigFormat {
  schemas: ConfigSchemas;
  helpdesks: readonly HelpdeskConfigFormat[];
}

/** Sources every helpdesk reads: the agent running the connector, as the helpdesk knows them. */
const AGENT_SOURCES = new Set(['agent.id', 'agent.email', 'agent.name']);

export function createConfigFormat(helpdesks: readonly HelpdeskConfigFormat[]): ConfigFormat {
  const seen = new Set<string>();
  for (const helpdesk of helpdesks) {
    // A registry bug, not an admin's: the same helpdesk registered twice.
    if (seen.has(helpdesk.system))
      throw new Error(`helpdesk "${helpdesk.system}" is registered twice`);
    seen.add(helpdesk.system);
  }
  return {
    schemas: createConfigSchemas(
      Object.fromEntries(helpdesks.map((helpdesk) => [helpdesk.system, helpdesk.parts])),
    ),
    helpdesks,
  };
}

export function isAgentSource(source: string): boolean {
  return AGENT_SOURCES.has(source);
}

export function isKnownSource(format: ConfigFormat, source: string): boolean {
  return (
    isAgentSource(source) || format.helpdesks.some((helpdesk) => helpdesk.sources.owns(source))
  );
}

/** The key under which two sources of one input count as the same. */
export function sourceIdentityOf(format: ConfigFormat, source: string): string {
  const owner = format.helpdesks.find((helpdesk) => helpdesk.sources.owns(source));
  return owner?.sources.identity?.(source) ?? source;
}

/**
 * The helpdesks that can read `source`: its owner, or all of them for an agent source. The
 * other helpdesks' sources read as undefined, which lets one input list a source per helpdesk.
 */
export function isReadableOn(format: ConfigFormat, source: string, system: string): boolean {
  if (isAgentSource(source)) return true;
  return (
    format.helpdesks.find((helpdesk) => helpdesk.system === system)?.sources.owns(source) ?? false
  );
}

export function needsAgentContext(format: ConfigFormat, source: string): boolean {
  return (
    isAgentSource(source) ||
    format.helpdesks.some(
      (helpdesk) => helpdesk.sources.owns(source) && helpdesk.sources.needsAgentContext?.(source),
    )
  );
}

/** The sources in words, for hints: each helpdesk's, then the agent's. */
export function describeSources(format: ConfigFormat): string {
  return [
    ...format.helpdesks.map((helpdesk) => helpdesk.sources.hint),
    'agent.<id|email|name>',
  ].join(', ');
}
