import * as z from 'zod';

/**
 * Turns zod issues into messages and one-line fixes for admins editing JSON by hand. Zod says
 * what is wrong; admins also need to know what is allowed there, so we look the expected shape
 * up in the schema itself (allowed keys, enum values, descriptions) rather than keeping a second
 * list that could drift from it.
 */

export interface DescribedIssue {
  path: (string | number)[];
  message: string;
  hint: string;
}

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

/**
 * Describes every issue of a failed `safeParse`, splitting multi-key issues so each unknown key
 * gets its own path.
 *
 * @example
 * const result = connectorConfigSchema.safeParse(data);
 * if (!result.success) describeZodIssues(result.error.issues, connectorConfigSchema, data);
 * // [{ path: ['connectors', 0, 'request', 'pth'], message: 'Unknown key "pth"',
 * //    hint: 'did you mean "path"? allowed keys: method, path, query, headers, body' }]
 */
export function describeZodIssues(
  issues: readonly Issue[],
  root: Schema,
  input: unknown,
): DescribedIssue[] {
  return issues.flatMap((issue) => describeZodIssue(issue, root, input));
}

function describeZodIssue(issue: Issue, root: Schema, input: unknown): DescribedIssue[] {
  const path = issue.path.filter(
    (segment): segment is string | number => typeof segment !== 'symbol',
  );
  const value = readAt(input, path);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeysAt(root, input, path);
      return issue.keys.map((key) => {
        const suggestion = suggestClosest(key, allowed);
        const list = allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : '';
        return {
          path: [...path, key],
          message: `Unknown key ${JSON.stringify(key)}`,
          hint: suggestion
            ? `did you mean ${JSON.stringify(suggestion)}? ${list}`.trim()
            : `remove it; ${list}`.replace(/; $/, ''),
        };
      });
    }

    case 'invalid_value': {
      const options = issue.values.map((option) => String(option));
      const suggestion = typeof value === 'string' ? suggestClosest(value, options) : undefined;
      return [
        {
          path,
          message: issue.message,
          hint: `${suggestion ? `did you mean ${JSON.stringify(suggestion)}? ` : ''}use one of ${options.join(', ')}`,
        },
      ];
    }

    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = ('options' in issue ? (issue.options ?? []) : []).map((option) =>
          String(option),
        );
        const key = issue.discriminator;
        const missing = !hasKey(readAt(input, path.slice(0, -1)), key);
        const suggestion = typeof value === 'string' ? suggestClosest(value, options) : undefined;
        return [
          {
            path,
            message: missing
              ? `Missing required field ${JSON.stringify(key)}`
              : `Invalid ${JSON.stringify(key)}: expected one of ${options.map((option) => JSON.stringify(option)).join(' | ')}`,
            hint: missing
              ? `add "${key}": one of ${options.join(', ')}`
              : `${suggestion ? `did you mean ${JSON.stringify(suggestion)}? ` : ''}use one of ${options.join(', ')}`,
          },
        ];
      }
      const expected = [
        ...new Set(
          issue.errors.flatMap((branch) =>
            branch
              .filter((inner) => inner.code === 'invalid_type' && inner.path.length === 0)
              .map((inner) => describeType((inner as z.core.$ZodIssueInvalidType).expected)),
          ),
        ),
      ];
      const key = path[path.length - 1];
      if (typeof key === 'string' && !hasKey(readAt(input, path.slice(0, -1)), key)) {
        return [
          {
            path,
            message: `Missing required field ${JSON.stringify(key)}`,
            hint: `add "${key}": ${expected.length > 0 ? joinAlternatives(expected) : '…'}`,
          },
        ];
      }
      return [
        {
          path,
          message: `Invalid value: got ${describeValue(value)}`,
          hint:
            expected.length > 0
              ? `use ${joinAlternatives(expected)}`
              : 'check the value against the JSON Schema (shared/schema/connectors.schema.json)',
        },
      ];
    }

    case 'invalid_key': {
      const key = path[path.length - 1];
      const inner = issue.issues[0];
      const reason = inner && !inner.message.startsWith('Invalid') ? inner.message : undefined;
      const pattern = inner && 'pattern' in inner ? String(inner.pattern) : undefined;
      return [
        {
          path,
          message: `Invalid key ${JSON.stringify(key)}`,
          hint: reason ?? (pattern ? `use a key matching ${pattern}` : 'rename the key'),
        },
      ];
    }

    case 'invalid_type': {
      const key = path[path.length - 1];
      const parent = readAt(input, path.slice(0, -1));
      if (key !== undefined && typeof key === 'string' && !hasKey(parent, key)) {
        const description = schemaAt(root, input, path)?.description;
        return [
          {
            path,
            message: `Missing required field ${JSON.stringify(key)}`,
            hint: `add "${key}": ${placeholderFor(issue.expected)}${description ? ` (${description})` : ''}`,
          },
        ];
      }
      return [
        {
          path,
          message: `Expected ${describeType(issue.expected)}, got ${describeValue(value)}`,
          hint: hintForWrongType(issue.expected, value),
        },
      ];
    }

    case 'invalid_format': {
      if (issue.format === 'url') {
        return [
          {
            path,
            message: `Invalid URL ${JSON.stringify(value)}`,
            hint: 'use an absolute http:// or https:// URL, e.g. "https://api.example.com/v1"',
          },
        ];
      }
      const custom = !issue.message.startsWith('Invalid');
      return [
        {
          path,
          message: `Invalid value ${JSON.stringify(value)}`,
          hint: custom
            ? issue.message
            : issue.format === 'regex' && 'pattern' in issue
              ? `use a value matching ${String(issue.pattern)}`
              : `use a valid ${issue.format}`,
        },
      ];
    }

    case 'too_small':
    case 'too_big': {
      const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const bound = issue.code === 'too_small' ? 'at least' : 'at most';
      const n = Number(limit);
      const hint =
        issue.origin === 'string'
          ? `use ${bound} ${n} character${n === 1 ? '' : 's'}`
          : issue.origin === 'array' || issue.origin === 'set'
            ? `use ${bound} ${n} item${n === 1 ? '' : 's'}`
            : `use a number ${issue.code === 'too_small' ? '>=' : '<='} ${n}`;
      return [{ path, message: issue.message, hint }];
    }

    default:
      return [
        {
          path,
          message: issue.message,
          hint: 'check the value against the JSON Schema (shared/schema/connectors.schema.json)',
        },
      ];
  }
}

