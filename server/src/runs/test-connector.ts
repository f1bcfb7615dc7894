import type { Result } from '../../../shared/src/result';
import { humanizeName } from '../../../shared/src/humanize-name';
import type { CompiledConnector } from '../compile/compiled-model';
import { prefillInput, resolveInputs } from '../inputs/resolve-inputs';
import { createRunRedaction } from '../logging/run-redaction';
import type { RunRedaction } from '../logging/run-redaction';
import { REDACTED_MASK, renderRequest } from '../render/render-request';
import { explainResponse } from '../response/explain-response';
import type { UpstreamAnswer } from '../response/read-response';
import { capRunRecord } from '../run-log/cap-run-record';
import { recordRun } from '../run-log/record-run';
import { createRunId } from '../run-log/run-record';
import type { RunRecord, TargetSystem } from '../run-log/run-record';
import type { HelpdeskErrorCode } from './helpdesk-port';
import type { ConsoleTestReport, TestedInput } from '../../../shared/src/console/console-contracts';
import { suggestOutputs } from '../drafts/suggest-outputs';
import { maskNamed, redactedOutputNames } from './run-connector';
import type { RunDeps } from './run-connector';

/**
 * Tests a connector against a real ticket or record without side effects: the inputs as the
 * ticket resolves them, the request exactly as it would go (secrets masked), and, from a pasted
 * answer or one really sent, what each response rule finds and the write-back it would make,
 * field by field with the helpdesk's names. It never writes to the ticket or record; sending
 * (only on request, and confirmed when the connector changes data) is recorded as a dry run.
 */

export interface TestConnectorRequest {
  connectorId: string;
  system: TargetSystem;
  targetId: string;
  /** The record's object where the helpdesk has several (Salesforce). */
  targetType?: string;
  /** Values for `prompt` inputs, as an agent would type them. */
  inputs: Record<string, unknown>;
  mode: 'preview' | 'response' | 'send';
  /** The pasted answer, for `mode: 'response'`. */
  response?: { status: number; body: string; contentType?: string };
  /** Sending a connector that changes data needs this. */
  confirmed: boolean;
  /** Who tests (the run log's actor when a request is sent). */
  actor: { name: string };
}

/** The report's shape is the console's contract (shared/src/console/console-contracts.ts). */
export type ConnectorTestReport = ConsoleTestReport;

export type TestRefusalCode =
  | 'CONFIG_UNAVAILABLE'
  | 'CONNECTOR_NOT_FOUND'
  | 'HELPDESK_NOT_CONFIGURED'
  | 'CONFIRMATION_REQUIRED'
  | 'CONNECTION_BUSY'
  | 'BODY_INVALID'
  | HelpdeskErrorCode;

export type TestConnectorResult = Result<
  ConnectorTestReport,
  { code: TestRefusalCode; message: string }
>;

const BODY_EXCERPT = 4 * 1024;

function refuse(code: TestRefusalCode, message: string): TestConnectorResult {
  return { ok: false, error: { code, message } };
}

