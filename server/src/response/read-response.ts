import { TreeInterpreter } from '@jmespath-community/jmespath';
import type {
  CompiledConnector,
  CompiledFailWhen,
  CompiledOutput,
  ExpressionNode,
} from '../compile/compiled-model';
import type { Result } from '../../../shared/src/result';
import type { FailureKind } from '../../../shared/src/config/failure-kinds';

/**
 * Reads an upstream answer into the connector's outputs. Status decides the path first (empty
 * statuses such as 404, then success statuses, anything else fails); then `failWhen`, `emptyWhen`
 * and `root` are evaluated; then each output is extracted with its compiled JMESPath and coerced.
 */

export interface UpstreamAnswer {
  status: number;
  contentType: string | null;
  json: unknown;
  bodyText: string;
}

export type ResponseReading =
  | { outcome: 'success'; outputs: Record<string, unknown>; warnings: string[] }
  | { outcome: 'empty'; outputs: Record<string, unknown>; reason: string; warnings: string[] }
  | {
      outcome: 'failed';
      error: {
        code: 'UPSTREAM_HTTP_ERROR' | 'UPSTREAM_INVALID_RESPONSE' | 'UPSTREAM_REPORTED_ERROR';
        message: string;
        status: number;
        /** For UPSTREAM_REPORTED_ERROR: the kind `response.failureKind` sorted it into. */
        kind?: FailureKind;
        /** For UPSTREAM_REPORTED_ERROR: the API's own error text (`response.failureMessage`). */
        upstreamError?: string;
      };
    };

type JsonValue = Parameters<typeof TreeInterpreter.search>[1];

export type Evaluation = Result<unknown, { message: string }>;

/**
 * JMESPath functions throw on a type they do not take (`length(null)` when the API left a key
 * out); that is an answer of an unexpected shape, not a bug in the server.
 */
function evaluate(expression: ExpressionNode, data: unknown): Evaluation {
  try {
    return { ok: true, value: TreeInterpreter.search(expression, data as JsonValue) };
  } catch (error) {
    return { ok: false, error: { message: (error as Error).message } };
  }
}

/** JMESPath truthiness: false, null, and empty strings, arrays and objects are false. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

export type CoercedOutput = Result<unknown, { message: string }>;

export function coerceOutput(output: CompiledOutput, value: unknown): CoercedOutput {
  if (value === null || value === undefined) return { ok: true, value: null };
  switch (output.def.type) {
    case 'json':
      return { ok: true, value };
    case 'string':
      if (typeof value === 'object') return { ok: true, value: JSON.stringify(value) };
      return { ok: true, value: String(value) };
    case 'number':
    case 'integer': {
      const number =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      if (typeof value === 'string' && value.trim() === '') return { ok: true, value: null };
      if (!Number.isFinite(number))
        return { ok: false, error: { message: `expected a number, got ${typeof value}` } };
      if (output.def.type === 'integer' && !Number.isInteger(number)) {
        return { ok: false, error: { message: `expected a whole number, got ${number}` } };
      }
      return { ok: true, value: number };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      // The same words inputs accept, so a value can round-trip between connectors.
      if (typeof value === 'string' && /^(true|yes|on|1)$/i.test(value))
        return { ok: true, value: true };
      if (typeof value === 'string' && /^(false|no|off|0)$/i.test(value))
        return { ok: true, value: false };
      if (value === 1 || value === 0) return { ok: true, value: value === 1 };
      return {
        ok: false,
        error: { message: `expected true or false, got ${JSON.stringify(value).slice(0, 40)}` },
      };
    case 'date': {
      const date =
        typeof value === 'number'
          ? new Date(value < 1e12 ? value * 1000 : value)
          : new Date(String(value));
      if (Number.isNaN(date.getTime())) return { ok: false, error: { message: 'expected a date' } };
      // Zendesk date fields take YYYY-MM-DD; Salesforce Date fields too.
      return { ok: true, value: date.toISOString().slice(0, 10) };
    }
  }
}

function describeBody(answer: UpstreamAnswer): string {
  const type = answer.contentType ?? 'no content type';
  return `${type}${answer.bodyText ? `, starting ${JSON.stringify(answer.bodyText.slice(0, 60))}` : ', empty body'}`;
}

const MAX_UPSTREAM_ERROR = 300;

/**
 * Upstream text on its way into messages and the run log: control characters (a newline that
 * would fake a second log line, terminal escapes) become spaces, and it is cut to 300 characters,
 * like the error text the status path quotes.
 */
