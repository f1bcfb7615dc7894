import type { CompiledConnector } from '../compile/compiled-model';
import { classifyStatus, isTruthy, readResponse } from './read-response';
import type { ResponseReading, ResponseStep, UpstreamAnswer } from './read-response';

/**
 * What each rule of a connector's `response` makes of one answer: the status rule, `failWhen`,
 * `emptyWhen`,
 * `root` and every output path, with the value each found. `readResponse` gives the outcome; this
 * shows the admin why, so a typo in a path (`fields.state.name`) is visible against a real answer
 * instead of turning every run into "nothing found".
 */

export interface PathExplanation {
  /** `response.failWhen`, `response.emptyWhen`, `response.root`, or `outputs.<name>`. */
  rule: string;
  expression: string;
  /** What the expression found; undefined when it could not be evaluated. */
  found?: unknown;
  /** The JMESPath error, or why the value could not be read as the output's type. */
  problem?: string;
  /** What the rule's result means for the run, in words (empty when it is the value itself). */
  effect: string;
}

export interface ResponseExplanation {
  status: { code: number; effect: string };
  paths: PathExplanation[];
  reading: ResponseReading;
}

const isNothing = (value: unknown) => value === null || value === undefined;

export function explainResponse(
  connector: CompiledConnector,
  answer: UpstreamAnswer,
): ResponseExplanation {
  const steps: ResponseStep[] = [];
  const reading = readResponse(connector, answer, (step) => steps.push(step));
  const status = { code: answer.status, effect: describeStatus(connector, answer.status) };
  // A failed reading is explained by its error (the status, or an answer of another shape);
  // an answer that reported its own failure is explained by the failWhen rule that saw it.
  if (reading.outcome === 'failed') {
    const reported = reading.error.code === 'UPSTREAM_REPORTED_ERROR';
    return { status, paths: reported ? steps.map(explainStep) : [], reading };
  }
  return { status, paths: steps.map(explainStep), reading };
}

function explainStep(step: ResponseStep): PathExplanation {
  const { evaluation } = step;
  if (step.rule !== 'output') {
    const rule = `response.${step.rule}`;
    if (!evaluation.ok) {
      return {
        rule,
        expression: step.expression,
        problem: evaluation.error.message,
        effect: 'so the run fails: the answer does not have the expected shape',
      };
    }
    const found = evaluation.value;
    if (step.rule === 'failWhen') {
      return {
        rule,
        expression: step.expression,
        found,
        effect: isTruthy(found)
          ? 'so the run fails: the answer reports an error'
          : 'so the answer is not a reported error',
      };
    }
    if (step.rule === 'emptyWhen') {
      return {
        rule,
        expression: step.expression,
        found,
        effect: isTruthy(found)
          ? 'so the run is "nothing found" and nothing below is read'
          : 'so the answer is read',
      };
    }
    return {
      rule,
      expression: step.expression,
      found,
      effect: isNothing(found)
        ? 'so the run is "nothing found" and the outputs are not read'
        : 'the outputs below are read from it',
    };
  }
  const { output, coerced } = step;
  const rule = `outputs.${output.def.name}`;
  if (!evaluation.ok) {
    return {
      rule,
      expression: output.def.path,
      problem: evaluation.error.message,
      effect: 'so the output is null',
    };
  }
  return {
    rule,
    expression: output.def.path,
    found: evaluation.value,
    ...(coerced && !coerced.ok ? { problem: coerced.error.message } : {}),
    effect:
      coerced && !coerced.ok
        ? `not a ${output.def.type}, so the output is null`
        : !coerced ||
            isNothing(coerced.value) ||
            JSON.stringify(coerced.value) === JSON.stringify(evaluation.value)
          ? ''
          : `read as ${output.def.type}: ${JSON.stringify(coerced.value)}`,
  };
}

const STATUS_EFFECTS = {
  empty: 'in response.emptyStatus: the run is "nothing found"',
  read: 'success',
  failed: 'not a success status: the run fails',
} as const;

function describeStatus(connector: CompiledConnector, status: number): string {
  const byStatus = classifyStatus(connector, status);
  if (byStatus === 'read' && connector.def.response.successStatus) {
    return 'in response.successStatus: the answer is read';
  }
  return STATUS_EFFECTS[byStatus];
}