/** Whether sending this connector's request may change data in the other system. */
export function hasSideEffects(connector: CompiledConnector): boolean {
  return connector.confirm || !['GET', 'HEAD'].includes(connector.request.method);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Each input with its value and where it came from, problems included. */
function describeInputs(
  connector: CompiledConnector,
  read: (source: string) => unknown,
  typed: Record<string, unknown>,
  resolved: { values: Record<string, unknown>; problems: Map<string, string> },
): TestedInput[] {
  return connector.inputs.map((input) => {
    const { name, label, prompt, redact } = input.def;
    const value = resolved.values[name];
    const from =
      prompt && typed[name] !== undefined && typed[name] !== ''
        ? 'typed'
        : (input.sources.find((source) => {
            const found = read(source);
            return found !== undefined && found !== null && found !== '';
          }) ?? (prefillInput(input, read) !== undefined ? 'default' : undefined));
    return {
      name,
      label: label ?? humanizeName(name),
      ...(value === undefined ? {} : { value: redact ? REDACTED_MASK : value }),
      ...(from === undefined || value === undefined ? {} : { from }),
      ...(resolved.problems.has(name) ? { problem: resolved.problems.get(name) } : {}),
    };
  });
}

export async function testConnector(
  deps: RunDeps,
  request: TestConnectorRequest,
): Promise<TestConnectorResult> {
  const config = deps.config();
  if (!config) return refuse('CONFIG_UNAVAILABLE', 'No valid connector configuration is loaded.');
  const connector = config.connectors.get(request.connectorId);
  if (!connector) {
    return refuse('CONNECTOR_NOT_FOUND', `There is no connector "${request.connectorId}".`);
  }
  const helpdesk = deps.helpdesks.get(request.system);
  if (!helpdesk) {
    return refuse(
      'HELPDESK_NOT_CONFIGURED',
      `This server has no "${request.system}" helpdesk configured.`,
    );
  }
  if (request.mode === 'response' && !request.response) {
    return refuse('BODY_INVALID', 'Paste a response to test with (its status and body).');
  }
  if (request.mode === 'send' && hasSideEffects(connector) && !request.confirmed) {
    return refuse(
      'CONFIRMATION_REQUIRED',
      `Sending "${connector.id}" (${connector.request.method}) may change data in another system; confirm to send it. Nothing is written to the ${request.system === 'zendesk' ? 'ticket' : 'record'} either way.`,
    );
  }
  const loaded = await helpdesk.load(request.targetId, {
    connectorId: connector.id,
    ...(request.targetType === undefined ? {} : { targetType: request.targetType }),
  });
  if (!loaded.ok) return refuse(loaded.error.code, loaded.error.message);
  const target = loaded.value;

  const resolved = resolveInputs(connector, target.read, request.inputs);
  const problems = new Map(
    resolved.ok ? [] : resolved.error.problems.map((problem) => [problem.input, problem.message]),
  );
  // Every input's value, even when another one has a problem: the admin fixes them all at once.
  const values: Record<string, unknown> = {};
  if (resolved.ok) Object.assign(values, resolved.value.values);
  else {
    for (const input of connector.inputs) {
      if (problems.has(input.def.name)) continue;
      const alone = resolveInputs(
        { ...connector, inputs: [input] },
        target.read,
        input.def.prompt && Object.hasOwn(request.inputs, input.def.name)
          ? { [input.def.name]: request.inputs[input.def.name] }
          : {},
      );
      if (alone.ok) Object.assign(values, alone.value.values);
    }
  }
  const report: ConnectorTestReport = {
    connectorId: connector.id,
    name: connector.def.name ?? humanizeName(connector.id),
    draft: connector.def.draft === true,
    target: target.target,
    inputs: describeInputs(connector, target.read, request.inputs, { values, problems }),
    mode: request.mode,
    sent: false,
  };
  if (!resolved.ok) {
    return {
      ok: true,
      value: { ...report, blocked: [...problems.values()].join('; ') },
    };
  }
  const inputs = resolved.value;
  const scopeBase = { inputs: inputs.values, connection: connector.connection.def.variables };
  const rendered = renderRequest(
    connector,
    { ...scopeBase, secrets: deps.secrets(connector.connection.secretNames) },
    inputs.redacted,
  );
  if (!rendered.ok) return { ok: true, value: { ...report, blocked: rendered.error.message } };
  const inputRedaction = createRunRedaction(
    deps.redactor,
    [...inputs.redacted].map((name) => inputs.values[name]),
  );
  const withRequest: ConnectorTestReport = {
    ...report,
    request: inputRedaction.deep(rendered.value.censored, { byKey: true }),
  };
  if (request.mode === 'preview') return { ok: true, value: withRequest };

  let answer: UpstreamAnswer;
  let sendFailure: { code: string; message: string; status?: number } | undefined;
  let runId: string | undefined;
  const startedAtMs = (deps.now ?? Date.now)();
  if (request.mode === 'response') {
    const pasted = request.response as NonNullable<TestConnectorRequest['response']>;
    answer = {
      status: pasted.status,
      contentType: pasted.contentType ?? 'application/json',
      bodyText: pasted.body,
      json: parseJson(pasted.body),
    };
  } else {
    const release = await deps.acquireSlot(connector);
    if (!release) {
      return refuse(
        'CONNECTION_BUSY',
        `Too many runs are waiting on connection "${connector.connection.id}"; try again shortly.`,
      );
    }
    try {
      const sent = await deps.send(connector, rendered.value.request, rendered.value.auth);
      answer = {
        status: sent.status ?? 0,
        contentType: sent.ok ? sent.contentType : null,
        bodyText: sent.bodyText ?? '',
        json: sent.json,
      };
      if (!sent.ok) sendFailure = { code: sent.error.code, message: sent.error.message };
    } finally {
      release();
    }
    runId = createRunId(startedAtMs);
  }

  const explained = sendFailure ? undefined : explainResponse(connector, answer);
  const reading = explained?.reading;
  const outputs = reading && reading.outcome !== 'failed' ? reading.outputs : {};
  // Everything shown from here on passes through the run's redaction: an upstream that echoes
  // a secret, or a redacted output, shows as a mask.
  const redactedOutputs = redactedOutputNames(connector);
  const redaction: RunRedaction = createRunRedaction(deps.redactor, [
    ...[...redactedOutputs].map((name) => outputs[name]),
    ...[...inputs.redacted].map((name) => inputs.values[name]),
  ]);
  const outcome: 'success' | 'empty' | 'failed' = sendFailure
    ? 'failed'
    : (reading?.outcome ?? 'failed');
  const error = sendFailure
    ? sendFailure
    : reading?.outcome === 'failed'
      ? { code: reading.error.code, message: reading.error.message }
      : undefined;
  const writeOutcome = outcome === 'failed' ? 'failure' : outcome;
  const scope = redaction.deep(
    outcome === 'failed'
      ? { ...scopeBase, error: { ...error, status: answer.status } }
      : { ...scopeBase, outputs },
  );
  const preview = helpdesk.preview(connector.writeBack[writeOutcome], scope);
  const described = await helpdesk.describeWrites(preview.changes, target.target.type);
  const shownOutputs = connector.response.outputs.map((output) => ({
    name: output.def.name,
    label: output.def.label ?? humanizeName(output.def.name),
    path: output.def.path,
    value:
      redactedOutputs.has(output.def.name) && outputs[output.def.name] !== null
        ? REDACTED_MASK
        : redaction.deep(outputs[output.def.name] ?? null),
  }));

  if (runId !== undefined) {
    // Sent for real: the log keeps a record, as a dry run (nothing was written back).
    const record = capRunRecord(
      redaction.deep(
        {
          id: runId,
          kind: 'connector',
          connectorId: connector.id,
          source: 'api',
          actor: { kind: 'admin', name: request.actor.name },
          target: target.target,
          outcome,
          ...(error ? { errorCode: error.code } : {}),
          message: `Test from the admin console: ${outcome}${error ? ` (${error.message})` : ''}.`,
          ...(reading?.outcome === 'empty' ? { emptyReason: reading.reason } : {}),
          dryRun: true,
          inputs: maskNamed(inputs.values, inputs.redacted),
          request: rendered.value.censored,
          response: {
            ...(answer.status ? { status: answer.status } : {}),
            body: answer.bodyText.slice(0, 16 * 1024),
            truncated: answer.bodyText.length > 16 * 1024,
          },
          outputs: Object.fromEntries(shownOutputs.map((output) => [output.name, output.value])),
          writes: { status: 'skipped', changes: preview.changes ?? null },
          attempts: 1,
          startedAt: new Date(startedAtMs).toISOString(),
          durationMs: Math.max(0, (deps.now ?? Date.now)() - startedAtMs),
        } as RunRecord,
        { byKey: true },
      ),
    );
    await recordRun(deps, record, 'test run');
  }

  return {
    ok: true,
    value: {
      ...withRequest,
      sent: request.mode === 'send',
      ...(runId === undefined ? {} : { runId }),
      answer: {
        status: answer.status,
        statusEffect: explained?.status.effect ?? 'the request failed before an answer came back',
        outcome,
        ...(reading?.outcome === 'empty' ? { emptyReason: reading.reason } : {}),
        ...(error ? { error: redaction.deep(error) } : {}),
        paths: redaction.deep(explained?.paths ?? []),
        outputs: shownOutputs,
        bodyExcerpt: redaction.text(answer.bodyText.slice(0, BODY_EXCERPT)),
        suggestedOutputs: suggestFromAnswer(connector, answer, explained?.paths ?? [], redaction),
      },
      writeBack: {
        outcome: writeOutcome,
        fields: redaction.deep(described.fields),
        ...(described.note ? { note: described.note } : {}),
        ...(preview.ok ? {} : { error: preview.error }),
      },
    },
  };
}

const SUGGESTED_OUTPUTS = 30;

/**
 * The outputs a tested answer offers. Output paths start where the connector's `root` points,
 * so the suggestions do too when it has one and it found something.
 */
function suggestFromAnswer(
  connector: CompiledConnector,
  answer: UpstreamAnswer,
  paths: readonly { rule: string; found?: unknown }[],
  redaction: RunRedaction,
): NonNullable<ConsoleTestReport['answer']>['suggestedOutputs'] {
  if (answer.json === undefined) return [];
  const root = paths.find((path) => path.rule === 'response.root')?.found;
  const base = root !== undefined && root !== null ? root : answer.json;
  const used = new Set(connector.response.outputs.map((output) => output.def.path));
  return suggestOutputs(base)
    .slice(0, SUGGESTED_OUTPUTS)
    .map((suggestion) => ({
      name: suggestion.name,
      label: suggestion.label,
      path: suggestion.path,
      type: suggestion.type,
      // The example is the upstream's data: masked like the rest of the report.
      example: redaction.deep(suggestion.example),
      used: used.has(suggestion.path),
    }));
}
