import type { Result } from '../../../shared/src/result';
import { memoizePerObject } from '../../../shared/src/memoize-per-object';
import type { RunResultView } from '../../../shared/src/api/api-contracts';
import type { ConnectorRun } from './connector-run';
import type { CompiledConfig, CompiledConnector, CompiledWrite } from '../compile/compiled-model';
import { renderTemplateText } from '../compile/template';
import type { TemplateScope } from '../compile/template';
import type { InputProblem } from '../inputs/resolve-inputs';
import { resolveInputs } from '../inputs/resolve-inputs';
import type { Logger } from '../logging/logger';
import type { Redactor } from '../logging/redact';
import { formatIsoTime } from '../logging/format-iso-time';
import { createRunRedaction } from '../logging/run-redaction';
import type { RunRedaction } from '../logging/run-redaction';
import { renderRunLink } from './render-run-link';
import { FAILURE_KINDS, failureKindOf } from '../../../shared/src/config/failure-kinds';
import type { FailureKind } from '../../../shared/src/config/failure-kinds';
import { mapObjectValues } from '../logging/map-values';
import { REDACTED_MASK, renderRequest } from '../render/render-request';
import type { AuthConfig, OutboundRequest, SendError, SendResult } from '../request/request-types';
import { readResponse } from '../response/read-response';
import type { ResponseReading } from '../response/read-response';
import type {
  ConnectorRunRecord,
  RunActor,
  RunRecord,
  RunSource,
  TargetSystem,
} from '../run-log/run-record';
import { capRunRecord } from '../run-log/cap-run-record';
import { recordRun } from '../run-log/record-run';
import { createRunId } from '../run-log/run-record';
import type { RunLogStore } from '../run-log/run-record';
import { humanizeName } from '../../../shared/src/humanize-name';
import type { Helpdesks, LoadedTarget, LoadRequest, WriteResult } from './helpdesk-port';
import { describePause } from './connector-pauses';
import type { ConnectorPauses } from './connector-pauses';

/**
 * The run pipeline: load the ticket → resolve inputs → render the request → send it → read the
 * response → write back → log. Failures the caller can fix (unknown connector, missing input,
 * no confirmation) come back as refusals before anything is sent; from the moment the external
 * system is called, every run ends as success, empty or failed and is recorded, including a
 * write-back that did not land.
 */

export interface RunRequest {
  connectorId: string;
  /** Which helpdesk holds the target. */
  system: TargetSystem;
  targetId: string;
  /**
   * How the helpdesk loads the target (its type, a comment, who runs it, who asks, what the
   * caller may do): passed to it as is (helpdesk-port.ts).
   */
  load?: Omit<LoadRequest, 'connectorId' | 'sources'>;
  inputs: Record<string, unknown>;
  confirmed: boolean;
  dryRun: boolean;
  /** The helpdesk's id (its app asked), or `automation` (a workflow or macro step). */
  surface: string;
  source: RunSource;
  actor: RunActor;
  idempotencyKey?: string;
  /**
   * Input values supplied by a workflow or macro step (any input, not only prompts). Only for
   * `surface: 'automation'`: they come from the server's config, never from a request body.
   */
  inputOverrides?: Record<string, unknown>;
  /** Skip the connector's own write-back (a workflow's write steps do the writing). */
  skipWriteBack?: boolean;
  /**
   * Called once, just before the request goes upstream: everything earlier was a refusal that
   * sent nothing. The idempotency layer marks the key sent so it is never released for a resend.
   */
  onSending?: (runId: string) => Promise<void>;
}

export type RefusalCode =
  | 'CONFIG_UNAVAILABLE'
  | 'CONNECTOR_NOT_FOUND'
  | 'CONNECTOR_DISABLED'
  | 'CONNECTOR_PAUSED'
  | 'CONNECTOR_SURFACE_MISMATCH'
  | 'CONNECTOR_NOT_APPLICABLE'
  | 'CONFIRMATION_REQUIRED'
  | 'TICKET_EDIT_FORBIDDEN'
  | 'INPUT_INVALID'
  | 'TICKET_NOT_FOUND'
  | 'RECORD_NOT_FOUND'
  | 'HELPDESK_NOT_CONFIGURED'
  | 'COMMENT_NOT_FOUND'
  | 'AGENT_NOT_FOUND'
  | 'HELPDESK_UNAVAILABLE'
  | 'HELPDESK_AUTH_FAILED'
  | 'CONNECTION_BUSY';

