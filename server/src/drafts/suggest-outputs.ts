import { toSnakeCase } from './snake-case';

/**
 * Suggested outputs from a sample answer: one per scalar field, with the JMESPath path that
 * reads it. An array is offered three ways: its first element's fields, its length, and (for an
 * array of scalars, or of objects with a name-like field) the values joined into one line. The
 * admin keeps the ones they want; each path is one `connectors check --response` will read back.
 */
export interface SuggestedOutput {
  name: string;
  label: string;
  path: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'json';
  /** The value the sample holds there, to choose by. */
  example: unknown;
}

const MAX_SUGGESTIONS = 60;
const MAX_DEPTH = 4;
const NAME_LIKE = ['name', 'title', 'label', 'key', 'id', 'sku', 'email'];

/** A JMESPath identifier, quoted when it is not a bare one. */
function segment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
}

function join(path: string, key: string): string {
  return path === '' ? segment(key) : `${path}.${segment(key)}`;
}

function outputName(parts: string[]): string {
  const name = toSnakeCase(parts.join('_')).slice(0, 60);
  return /^[a-z]/.test(name) ? name : `field_${name}`.slice(0, 63);
}

function labelOf(parts: string[]): string {
  const text = parts
    .join(' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function typeOf(value: unknown): SuggestedOutput['type'] {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'string';
  return 'json';
}

export function suggestOutputs(sample: unknown, root = ''): SuggestedOutput[] {
  const suggestions: SuggestedOutput[] = [];
  const names = new Set<string>();
  const add = (parts: string[], path: string, value: unknown, type = typeOf(value)) => {
    if (suggestions.length >= MAX_SUGGESTIONS) return;
    let name = outputName(parts.length ? parts : ['value']);
    for (let n = 2; names.has(name); n++) name = `${outputName(parts)}_${n}`;
    names.add(name);
    suggestions.push({
      name,
      label: labelOf(parts.length ? parts : ['value']),
      path,
      type,
      example: value,
    });
  };

  const walk = (value: unknown, path: string, parts: string[], depth: number): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      const listPath = path === '' ? '@' : path;
      add([...parts, 'count'], `length(${listPath})`, value.length, 'integer');
      const first = value[0];
      if (first === undefined) return;
      if (typeof first !== 'object' || first === null) {
        if (first !== null && typeof first !== 'object') {
          add(
            parts,
            `join(', ', ${listPath}[].to_string(@))`,
            value.map(String).join(', '),
            'string',
          );
        }
        return;
      }
      const nameKey = NAME_LIKE.find(
        (key) => typeof (first as Record<string, unknown>)[key] === 'string',
      );
      if (nameKey) {
        add(
          [...parts, `${nameKey}s`],
          `join(', ', ${listPath}[].${segment(nameKey)})`,
          value
            .map((item) => (item as Record<string, unknown> | null)?.[nameKey])
            .filter((item) => typeof item === 'string')
            .join(', '),
          'string',
        );
      }
      if (depth < MAX_DEPTH)
        walk(first, `${listPath}[0]`, parts.length ? [...parts, 'first'] : ['first'], depth + 1);
      return;
    }
    if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (depth >= MAX_DEPTH && item !== null && typeof item === 'object') continue;
        walk(item, join(path, key), [...parts, key], depth + 1);
      }
      return;
    }
    add(parts, path === '' ? '@' : path, value);
  };

  walk(sample, root, [], 0);
  return suggestions;
}
