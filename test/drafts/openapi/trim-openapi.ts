import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * Trims a published OpenAPI 3 document to the operations a test drafts from, keeping each kept
 * object exactly as published: the operations, every component they reference (transitively) and
 * the security schemes they name. Everything else is removed, so the test data stays small and
 * still says what the real document says.
 *
 * npx tsx test/drafts/openapi/trim-openapi.ts <in.json|yaml> <out.json> '<source JSON>' 'POST /path' …
 */
type Json = Record<string, unknown>;

export function trimOpenApi(doc: Json, operations: string[], source: Json): Json {
  const paths: Record<string, Json> = {};
  for (const operation of operations) {
    const [method = '', path = ''] = operation.split(' ');
    const item = (doc.paths as Record<string, Json>)[path];
    const op = item?.[method.toLowerCase()];
    if (!op) throw new Error(`no ${operation} in the document`);
    paths[path] = { ...paths[path], [method.toLowerCase()]: op };
  }

  const kept = new Map<string, Set<string>>();
  const schemes = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/components/')) {
        const [, , kind = '', name = ''] = inner.split('/');
        const names = kept.get(kind) ?? new Set<string>();
        if (names.has(name)) continue;
        names.add(name);
        kept.set(kind, names);
        visit((doc.components as Record<string, Json>)[kind]?.[name]);
      } else if (key === 'security' && Array.isArray(inner)) {
        for (const requirement of inner)
          Object.keys(requirement as Json).forEach((s) => schemes.add(s));
      } else visit(inner);
    }
  };
  visit(paths);
  (doc.security as Json[] | undefined)?.forEach((r) =>
    Object.keys(r).forEach((s) => schemes.add(s)),
  );

  const components = doc.components as Record<string, Json>;
  const trimmedComponents: Record<string, Json> = {};
  for (const [kind, names] of kept) {
    trimmedComponents[kind] = Object.fromEntries(
      Object.keys(components[kind] ?? {})
        .filter((name) => names.has(name))
        .map((name) => [name, components[kind]?.[name]]),
    );
  }
  trimmedComponents.securitySchemes = Object.fromEntries(
    Object.entries(components.securitySchemes ?? {}).filter(([name]) => schemes.has(name)),
  );
  const { openapi, info, servers, security } = doc;
  return {
    openapi,
    info,
    'x-trimmed-from': { ...source, operations },
    servers,
    ...(security ? { security } : {}),
    paths,
    components: trimmedComponents,
  };
}

const [input, output, source, ...operations] = process.argv.slice(2);
if (input && output && source) {
  const text = readFileSync(input, 'utf8');
  const doc = (text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text)) as Json;
  const trimmed = trimOpenApi(doc, operations, JSON.parse(source) as Json);
  writeFileSync(output, `${JSON.stringify(trimmed, null, 2)}\n`);
}