/**
 * The closest candidate within a small edit distance, so a typo gets a suggestion but an
 * unrelated key does not get a misleading one.
 */
export function suggestClosest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const exactIgnoringCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (exactIgnoringCase) return exactIgnoringCase;
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = measureEditDistance(lower, candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Damerau-Levenshtein (optimal string alignment): a swapped pair of letters costs one edit. */
export function measureEditDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return at(a.length, b.length);
}

function readAt(input: unknown, path: readonly (string | number)[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function hasKey(value: unknown, key: string): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.prototype.hasOwnProperty.call(value, key)
  );
}

/** Strips wrappers that do not change the shape admins write. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodNullable
    ) {
      current = current.unwrap() as Schema;
    } else if (current instanceof z.ZodLazy) {
      current = current.unwrap() as Schema;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as Schema;
    } else {
      return current;
    }
  }
}

/**
 * The schema a path points at. Discriminated unions are resolved with the admin's own value of
 * the discriminator, so the allowed keys are those of the variant they chose.
 */
function schemaAt(
  root: Schema,
  input: unknown,
  path: readonly (string | number)[],
): (Schema & { description?: string }) | undefined {
  let schema: Schema | undefined = root;
  let value = input;
  for (const segment of path) {
    if (!schema) return undefined;
    const resolved = resolveVariant(unwrap(schema), value);
    if (resolved instanceof z.ZodObject) {
      schema = (resolved.shape as Record<string, Schema>)[String(segment)];
    } else if (resolved instanceof z.ZodArray) {
      schema = resolved.element as Schema;
    } else if (resolved instanceof z.ZodRecord) {
      schema = resolved.valueType as Schema;
    } else {
      return undefined;
    }
    value = readAt(value, [segment]);
  }
  return schema;
}

function resolveVariant(schema: Schema, value: unknown): Schema {
  if (!(schema instanceof z.ZodDiscriminatedUnion)) return schema;
  const discriminator = schema.def.discriminator;
  const chosen = readAt(value, [discriminator]);
  for (const option of schema.options as readonly Schema[]) {
    const variant = unwrap(option);
    if (!(variant instanceof z.ZodObject)) continue;
    const tag = (variant.shape as Record<string, Schema>)[discriminator];
    if (tag instanceof z.ZodLiteral && tag.values.has(chosen as z.core.util.Literal)) {
      return variant;
    }
  }
  return schema;
}

function objectKeysAt(root: Schema, input: unknown, path: readonly (string | number)[]): string[] {
  const schema = schemaAt(root, input, path);
  if (!schema) return [];
  const resolved = resolveVariant(unwrap(schema), readAt(input, path));
  return resolved instanceof z.ZodObject ? Object.keys(resolved.shape) : [];
}

function describeType(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'record':
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'null':
      return 'null';
    default:
      return `a ${expected}`;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(truncate(value, 40))}`;
  return `the ${typeof value} ${String(value)}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function placeholderFor(expected: string): string {
  switch (expected) {
    case 'string':
      return '"…"';
    case 'number':
    case 'int':
      return '<number>';
    case 'boolean':
      return 'true or false';
    case 'array':
      return '[ … ]';
    case 'object':
    case 'record':
      return '{ … }';
    default:
      return '…';
  }
}

function hintForWrongType(expected: string, value: unknown): string {
  if ((expected === 'number' || expected === 'int') && typeof value === 'string') {
    if (value.trim() !== '' && Number.isFinite(Number(value))) {
      return `remove the quotes: write ${Number(value)}, not "${value}"`;
    }
  }
  if (expected === 'int' && typeof value === 'number') {
    return `use a whole number, e.g. ${Math.round(value)}`;
  }
  if (expected === 'boolean' && (value === 'true' || value === 'false')) {
    return `remove the quotes: write ${value}, not "${value}"`;
  }
  if (expected === 'array' && value !== null && value !== undefined && !Array.isArray(value)) {
    return 'wrap the value in [ ], e.g. [ … ]';
  }
  if ((expected === 'record' || expected === 'object') && Array.isArray(value)) {
    return 'use an object { "key": value } instead of a list [ … ]';
  }
  return `use ${describeType(expected)}, e.g. ${placeholderFor(expected)}`;
}

function joinAlternatives(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
