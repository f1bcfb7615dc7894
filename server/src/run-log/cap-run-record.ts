import { mapArrayItems, mapObjectValues } from '../logging/map-values';
import type { RunRecord } from './run-record';

/**
 * Bounds what one run record may hold, so no run (an agent pasting megabytes into a prompt, an
 * upstream answering with a huge field, a long URL) can make the run log, a page of it, or the
 * sidebar's run details large. Every string over its field's limit is cut, and says so:
 * `…[+12345 characters]`. Response bodies were already cut at 16 KiB when the run read them.
 */
export const RUN_RECORD_LIMITS = {
  /** Request and response bodies, and what a write-back sent (notes are long by nature). */
  body: 16 * 1024,
  /** The request URL. */
  url: 4 * 1024,
  /** Every other string: header values, inputs, outputs, messages, errors, warnings. */
  text: 4 * 1024,
  /** Items of any list (warnings, tags, multi-select values). */
  items: 100,
} as const;

export function capText(value: string, limit: number): string {
  return value.length <= limit
    ? value
    : `${value.slice(0, limit)}…[+${value.length - limit} characters]`;
}

function capDeep(value: unknown, limit: number, depth = 0): unknown {
  if (typeof value === 'string') return capText(value, limit);
  if (depth > 20) return value;
  if (Array.isArray(value)) {
    const kept = mapArrayItems(
      value.length > RUN_RECORD_LIMITS.items ? value.slice(0, RUN_RECORD_LIMITS.items) : value,
      (item) => capDeep(item, limit, depth + 1),
    );
    return value.length > RUN_RECORD_LIMITS.items
      ? [...kept, `…[+${value.length - RUN_RECORD_LIMITS.items} items]`]
      : kept;
  }
  if (value && typeof value === 'object') {
    return mapObjectValues(value, (item) => capDeep(item, limit, depth + 1));
  }
  return value;
}

export function capRunRecord(record: RunRecord): RunRecord {
  const { text, body, url } = RUN_RECORD_LIMITS;
  const capped: RunRecord = {
    ...record,
    message: capText(record.message, text),
    inputs: capDeep(record.inputs, text) as RunRecord['inputs'],
    outputs: capDeep(record.outputs, text) as RunRecord['outputs'],
    writes: {
      ...record.writes,
      changes: capDeep(record.writes.changes, body),
      ...(record.writes.error
        ? {
            error: {
              code: record.writes.error.code,
              message: capText(record.writes.error.message, text),
            },
          }
        : {}),
    },
  };
  if (record.warnings) capped.warnings = capDeep(record.warnings, text) as RunRecord['warnings'];
  if (record.request) {
    capped.request = {
      ...record.request,
      url: capText(record.request.url, url),
      headers: capDeep(record.request.headers, text) as Record<string, string>,
      ...(record.request.body === undefined ? {} : { body: capText(record.request.body, body) }),
    };
  }
  if (record.response) {
    capped.response = {
      ...record.response,
      ...(record.response.headers
        ? { headers: capDeep(record.response.headers, text) as Record<string, string> }
        : {}),
      ...(record.response.body === undefined ? {} : { body: capText(record.response.body, body) }),
    };
  }
  return capped;
}
