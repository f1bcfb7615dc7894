import type { FailureKind } from '../../../shared/src/config/failure-kinds';
import type { compile as compileJmesPath } from '@jmespath-community/jmespath';
import type {
  AppliesWhen,
  Connection,
  Connector,
  ConnectorAlerts,
  ConnectorConfig,
  ConnectorInput,
  ConnectorOutput,
} from '../../../shared/src/config/connector-config-schema';
import type { Result } from '../../../shared/src/result';
import type { LinearPattern } from '../inputs/linear-pattern';
import type { ParsedTemplate } from './template';
import type { AuthWith } from '../request/auth/auth-kinds';
import type { CompiledMacro, CompiledWorkflow } from './compile-workflows';

/**
 * The compiled form of a config: what the executor runs on. Types only (plus the JMESPath node
 * type), so every part of the compiler and the runtime can name them without importing code.
 */

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
  hint: string;
  severity: 'error' | 'warning';
}

/** A JSON value whose string leaves are templates. */
export type CompiledJson =
  | { kind: 'template'; template: ParsedTemplate }
  | { kind: 'literal'; value: null | number | boolean }
  | { kind: 'array'; items: CompiledJson[] }
  | { kind: 'object'; entries: [string, CompiledJson][] };

/** The connection's auth with its template fields parsed (request/auth/auth-kinds.ts). */
export type CompiledAuth = AuthWith<ParsedTemplate>;

export interface CompiledConnection {
  id: string;
  def: Connection;
  baseUrl: URL;
  allowedHosts: string[];
  headers: [string, ParsedTemplate][];
  auth: CompiledAuth;
  secretNames: string[];
}

export interface CompiledInput {
  def: ConnectorInput;
  /**
   * `def.source` as a list, in the order they are tried (empty when the input has none). Code
   * that reads sources uses this, never `def.source`, which may be a string or a list.
   */
  sources: readonly string[];
  /** `sources` each helpdesk can read, by helpdesk (the others' sources read as nothing). */
  sourcesOn: Readonly<Record<string, readonly string[]>>;
  /** Checked in linear time (RE2), whatever the pattern and the value. */
  pattern: LinearPattern | undefined;
  /**
   * The pattern as the apps may check it in the browser (a backtracking engine): undefined when
   * JavaScript cannot compile it or it could make a browser hang; the server checks it anyway.
   */
  browserPattern: string | undefined;
}

export interface CompiledOutput {
  def: ConnectorOutput;
  expression: ExpressionNode;
}

/**
 * A write, by helpdesk: each helpdesk's group as its own write compiler made it
 * (helpdesks/<name>/<name>-config.ts), read only by that helpdesk's adapter.
 */
export type CompiledWrite = Readonly<Record<string, unknown>>;

export type CompiledBody =
  | { type: 'json'; value: CompiledJson }
  | { type: 'form'; value: [string, ParsedTemplate][] }
  | { type: 'text'; value: ParsedTemplate; contentType: string };

/** An answer that reports its own failure (`response.failWhen`), compiled. */
export interface CompiledFailWhen {
  when: ExpressionNode;
  message: ExpressionNode | undefined;
  kind:
    | { path: ExpressionNode; kinds: Readonly<Record<string, FailureKind>>; otherwise: FailureKind }
    | undefined;
}

export interface CompiledConnector {
  id: string;
  def: Connector;
  /** Where it is offered, by helpdesk (flat keys moved into their groups): what the helpdesks read. */
  appliesWhen: AppliesWhen;
  connection: CompiledConnection;
  confirm: boolean;
  /** GET, HEAD, PUT and DELETE may be repeated without a second side effect. */
  idempotent: boolean;
  inputs: CompiledInput[];
  request: {
    method: Connector['request']['method'];
    path: ParsedTemplate;
    query: [string, ParsedTemplate][];
    headers: [string, ParsedTemplate][];
    body: CompiledBody | undefined;
  };
  response: {
    root: ExpressionNode | undefined;
    /** `failWhen` with its message and kind rules; undefined when the connector has none. */
    failWhen: CompiledFailWhen | undefined;
    emptyWhen: ExpressionNode | undefined;
    outputs: CompiledOutput[];
  };
  writeBack: { success?: CompiledWrite; empty?: CompiledWrite; failure?: CompiledWrite };
  messages: {
    success?: ParsedTemplate;
    empty?: ParsedTemplate;
    failure?: ParsedTemplate;
    failures: Partial<Record<FailureKind, ParsedTemplate>>;
  };
  /** A link to what a successful run made (`link` in the config), rendered from its outputs. */
  link: { label: ParsedTemplate; url: ParsedTemplate } | undefined;
  /** Set when the connector cannot run as configured (a secret is missing); shown, not hidden. */
  unavailable: { code: string; message: string } | undefined;
  /** When its failures alert an admin (server/src/alerts/), checked; undefined: never. */
  alerts: ConnectorAlerts | undefined;
}

export interface CompiledConfig {
  connections: ReadonlyMap<string, CompiledConnection>;
  connectors: ReadonlyMap<string, CompiledConnector>;
  workflows: ReadonlyMap<string, CompiledWorkflow>;
  macros: ReadonlyMap<string, CompiledMacro>;
  source: ConnectorConfig;
}

/** A config that compiled, and what the admin should still look at. */
export interface CompileSuccess<TCompiled = CompiledConfig> {
  compiled: TCompiled;
  warnings: ConfigIssue[];
}

/** A config that did not compile: every issue found (warnings too), so one edit can fix all. */
export interface CompileFailure {
  issues: ConfigIssue[];
}

export type CompileConfigResult = Result<CompileSuccess, CompileFailure>;

export type Path = (string | number)[];
/** The compiled form of a JMESPath expression (the library does not export the type). */
export type ExpressionNode = ReturnType<typeof compileJmesPath>;
