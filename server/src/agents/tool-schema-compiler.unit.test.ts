import { describe, expect, it } from 'vitest';
import { createSchemaCompiler } from './tool-schema-compiler';

const orderArguments = () => ({
  type: 'object',
  properties: { ticket_id: { type: 'string', pattern: '^[0-9]+$' } },
  required: ['ticket_id'],
});

function validate(schema: ReturnType<ReturnType<typeof createSchemaCompiler>>, value: unknown) {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) throw new Error('the schema validated asynchronously');
  return result;
}

/**
 * The MCP server is built afresh for every request, and the SDK's fromJsonSchema compiles with
 * AJV, which keeps every schema object it was given. Compiled per request, that cost CPU and
 * memory on every call for good (docs/performance.md, "MCP tool calls").
 */
describe('createSchemaCompiler', () => {
  it('compiles a schema once, however many equal copies the requests bring', () => {
    const compile = createSchemaCompiler();
    const first = compile(orderArguments());
    expect(compile(orderArguments())).toBe(first);
    expect(compile({ ...orderArguments(), required: [] })).not.toBe(first);
  });

  it('validates with the schema it was given', () => {
    const compile = createSchemaCompiler();
    const schema = compile(orderArguments());
    expect(validate(schema, { ticket_id: '42' })).toEqual({ value: { ticket_id: '42' } });
    expect(validate(schema, { ticket_id: 'forty-two' }).issues?.[0]?.message).toMatch(/pattern/);
    expect(validate(schema, {}).issues?.[0]?.message).toMatch(/ticket_id/);
  });

  it('starts afresh past 500 distinct schemas, and keeps answering', () => {
    const compile = createSchemaCompiler();
    const first = compile(orderArguments());
    for (let index = 0; index < 500; index += 1) {
      compile({ type: 'object', properties: { [`field_${index}`]: { type: 'string' } } });
    }
    const again = compile(orderArguments());
    expect(again).not.toBe(first);
    expect(compile(orderArguments())).toBe(again);
    expect(validate(again, { ticket_id: '7' })).toEqual({ value: { ticket_id: '7' } });
  });
});
