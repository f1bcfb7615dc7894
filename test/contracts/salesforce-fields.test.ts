import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildObjectSchemas } from '../../server/src/sandbox/fake-salesforce/sobject-schemas';

/**
 * The custom fields the shipped connectors read and write ship as SFDX metadata, so deploying
 * salesforce-lwc/ gives an org what the examples need. The sandbox's Salesforce stand-in describes
 * the same fields; these checks keep the metadata, the stand-in and the permission set in step.
 */

const OBJECTS_DIR = 'salesforce-lwc/force-app/main/default/objects';
const PERMISSION_SET =
  'salesforce-lwc/force-app/main/default/permissionsets/Data_Connectors_User.permissionset-meta.xml';
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** Every custom field name in the shipped config (`record.Order_Number__c`, write-back keys). */
const referenced = [
  ...new Set(readFileSync('config/connectors.json', 'utf8').match(/\b[A-Z][A-Za-z0-9_]*__c\b/g)),
].sort();

function readXml(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`${path}: ${valid.err.msg} at line ${valid.err.line}`);
  return parser.parse(text) as Record<string, unknown>;
}

/** The object folder that holds a field's metadata, found by file name. */
function fieldFile(field: string): string | undefined {
  for (const object of readdirSync(OBJECTS_DIR)) {
    const path = join(OBJECTS_DIR, object, 'fields', `${field}.field-meta.xml`);
    if (existsSync(path)) return path;
  }
  return undefined;
}

describe('the custom fields the examples use', () => {
  it('are the ones the config names', () => {
    expect(referenced).toEqual([
      'Escalated__c',
      'External_Reference__c',
      'Order_Number__c',
      'Payment_Status__c',
      'Tracking_Number__c',
    ]);
  });

  it.each(referenced)('%s ships as well-formed metadata that matches the sandbox org', (name) => {
    const path = fieldFile(name);
    expect(path, `no ${name}.field-meta.xml under ${OBJECTS_DIR}/*/fields`).toBeDefined();
    const field = readXml(path ?? '').CustomField as Record<string, string>;
    expect(field.fullName).toBe(name);
    expect(field.label).toBeTruthy();
    const object = path?.split('/').at(-3) ?? '';
    const described = buildObjectSchemas()
      .find((candidate) => candidate.name === object)
      ?.fields.find((candidate) => candidate.name === name);
    expect(described, `the sandbox's ${object} has no ${name}`).toBeDefined();
    if (described?.type === 'boolean') {
      expect(field.type).toBe('Checkbox');
      // Salesforce refuses a checkbox field without a default.
      expect(field.defaultValue).toBe('false');
    } else {
      expect(field.type).toBe('Text');
      expect(Number(field.length)).toBe(described?.length);
    }
  });

  it('are readable and editable with the Data Connectors User permission set', () => {
    const permissions = (readXml(PERMISSION_SET).PermissionSet as Record<string, unknown>)
      .fieldPermissions as { field: string; readable: string; editable: string }[];
    for (const name of referenced) {
      const object = fieldFile(name)?.split('/').at(-3);
      expect(permissions).toContainEqual({
        field: `${object}.${name}`,
        readable: 'true',
        editable: 'true',
      });
    }
  });
});