export interface Refusal {
  code: RefusalCode;
  message: string;
  details?: unknown;
  retryAfterSeconds?: number;
}

/** A run that happened (whatever its outcome), or a refusal before anything was sent. */
export type RunConnectorResult = Result<ConnectorRun, Refusal>;

export interface SendUpstream {
  (connector: CompiledConnector, request: OutboundRequest, auth: AuthConfig): Promise<SendResult>;
}

export interface RunDeps {
  config: () => CompiledConfig | undefined;
  /** The helpdesks this server is connected to (one, or both). */
  helpdesks: Helpdesks;
  secrets: (names: readonly string[]) => Record<string, string>;
  send: SendUpstream;
  /** Refuses quickly when a connection already has too many runs waiting. */
  acquireSlot: (connector: CompiledConnector) => Promise<(() => void) | undefined>;
  runLog: RunLogStore;
  logger: Logger;
  redactor: Redactor;
  /** Connectors an alert paused (server/src/alerts/); none when the server runs no alerts. */
  pauses?: ConnectorPauses;
  now?: () => number;
}

const MAX_LOGGED_BODY = 16 * 1024;
const DEFAULT_MESSAGES = {
  success: 'Done.',
  empty: 'Nothing was found.',
  failure: 'The connector failed: {{error.message}}',
};

function refusal(code: RefusalCode, message: string, details?: unknown): RunConnectorResult {
  return { ok: false, error: { code, message, ...(details === undefined ? {} : { details }) } };
}

function messageFor(
  connector: CompiledConnector,
  outcome: 'success' | 'empty' | 'failure',
  scope: TemplateScope,
): string {
  if (outcome === 'failure') return failureMessage(connector, scope);
  const template = connector.messages[outcome];
  if (template) return renderTemplateText(template, scope);
  return DEFAULT_MESSAGES[outcome];
}

/**
 * The agent's words for a failure: the connector's message for this kind of failure, else its
 * `messages.failure`, else plain words for the kind; only a failure of no known kind (the server
 * refused before sending) shows the error's own message.
 */
function failureMessage(connector: CompiledConnector, scope: TemplateScope): string {
  const error = scope.error as
    { code?: string; message?: string; status?: number; kind?: FailureKind } | undefined;
  // An answer that reported its own error was sorted by response.failureKind already.
  const kind = error?.kind ?? failureKindOf(error?.code ?? '', error?.status);
  const own = kind ? connector.messages.failures[kind] : undefined;
  if (own) return renderTemplateText(own, scope);
  if (connector.messages.failure) return renderTemplateText(connector.messages.failure, scope);
  const plain = kind ? FAILURE_KINDS[kind].message : null;
  return plain ?? `The connector failed: ${error?.message ?? 'unknown error'}`;
}

/** Values of the inputs or outputs the config marks `redact`, masked by name whatever they hold. */
export function maskNamed(
  values: Record<string, unknown>,
  names: ReadonlySet<string>,
): Record<string, unknown> {
  if (names.size === 0) return values;
  return mapObjectValues(values, (value, name) =>
    names.has(name) && value !== null && value !== undefined ? REDACTED_MASK : value,
  );
}

/** Per compiled connector, which never changes: asked several times by every run. */
export const redactedOutputNames = memoizePerObject(
  (connector: CompiledConnector): ReadonlySet<string> =>
    new Set(connector.response.outputs.filter((o) => o.def.redact).map((o) => o.def.name)),
);

/**
 * A copy that shares no memory with the text it came from. V8 makes a slice of a long string a
 * view into it, so the 16 KiB excerpt kept for the run log would keep the whole response (up to
 * maxResponseBytes) alive until the run ends (measured: a 16 KiB slice held a 19 MiB body). The
 * JSON round trip builds a fresh string and keeps lone surrogates as they were.
 */