export function sanitizeUpstreamText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return plain.length > MAX_UPSTREAM_ERROR ? `${plain.slice(0, MAX_UPSTREAM_ERROR - 1)}…` : plain;
}

/** A JMESPath result as words: strings as they are, numbers, lists of either joined. */
function describeFound(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(describeFound).filter(Boolean).join('; ');
  if (value && typeof value === 'object') return JSON.stringify(value);
  return '';
}

/**
 * The failure an answer reports about itself (`failWhen` was truthy): its own error text and the
 * kind its error code maps to. A message or kind path that cannot be evaluated falls back (the
 * usual error keys, `otherwise`): the answer already said it failed, and that stays the outcome.
 */
function readReportedFailure(
  failWhen: CompiledFailWhen,
  answer: UpstreamAnswer,
): Extract<ResponseReading, { outcome: 'failed' }> {
  const found = failWhen.message ? evaluate(failWhen.message, answer.json) : undefined;
  const text = sanitizeUpstreamText(
    found?.ok ? describeFound(found.value) : upstreamErrorMessage(answer),
  );
  let kind: FailureKind = 'rejected';
  if (failWhen.kind) {
    const code = evaluate(failWhen.kind.path, answer.json);
    const key = code.ok ? describeFound(code.value) : '';
    kind = Object.hasOwn(failWhen.kind.kinds, key)
      ? (failWhen.kind.kinds[key] as FailureKind)
      : failWhen.kind.otherwise;
  }
  return {
    outcome: 'failed',
    error: {
      code: 'UPSTREAM_REPORTED_ERROR',
      status: answer.status,
      message: `the API answered ${answer.status} but reported an error${text ? `: ${text}` : ''}`,
      kind,
      ...(text ? { upstreamError: text } : {}),
    },
  };
}

function upstreamErrorMessage(answer: UpstreamAnswer): string {
  const json = answer.json as unknown;
  // Salesforce answers errors as a list: [{"errorCode": "NOT_FOUND", "message": "…"}].
  if (Array.isArray(json)) {
    return json
      .filter((entry): entry is Record<string, unknown> => !!entry && typeof entry === 'object')
      .map((entry) =>
        [entry.errorCode, entry.message]
          .filter((part) => typeof part === 'string' && part)
          .join(': '),
      )
      .filter(Boolean)
      .join('; ')
      .slice(0, 300);
  }
  if (json && typeof json === 'object') {
    const record = json as Record<string, unknown>;
    for (const key of [
      'message',
      'error_description',
      'error',
      'errors',
      'errorMessages',
      'detail',
    ]) {
      const value = record[key];
      if (typeof value === 'string' && value) return value.slice(0, 300);
      if (Array.isArray(value) && value.length) return value.map(String).join('; ').slice(0, 300);
      if (value && typeof value === 'object') {
        // Google: {"error": {"code": 409, "message": "The requested identifier already exists."}}
        const inner = (value as Record<string, unknown>).message;
        if (typeof inner === 'string' && inner) return inner.slice(0, 300);
        // Jira and others: {"errors": {"summary": "You must specify a summary."}}
        const parts = Object.entries(value as Record<string, unknown>)
          .filter(([, text]) => typeof text === 'string' && text)
          .map(([field, text]) => `${field}: ${String(text)}`);
        if (parts.length) return parts.join('; ').slice(0, 300);
      }
    }
  }
  return '';
}

const NAMED_PATHS = 5;

/** "no output path found a value: order_id (orders[0].id), status (…)": what to look at. */
function describeNoValue(outputs: readonly CompiledOutput[]): string {
  const named = outputs
    .slice(0, NAMED_PATHS)
    .map((output) => `${output.def.name} (${output.def.path})`);
  const more = outputs.length > NAMED_PATHS ? ` and ${outputs.length - NAMED_PATHS} more` : '';
  return `no output path found a value in the answer: ${named.join(', ')}${more}`;
}

/**
 * One rule `readResponse` evaluated, in order, with what it found: for `connectors check`, which
 * shows an admin each path against a real answer without reading it a second way.
 */
export type ResponseStep =
  | { rule: 'failWhen' | 'emptyWhen' | 'root'; expression: string; evaluation: Evaluation }
  | { rule: 'output'; output: CompiledOutput; evaluation: Evaluation; coerced?: CoercedOutput };

