import * as z from 'zod';
import type { AppliesWhen } from '../../../../shared/src/config/connector-config-schema';
import type { CompiledJson, CompiledWrite } from '../../compile/compiled-model';
import type { HelpdeskConfigFormat, WriteCompileContext } from '../../compile/config-format';
import { appliesOn } from '../../runs/applies-when';

/**
 * What Salesforce adds to the config format: the `"salesforce"` group of write-backs (record
 * fields by API name), of `appliesWhen` (the record's object) and of workflow triggers (the
 * objects a flow may send), and the `record.*` input sources (fields and relationship paths).
 */

const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

const salesforceWriteSchema = z.strictObject({
  recordFields: z
    .record(z.string().regex(API_NAME), z.json())
    .optional()
    .describe('Record fields by API name; string values may hold templates.'),
});

const salesforceConditionsSchema = z.strictObject({
  objectTypes: z.array(z.string()).optional().describe('Salesforce object API names, e.g. Case.'),
});
export type SalesforceConditions = z.infer<typeof salesforceConditionsSchema>;

const salesforceTriggerSchema = z.strictObject({
  objectTypes: z
    .array(z.string().regex(API_NAME))
    .optional()
    .describe('Accepted object API names, e.g. ["Case"] (any when omitted).'),
});
export type SalesforceTrigger = z.infer<typeof salesforceTriggerSchema>;

/** One record update with its templates parsed. */
export interface SalesforceWrite {
  recordFields: [string, CompiledJson][];
}

export function salesforceWriteOf(write: CompiledWrite | undefined): SalesforceWrite | undefined {
  return write?.salesforce as SalesforceWrite | undefined;
}

function compileSalesforceWrite(
  group: Readonly<Record<string, unknown>>,
  at: WriteCompileContext,
): SalesforceWrite {
  const fields = (group.recordFields ?? {}) as Record<string, unknown>;
  return {
    recordFields: Object.entries(fields).map(
      ([name, value]) =>
        [name, at.json(value, [...at.pathOf('recordFields'), name])] as [string, CompiledJson],
    ),
  };
}

export const RECORD_SOURCE_PREFIX = 'record.';
const RECORD_SOURCE = /^record\.[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){0,4}$/;

export const salesforceConfig: HelpdeskConfigFormat = {
  system: 'salesforce',
  parts: {
    label: 'Salesforce',
    target: 'a Salesforce record',
    write: salesforceWriteSchema,
    appliesWhen: salesforceConditionsSchema,
    trigger: salesforceTriggerSchema,
    legacyFlat: {},
  },
  compileWrite: compileSalesforceWrite,
  sources: {
    owns: (source) => RECORD_SOURCE.test(source),
    // Record fields by API name ignore case: record.Email__c and record.email__c are one field.
    identity: (source) => source.toLowerCase(),
    hint: 'record.<Field__c> (or a relationship path such as record.Contact.Email)',
  },
};

/** Whether `when` holds for a record of `objectApiName` (API names ignore case). */
export function appliesToRecord(when: AppliesWhen, objectApiName: string): boolean {
  return appliesOn('salesforce', when, (group) => {
    const wanted = objectApiName.toLowerCase();
    return ((group as SalesforceConditions).objectTypes ?? []).some(
      (type) => type.toLowerCase() === wanted,
    );
  });
}
