import type { CompiledConnector } from '../compile/compiled-model';
import type { ResponseExplanation } from '../response/explain-response';
import { stripControlCharacters } from '../run-log/format-runs';

const VALUE_WIDTH = 100;

/**
 * One connector's response rules against one answer, as `connectors check --ticket` prints it:
 * each rule, its expression, what it found and what that means, then the outcome and its reason.
 */
export function formatExplanation(
  connector: CompiledConnector,
  against: string,
  explanation: ResponseExplanation,
): string {
  const redacted = new Set(
    connector.response.outputs
      .filter((output) => output.def.redact)
      .map((output) => output.def.name),
  );
  const lines = [`${connector.def.id}, against ${against}`];
  lines.push(`  HTTP ${explanation.status.code}: ${explanation.status.effect}`);
  for (const path of explanation.paths) {
    const masked = redacted.has(path.rule.replace(/^outputs\./, ''));
    lines.push(`  ${path.rule}  ${path.expression}`);
    const found =
      'found' in path
        ? masked && path.found != null
          ? '[redacted]'
          : formatFound(path.found)
        : 'could not be read';
    const problem = path.problem ? ` (${path.problem})` : '';
    // The coerced value repeats a redacted output; say only what it means.
    const effect = masked && path.effect.startsWith('read as ') ? '' : path.effect;
    lines.push(`      = ${found}${problem}${effect ? `, ${effect}` : ''}`);
  }
  const { reading } = explanation;
  lines.push(
    reading.outcome === 'failed'
      ? `  outcome: failed, ${reading.error.code}: ${reading.error.message}`
      : reading.outcome === 'empty'
        ? `  outcome: empty (nothing found): ${reading.reason}`
        : '  outcome: success',
  );
  return lines.map(stripControlCharacters).join('\n');
}

function formatFound(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > VALUE_WIDTH ? `${text.slice(0, VALUE_WIDTH - 1)}…` : text;
}
