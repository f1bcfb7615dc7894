import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONNECTOR_JSON_SCHEMA_PATH, renderConnectorJsonSchema } from './write-json-schema';

describe('connectors JSON Schema', () => {
  it('is committed exactly as `npm run schema` would write it now', async () => {
    const committed = await readFile(CONNECTOR_JSON_SCHEMA_PATH, 'utf8');
    // On failure: run `npm run schema` and commit shared/schema/connectors.schema.json.
    expect(committed).toBe(renderConnectorJsonSchema());
  });

  it('describes the config file, including the allowed HTTP methods', () => {
    const schema = JSON.parse(renderConnectorJsonSchema()) as {
      $id: string;
      title: string;
      properties: Record<string, unknown>;
    };
    expect(schema.$id).toBe('urn:data-connectors:schema:connectors');
    expect(Object.keys(schema.properties)).toEqual([
      '$schema',
      'connections',
      'connectors',
      'workflows',
      'macros',
    ]);
    expect(JSON.stringify(schema)).toContain('"enum":["GET","HEAD","POST","PUT","PATCH","DELETE"]');
  });
});
