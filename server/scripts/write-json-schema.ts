import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';
import { BUILT_IN_CONFIG_FORMAT } from '../src/helpdesks/helpdesk-registry';

/**
 * `npm run schema`: writes the JSON Schema editors use to autocomplete and check
 * `config/connectors.json`. It is generated from the zod schema, never edited by hand, and a test
 * fails when the committed file no longer matches.
 */

export const CONNECTOR_JSON_SCHEMA_PATH = fileURLToPath(
  new URL('../../shared/schema/connectors.schema.json', import.meta.url),
);

const SCHEMA_ID = 'urn:data-connectors:schema:connectors';

/**
 * The file's exact text. `io: 'input'` describes what admins write (defaults optional), and
 * `unrepresentable: 'any'` keeps the export from failing on checks JSON Schema cannot express.
 */
export function renderConnectorJsonSchema(): string {
  const generated = z.toJSONSchema(BUILT_IN_CONFIG_FORMAT.schemas.connectorConfigSchema, {
    io: 'input',
    unrepresentable: 'any',
  });
  const { $schema, ...rest } = generated;
  const document = {
    $schema,
    $id: SCHEMA_ID,
    title: 'Data Connectors configuration',
    description:
      'Connections (where requests go) and connectors (what to send and write back). Generated from shared/src/config/connector-config-schema.ts and the part of each helpdesk (server/src/helpdesks/NAME/NAME-config.ts) by `npm run schema`; do not edit.',
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export async function writeConnectorJsonSchema(
  target: string = CONNECTOR_JSON_SCHEMA_PATH,
): Promise<void> {
  await writeFile(target, renderConnectorJsonSchema(), 'utf8');
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  await writeConnectorJsonSchema();
  process.stdout.write(`wrote ${CONNECTOR_JSON_SCHEMA_PATH}\n`);
}