/** What the status alone decides: `empty` (emptyStatus), `read` (a success status) or `failed`. */
export function classifyStatus(
  connector: CompiledConnector,
  status: number,
): 'empty' | 'read' | 'failed' {
  const { emptyStatus, successStatus } = connector.def.response;
  if (emptyStatus.includes(status)) return 'empty';
  const success = successStatus ? successStatus.includes(status) : status >= 200 && status < 300;
  return success ? 'read' : 'failed';
}

export function readResponse(
  connector: CompiledConnector,
  answer: UpstreamAnswer,
  observe?: (step: ResponseStep) => void,
): ResponseReading {
  const { response, def } = connector;
  const byStatus = classifyStatus(connector, answer.status);
  if (byStatus === 'empty') {
    return {
      outcome: 'empty',
      outputs: {},
      reason: `the API answered ${answer.status}, which response.emptyStatus (${def.response.emptyStatus.join(', ')}) counts as nothing found`,
      warnings: [],
    };
  }
  if (byStatus === 'failed') {
    const detail = upstreamErrorMessage(answer);
    return {
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_HTTP_ERROR',
        status: answer.status,
        message: `the API answered ${answer.status}${detail ? `: ${detail}` : ''}`,
      },
    };
  }
  const needsJson =
    response.outputs.length > 0 || response.failWhen || response.emptyWhen || response.root;
  if (needsJson && answer.json === undefined) {
    if (answer.status === 204 || answer.bodyText === '') {
      return {
        outcome: 'empty',
        outputs: {},
        reason: `the API answered ${answer.status} with an empty body`,
        warnings: [],
      };
    }
    return {
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_INVALID_RESPONSE',
        status: answer.status,
        message: `expected a JSON response, got ${describeBody(answer)}`,
      },
    };
  }
  const unexpectedShape = (what: string, message: string): ResponseReading => ({
    outcome: 'failed',
    error: {
      code: 'UPSTREAM_INVALID_RESPONSE',
      status: answer.status,
      message: `the response did not have the expected shape (${what}: ${message})`,
    },
  });
  if (response.failWhen) {
    const failed = evaluate(response.failWhen.when, answer.json);
    observe?.({ rule: 'failWhen', expression: def.response.failWhen ?? '', evaluation: failed });
    if (!failed.ok) return unexpectedShape('failWhen', failed.error.message);
    if (isTruthy(failed.value)) return readReportedFailure(response.failWhen, answer);
  }
  if (response.emptyWhen) {
    const empty = evaluate(response.emptyWhen, answer.json);
    observe?.({ rule: 'emptyWhen', expression: def.response.emptyWhen ?? '', evaluation: empty });
    if (!empty.ok) return unexpectedShape('emptyWhen', empty.error.message);
    if (isTruthy(empty.value)) {
      return {
        outcome: 'empty',
        outputs: {},
        reason: `response.emptyWhen (${def.response.emptyWhen ?? ''}) was true for the answer`,
        warnings: [],
      };
    }
  }
  let root = answer.json;
  if (response.root) {
    const selected = evaluate(response.root, answer.json);
    observe?.({ rule: 'root', expression: def.response.root ?? '', evaluation: selected });
    if (!selected.ok) return unexpectedShape('root', selected.error.message);
    root = selected.value;
    if (root === null || root === undefined) {
      return {
        outcome: 'empty',
        outputs: {},
        reason: `response.root (${def.response.root ?? ''}) found nothing in the answer`,
        warnings: [],
      };
    }
  }
  const outputs: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const output of response.outputs) {
    const found = evaluate(output.expression, root);
    if (!found.ok) {
      observe?.({ rule: 'output', output, evaluation: found });
      outputs[output.def.name] = null;
      warnings.push(`output ${output.def.name}: ${found.error.message}`);
      continue;
    }
    const coerced = coerceOutput(output, found.value);
    observe?.({ rule: 'output', output, evaluation: found, coerced });
    if (coerced.ok) {
      outputs[output.def.name] = coerced.value;
    } else {
      outputs[output.def.name] = null;
      warnings.push(`output ${output.def.name}: ${coerced.error.message}`);
    }
  }
  const found = Object.values(outputs).some((value) => value !== null);
  if (response.outputs.length > 0 && !found) {
    return { outcome: 'empty', outputs, reason: describeNoValue(response.outputs), warnings };
  }
  return { outcome: 'success', outputs, warnings };
}