function copyText(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** Whether any outcome of a connector writes to the ticket or record. */
export function writesBack(connector: CompiledConnector): boolean {
  return Object.values(connector.writeBack).some((write) => write !== undefined);
}

function inputProblemsMessage(problems: InputProblem[]): string {
  return problems.map((problem) => problem.message).join('; ');
}

interface InternalError {
  code: 'INTERNAL_ERROR';
  message: string;
  status?: number;
}

const INTERNAL_ERROR: InternalError = {
  code: 'INTERNAL_ERROR',
  message:
    'the request was sent, but the server failed while handling the answer; see the server log',
};

type UpstreamCall =
  | { ok: false; error: Refusal }
  | {
      ok: true;
      reading: ResponseReading | { outcome: 'failed'; error: SendError | InternalError };
      status: number | undefined;
      attempts: number;
      /** The run record's copy of the response: headers and the first 16 KiB, redacted values masked. */
      loggedResponse: RunRecord['response'];
      /** The run's redaction policy, now that its outputs are known. */
      redaction: RunRedaction;
    };

/**
 * Sends the request under the connection's slot and reads the answer into outputs. Only what the
 * rest of the run needs leaves this function: the response text and its parsed JSON (up to
 * maxResponseBytes, several times that once parsed) become garbage here, before the run waits on
 * the helpdesk for the write-back, so a run waiting there holds its outputs and not its response.
 */
async function callUpstream(
  deps: RunDeps,
  connector: CompiledConnector,
  rendered: { request: OutboundRequest; auth: AuthConfig },
  inputs: { values: Record<string, unknown>; redacted: ReadonlySet<string> },
  onSending: () => Promise<void>,
): Promise<UpstreamCall> {
  const release = await deps.acquireSlot(connector);
  if (!release) {
    return {
      ok: false,
      error: {
        code: 'CONNECTION_BUSY',
        message: `Too many runs are waiting on connection "${connector.connection.id}"; try again shortly.`,
        retryAfterSeconds: 1,
      },
    };
  }
  let sent: SendResult;
  try {
    await onSending();
    sent = await deps.send(connector, rendered.request, rendered.auth);
  } finally {
    release();
  }

  let reading: ResponseReading | { outcome: 'failed'; error: SendError | InternalError };
  try {
    reading = sent.ok
      ? readResponse(connector, {
          status: sent.status,
          contentType: sent.contentType,
          json: sent.json,
          bodyText: sent.bodyText,
        })
      : { outcome: 'failed', error: sent.error };
  } catch (error) {
    // A bug, but the request was sent: the run must still end with a record, not a 500.
    deps.logger.error('reading an upstream answer failed inside the server', {
      error,
      connectorId: connector.id,
    });
    reading = { outcome: 'failed', error: INTERNAL_ERROR };
  }
  const outputs = reading.outcome === 'failed' ? {} : reading.outputs;
  const bodyText = sent.bodyText ?? '';
  const redaction = createRunRedaction(deps.redactor, [
    ...[...redactedOutputNames(connector)].map((name) => outputs[name]),
    ...[...inputs.redacted].map((name) => inputs.values[name]),
  ]);
  return {
    ok: true,
    reading,
    status: sent.status,
    attempts: sent.attempts.length,
    redaction,
    // Properties before the spreads: see "Object literals on the run path" in docs/performance.md.
    loggedResponse: {
      // Only an excerpt can be a view into a larger body; a whole body is copied for nothing.
      body:
        bodyText.length > MAX_LOGGED_BODY
          ? copyText(redaction.text(bodyText.slice(0, MAX_LOGGED_BODY)))
          : redaction.text(bodyText),
      truncated: bodyText.length > MAX_LOGGED_BODY,
      ...(sent.status === undefined ? {} : { status: sent.status }),
      ...(sent.headers ? { headers: redaction.deep(sent.headers) } : {}),
    },
  };
}

export async function runConnector(
  deps: RunDeps,
  request: RunRequest,
): Promise<RunConnectorResult> {
  const now = deps.now ?? Date.now;
  const config = deps.config();
  if (!config) {
    return refusal(
      'CONFIG_UNAVAILABLE',
      'No valid connector configuration is loaded; see /health.',
    );
  }
  const connector = config.connectors.get(request.connectorId);
  if (!connector) {
    return refusal('CONNECTOR_NOT_FOUND', `There is no connector "${request.connectorId}".`);
  }
  if (!connector.def.enabled) {
    return refusal('CONNECTOR_DISABLED', `Connector "${connector.id}" is disabled.`);
  }
  // A draft does not exist for anyone but the admin testing it: a dry run, sending only if asked.
  if (connector.def.draft && !(request.dryRun && request.actor.kind === 'admin')) {
    return refusal(
      'CONNECTOR_NOT_FOUND',
      `There is no connector "${request.connectorId}" (it is a draft: an admin can test it with a dry run; set "draft": false to publish it).`,
    );
  }
  // Paused by an alert until an admin resumes it. The admin may still dry-run it, to see whether
  // the other system is back before resuming.
  if (deps.pauses?.isPaused(connector.id) && !(request.dryRun && request.actor.kind === 'admin')) {
    const paused = describePause(connector.def.name);
    return refusal(paused.code, paused.message);
  }
  if (!connector.def.surfaces.includes(request.surface)) {
    return refusal(
      'CONNECTOR_SURFACE_MISMATCH',
      `Connector "${connector.id}" is not offered on ${request.surface}.`,
    );
  }
  // Anything that calls the external system with side effects needs the agent's explicit
  // confirmation, dry runs included: a dry run still sends the request.
  if (connector.confirm && !request.confirmed) {
    return refusal(
      'CONFIRMATION_REQUIRED',
      `Connector "${connector.id}" changes data in another system; send "confirmed": true to run it.`,
    );
  }

  const helpdesk = deps.helpdesks.get(request.system);
  if (!helpdesk) {
    return refusal(
      'HELPDESK_NOT_CONFIGURED',
      `This server has no "${request.system}" helpdesk configured.`,
    );
  }
  const loaded = await helpdesk.load(request.targetId, {
    connectorId: connector.id,
    ...request.load,
  });
  if (!loaded.ok) return refusal(loaded.error.code, loaded.error.message);
  const target = loaded.value;
  if (request.surface !== 'automation' && !target.applies(connector.appliesWhen)) {
    return refusal(
      'CONNECTOR_NOT_APPLICABLE',
      `Connector "${connector.id}" does not apply to this ${target.target.type}.`,
    );
  }
  if (!target.viewerMayEdit && writesBack(connector) && !request.dryRun && !request.skipWriteBack) {
    return refusal(
      'TICKET_EDIT_FORBIDDEN',
      helpdesk.editForbiddenMessage(`Connector "${connector.id}"`, target.target.type),
    );
  }
  if (request.inputOverrides && request.surface !== 'automation') {
    throw new Error('runConnector: inputOverrides are only for automation runs');
  }
  const resolved = resolveInputs(connector, target.read, request.inputs, request.inputOverrides);
  if (!resolved.ok) {
    const { problems } = resolved.error;
    return refusal('INPUT_INVALID', inputProblemsMessage(problems), problems);
  }
  const inputs = resolved.value;

  const startedAtMs = now();
  const runId = createRunId(startedAtMs);
  const actor: RunActor = target.agent
    ? { kind: 'agent', id: target.agent.id, name: target.agent.name, email: target.agent.email }
    : request.actor;
  const connectionValues = connector.connection.def.variables;
  const base = {
    id: runId,
    kind: 'connector' as const,
    connectorId: connector.id,
    source: request.source,
    actor,
    target: target.target,
    dryRun: request.dryRun,
    inputs: maskNamed(inputs.values, inputs.redacted),
    startedAt: formatIsoTime(startedAtMs),
    ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
  };
  const scopeBase = { inputs: inputs.values, connection: connectionValues };
  const redactedOutputs = redactedOutputNames(connector);

  /**
   * Everything that leaves the server from here on goes through `redaction`: the record (with
   * credential-looking keys masked too), the answer, the message and, before this, the scope the
   * write-back and the message were rendered from.
   */
  const finish = async (
    redaction: RunRedaction,
    parts: Omit<ConnectorRunRecord, keyof typeof base | 'durationMs'>,
    view: {
      upstreamOutcome: RunResultView['upstreamOutcome'];
      outputs: Record<string, unknown>;
      error?: { code: string; message: string };
    },
  ): Promise<RunConnectorResult> => {
    const durationMs = Math.max(0, now() - startedAtMs);
    const record = capRunRecord(
      redaction.deep(
        {
          // A key before the spreads, here and in the scopes below: "Object literals on the
          // run path" in docs/performance.md.
          durationMs,
          ...base,
          ...parts,
          ...(view.upstreamOutcome === parts.outcome
            ? {}
            : { upstreamOutcome: view.upstreamOutcome }),
        } as RunRecord,
        { byKey: true },
      ),
    );
    await recordRun(deps, record, 'run');
    deps.logger.info('connector run', {
      runId,
      connectorId: connector.id,
      outcome: record.outcome,
      errorCode: record.errorCode,
      target: record.target,
      durationMs,
      attempts: record.attempts,
      writes: record.writes.status,
    });
    const run: ConnectorRun = {
      runId,
      connectorId: connector.id,
      outcome: record.outcome,
      upstreamOutcome: view.upstreamOutcome,
      upstreamStatus: record.response?.status,
      message: record.message,
      ...(view.error ? { error: redaction.deep(view.error) } : {}),
      outputs: connector.response.outputs
        .filter((output) => Object.hasOwn(view.outputs, output.def.name))
        .map((output) => {
          const value = view.outputs[output.def.name];
          const redacted = redactedOutputs.has(output.def.name);
          return {
            name: output.def.name,
            label: output.def.label ?? humanizeName(output.def.name),
            value: redacted && value !== null ? REDACTED_MASK : redaction.deep(value),
            redacted,
          };
        }),
      writes: record.writes,
      dryRun: request.dryRun,
      durationMs,
      attempts: record.attempts,
      // From what the log keeps, so the list's "already done" shows the same link later.
      link:
        view.upstreamOutcome === 'success' && !request.dryRun
          ? renderRunLink(connector, record)
          : undefined,
    };
    return { ok: true, value: run };
  };

  if (connector.unavailable) {
    const error = connector.unavailable;
    const redaction = createRunRedaction(
      deps.redactor,
      [...inputs.redacted].map((name) => inputs.values[name]),
    );
    return finish(
      redaction,
      {
        outcome: 'failed',
        errorCode: error.code,
        message: messageFor(connector, 'failure', redaction.deep({ error, ...scopeBase })),
        outputs: {},
        writes: { status: 'skipped', changes: null },
        attempts: 0,
      },
      { upstreamOutcome: 'failed', outputs: {}, error },
    );
  }

  const secrets = deps.secrets(connector.connection.secretNames);
  const rendered = renderRequest(connector, { secrets, ...scopeBase }, inputs.redacted);
  if (!rendered.ok) {
    return refusal('INPUT_INVALID', rendered.error.message, [
      { code: rendered.error.code, message: rendered.error.message },
    ]);
  }

  const called = await callUpstream(deps, connector, rendered.value, inputs, async () => {
    await request.onSending?.(runId);
  });
  if (!called.ok) return { ok: false, error: called.error };
  const { reading, attempts, loggedResponse, redaction } = called;
  let writeStarted = false;
  const finishSentRun = async (): Promise<RunConnectorResult> => {
    const loggedRequest = redaction.deep(rendered.value.censored);

    /**
     * Renders the write from the redacted scope and sends exactly that: what the run log records
     * as written is byte for byte what the helpdesk received.
     */
    const writeFor = async (
      spec: CompiledWrite | undefined,
      safeScope: TemplateScope,
    ): Promise<WriteResult> => {
      if (request.skipWriteBack || !spec) return { ok: true, written: false, changes: null };
      if (request.dryRun) return helpdesk.preview(spec, safeScope);
      writeStarted = true;
      return helpdesk.write(target, spec, safeScope);
    };
    const writesRecord = (result: WriteResult): RunRecord['writes'] => {
      if (!result.ok) return { status: 'failed', changes: result.changes, error: result.error };
      if (request.dryRun)
        return { status: result.changes === null ? 'none' : 'skipped', changes: result.changes };
      return { status: result.written ? 'written' : 'none', changes: result.changes };
    };

    if (reading.outcome === 'failed') {
      const error = {
        code: reading.error.code,
        message: reading.error.message,
        status: reading.error.status ?? called.status,
        ...('kind' in reading.error && reading.error.kind ? { kind: reading.error.kind } : {}),
      };
      const upstreamError =
        'upstreamError' in reading.error ? reading.error.upstreamError : undefined;
      const safeScope = redaction.deep({ error, ...scopeBase });
      const write = await writeFor(connector.writeBack.failure, safeScope);
      return finish(
        redaction,
        {
          outcome: 'failed',
          errorCode: error.code,
          message: messageFor(connector, 'failure', safeScope),
          ...(upstreamError === undefined ? {} : { upstreamError }),
          request: loggedRequest,
          response: loggedResponse,
          outputs: {},
          writes: writesRecord(write),
          attempts,
        },
        {
          upstreamOutcome: 'failed',
          outputs: {},
          error: { code: error.code, message: error.message },
        },
      );
    }

    const outcome = reading.outcome;
    const outputs = reading.outputs;
    const safeScope = redaction.deep({ outputs, ...scopeBase });
    const write = await writeFor(connector.writeBack[outcome], safeScope);
    const message = messageFor(connector, outcome, safeScope);
    // What the run sent and got, as every record of this exchange logs it.
    const exchange = {
      ...(reading.warnings.length ? { warnings: reading.warnings } : {}),
      // Names the rule, never a value: an admin reads it to fix a path, not to see data.
      ...(reading.outcome === 'empty' ? { emptyReason: reading.reason } : {}),
      request: loggedRequest,
      response: loggedResponse,
      outputs: maskNamed(outputs, redactedOutputs),
      writes: writesRecord(write),
      attempts,
    };
    if (!write.ok) {
      // The external call worked; the ticket was not updated. Say exactly that.
      const error = {
        code: 'WRITE_BACK_FAILED',
        message: `The ${outcome === 'success' ? 'external call succeeded' : 'external call found nothing'}, but the ${target.target.type} was not updated: ${write.error.message}`,
      };
      const notSaved = connector.messages.failures.notSaved;
      const message = notSaved
        ? renderTemplateText(notSaved, redaction.deep({ ...safeScope, error }))
        : error.message;
      return finish(
        redaction,
        { outcome: 'failed', errorCode: error.code, message, ...exchange },
        { upstreamOutcome: outcome, outputs, error },
      );
    }
    return finish(
      redaction,
      { outcome, message, ...exchange },
      { upstreamOutcome: outcome, outputs },
    );
  };

  // From here on the request was sent: whatever happens, the run ends with a record (and its
  // Idempotency-Key is never released for a resend). A throw here is a bug; it is logged.
  try {
    return await finishSentRun();
  } catch (error) {
    deps.logger.error('a run failed inside the server after its request was sent', {
      error,
      runId,
      connectorId: connector.id,
    });
    return finish(
      redaction,
      {
        outcome: 'failed',
        errorCode: INTERNAL_ERROR.code,
        message: INTERNAL_ERROR.message,
        request: redaction.deep(rendered.value.censored),
        response: loggedResponse,
        outputs: {},
        writes: writeStarted
          ? {
              status: 'failed',
              changes: null,
              error: {
                code: 'WRITE_BACK_UNAVAILABLE',
                message: 'the write-back may or may not have landed',
              },
            }
          : { status: 'skipped', changes: null },
        attempts,
      },
      { upstreamOutcome: 'failed', outputs: {}, error: INTERNAL_ERROR },
    );
  }
}

export type { LoadedTarget };
