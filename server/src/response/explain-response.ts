import type { CompiledConnector } from '../compile/compiled-model';
import { coerceOutput, evaluate, isTruthy, readResponse } from './read-response';
import type { ResponseReading, UpstreamAnswer } from './read-response';

/**
 * What each rule of a connector's `response` makes of one answer: the status rule, `emptyWhen`,
 * `root` and every output path, with the value each found. `readResponse` gives the outcome; this
 * shows the admin why, so a typo in a path (`fields.state.name`) is visible against a real answer
 * instead of turning every run into "nothing found".
 */

export interface PathExplanation {
  /** `response.emptyWhen`, `response.root`, or `outputs.<name>`. */
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
  const reading = readResponse(connector, answer);
  const { def, response } = connector;
  const status = { code: answer.status, effect: describeStatus(connector, answer.status) };
  if (reading.outcome === 'failed' || def.response.emptyStatus.includes(answer.status)) {
    return { status, paths: [], reading };
  }
  const paths: PathExplanation[] = [];
  if (response.emptyWhen && def.response.emptyWhen !== undefined) {
    const result = evaluate(response.emptyWhen, answer.json);
    paths.push(
      result.ok
        ? {
            rule: 'response.emptyWhen',
            expression: def.response.emptyWhen,
            found: result.value,
            effect: isTruthy(result.value)
              ? 'so the run is "nothing found" and nothing below is read'
              : 'so the answer is read',
          }
        : {
            rule: 'response.emptyWhen',
            expression: def.response.emptyWhen,
            problem: result.error.message,
            effect: 'so the run fails: the answer does not have the expected shape',
          },
    );
    if (!result.ok || isTruthy(result.value)) return { status, paths, reading };
  }
  let root: unknown = answer.json;
  if (response.root && def.response.root !== undefined) {
    const result = evaluate(response.root, answer.json);
    root = result.ok ? result.value : undefined;
    paths.push({
      rule: 'response.root',
      expression: def.response.root,
      ...(result.ok ? { found: result.value } : { problem: result.error.message }),
      effect: !result.ok
        ? 'so the run fails: the answer does not have the expected shape'
        : isNothing(result.value)
          ? 'so the run is "nothing found" and the outputs are not read'
          : 'the outputs below are read from it',
    });
    if (!result.ok || isNothing(result.value)) return { status, paths, reading };
  }
  for (const output of response.outputs) {
    const rule = `outputs.${output.def.name}`;
    const result = evaluate(output.expression, root);
    if (!result.ok) {
      paths.push({
        rule,
        expression: output.def.path,
        problem: result.error.message,
        effect: 'so the output is null',
      });
      continue;
    }
    const coerced = coerceOutput(output, result.value);
    paths.push({
      rule,
      expression: output.def.path,
      found: result.value,
      ...(coerced.ok ? {} : { problem: coerced.error.message }),
      effect: !coerced.ok
        ? `not a ${output.def.type}, so the output is null`
        : isNothing(coerced.value) || JSON.stringify(coerced.value) === JSON.stringify(result.value)
          ? ''
          : `read as ${output.def.type}: ${JSON.stringify(coerced.value)}`,
    });
  }
  return { status, paths, reading };
}

function describeStatus(connector: CompiledConnector, status: number): string {
  const { emptyStatus, successStatus } = connector.def.response;
  if (emptyStatus.includes(status)) return `in response.emptyStatus: the run is "nothing found"`;
  const success = successStatus ? successStatus.includes(status) : status >= 200 && status < 300;
  if (success) return successStatus ? 'in response.successStatus: the answer is read' : 'success';
  return 'not a success status: the run fails';
}
