import { fromJsonSchema } from '@modelcontextprotocol/server';
import type { JsonSchemaType, StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';

/**
 * A tool's JSON Schemas, compiled for the MCP SDK. This module loads the SDK, so /mcp and the
 * agent actions import it on first use, not at startup (serve-mcp.ts says why).
 */

type ToolSchema = StandardSchemaWithJSON<Record<string, unknown>, Record<string, unknown>>;

/** Distinct tool schemas kept compiled; past this (config edits over a long life) all start afresh. */
const MAX_COMPILED_SCHEMAS = 500;

/**
 * The SDK's standard schema for a tool's JSON Schema, compiled once per distinct schema.
 * `fromJsonSchema` compiles with AJV when it is called, and AJV keeps every schema object it
 * compiled for the life of its instance. /mcp builds its server afresh for each request, and the
 * agent actions check each call's arguments, each time with new schema objects: compiled there,
 * a call to /mcp cost about 5 ms of CPU more and kept about 17 KB for good (docs/performance.md,
 * "MCP tool calls"). Starting afresh drops the old AJV instance with its cache; a request still
 * holding one of its schemas keeps only that.
 */
export function createSchemaCompiler(): (schema: JsonSchemaType) => ToolSchema {
  let validator = new AjvJsonSchemaValidator();
  const compiled = new Map<string, ToolSchema>();
  return (schema) => {
    const text = JSON.stringify(schema);
    let standard = compiled.get(text);
    if (standard === undefined) {
      if (compiled.size >= MAX_COMPILED_SCHEMAS) {
        compiled.clear();
        validator = new AjvJsonSchemaValidator();
      }
      standard = fromJsonSchema<Record<string, unknown>>(schema, validator);
      compiled.set(text, standard);
    }
    return standard;
  };
}
