import type { Result } from '../../../shared/src/result';

/**
 * What a backfill accepts as `--soql`: one SELECT whose fields include Id, from one of the
 * objects the connector applies to. Anything else is refused before it reaches Salesforce: the
 * query runs with the server's integration user, so an admin's typo must not become a
 * different query (there is no DML in SOQL, but a query over another object would run the
 * connector on records it was never meant for).
 */
const SELECT_PATTERN =
  /^SELECT\s+(?<fields>[\w.,\s]+?)\s+FROM\s+(?<object>[A-Za-z][\w]*)(?<rest>(?:\s[\s\S]*)?)$/i;

export function checkSoql(
  raw: string,
  objectTypes: readonly string[],
): Result<{ soql: string; objectType: string }, string> {
  const soql = raw.trim();
  if (soql.length === 0 || soql.length > 4_000) {
    return { ok: false, error: 'The SOQL query must be 1 to 4,000 characters.' };
  }
  if (soql.includes(';')) return { ok: false, error: 'The SOQL query must be one statement.' };
  const match = SELECT_PATTERN.exec(soql);
  if (!match?.groups) {
    return { ok: false, error: 'Only a SELECT query is accepted: SELECT Id FROM Case WHERE …' };
  }
  const fields = (match.groups.fields as string).split(',').map((field) => field.trim());
  if (!fields.some((field) => field.toLowerCase() === 'id')) {
    return { ok: false, error: 'The query must select Id: SELECT Id FROM … ' };
  }
  const object = match.groups.object as string;
  const known = objectTypes.find((type) => type.toLowerCase() === object.toLowerCase());
  if (objectTypes.length > 0 && !known) {
    return {
      ok: false,
      error: `The connector runs on ${objectTypes.join(', ')}, not ${object}.`,
    };
  }
  if (/\bFOR\s+(UPDATE|VIEW|REFERENCE)\b/i.test(match.groups.rest ?? '')) {
    return {
      ok: false,
      error: 'FOR UPDATE, VIEW or REFERENCE is not accepted in a backfill query.',
    };
  }
  return { ok: true, value: { soql, objectType: known ?? object } };
}
