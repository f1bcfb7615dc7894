/**
 * The fake org's metadata: which objects exist and which fields they have, in the shape the
 * sObject Describe resource returns. Retrieve, update and query are all checked against it, so
 * an unknown field or a read-only one is refused the way Salesforce refuses it.
 */

export type FakeFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'email'
  | 'boolean'
  | 'reference'
  | 'datetime'
  | 'double';

export interface FakeFieldDef {
  name: string;
  label: string;
  type: FakeFieldType;
  length: number;
  updateable: boolean;
  createable: boolean;
  nillable: boolean;
  custom: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  picklistValues: string[];
  /** Derived fields (Contact.Name) are computed from others when read. */
  compute?: (record: Record<string, unknown>) => unknown;
}

export interface FakeObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  fields: FakeFieldDef[];
}

type FieldOptions = Partial<Omit<FakeFieldDef, 'name' | 'label' | 'type'>>;

function field(
  name: string,
  label: string,
  type: FakeFieldType,
  options: FieldOptions = {},
): FakeFieldDef {
  const custom = name.endsWith('__c');
  const defaultLength =
    type === 'textarea' ? 32000 : type === 'id' || type === 'reference' ? 18 : 255;
  return {
    name,
    label,
    type,
    length: type === 'boolean' || type === 'datetime' || type === 'double' ? 0 : defaultLength,
    updateable: true,
    createable: true,
    nillable: type !== 'boolean',
    custom,
    referenceTo: [],
    relationshipName: null,
    picklistValues: [],
    ...options,
  };
}

const readOnly = { updateable: false, createable: false } as const;

function systemFields(): FakeFieldDef[] {
  return [
    field('Id', 'Record ID', 'id', { ...readOnly, nillable: false }),
    field('IsDeleted', 'Deleted', 'boolean', readOnly),
    field('CreatedDate', 'Created Date', 'datetime', readOnly),
    field('LastModifiedDate', 'Last Modified Date', 'datetime', readOnly),
    field('SystemModstamp', 'System Modstamp', 'datetime', readOnly),
  ];
}

function reference(name: string, label: string, target: string, relationshipName: string) {
  return field(name, label, 'reference', { referenceTo: [target], relationshipName });
}

/** Fresh metadata for the objects the sandbox org has. */
export function buildObjectSchemas(): FakeObjectDef[] {
  return [
    {
      name: 'Account',
      label: 'Account',
      labelPlural: 'Accounts',
      keyPrefix: '001',
      custom: false,
      fields: [...systemFields(), field('Name', 'Account Name', 'string', { nillable: false })],
    },
    {
      name: 'Contact',
      label: 'Contact',
      labelPlural: 'Contacts',
      keyPrefix: '003',
      custom: false,
      fields: [
        ...systemFields(),
        field('FirstName', 'First Name', 'string', { length: 40 }),
        field('LastName', 'Last Name', 'string', { length: 80, nillable: false }),
        field('Name', 'Full Name', 'string', {
          ...readOnly,
          length: 121,
          compute: (record) =>
            [record.FirstName, record.LastName].filter((part) => part).join(' ') || null,
        }),
        field('Email', 'Email', 'email', { length: 80 }),
        reference('AccountId', 'Account ID', 'Account', 'Account'),
      ],
    },
    {
      name: 'Case',
      label: 'Case',
      labelPlural: 'Cases',
      keyPrefix: '500',
      custom: false,
      fields: [
        ...systemFields(),
        field('CaseNumber', 'Case Number', 'string', { ...readOnly, length: 30 }),
        field('Subject', 'Subject', 'string'),
        field('Description', 'Description', 'textarea'),
        field('Status', 'Status', 'picklist', {
          length: 40,
          picklistValues: ['New', 'Working', 'Escalated', 'Closed'],
        }),
        field('Priority', 'Priority', 'picklist', {
          length: 40,
          picklistValues: ['High', 'Medium', 'Low'],
        }),
        field('Origin', 'Case Origin', 'picklist', {
          length: 40,
          picklistValues: ['Phone', 'Email', 'Web'],
        }),
        reference('ContactId', 'Contact ID', 'Contact', 'Contact'),
        reference('AccountId', 'Account ID', 'Account', 'Account'),
        field('Order_Number__c', 'Order Number', 'string', { length: 40 }),
        field('Payment_Status__c', 'Payment Status', 'string', { length: 40 }),
        field('Tracking_Number__c', 'Tracking Number', 'string', { length: 80 }),
        field('External_Reference__c', 'External Reference', 'string'),
        field('Escalated__c', 'Escalated', 'boolean'),
      ],
    },
    {
      name: 'User',
      label: 'User',
      labelPlural: 'Users',
      keyPrefix: '005',
      custom: false,
      fields: [
        ...systemFields(),
        field('Username', 'Username', 'string', { length: 80, nillable: false }),
        field('Name', 'Full Name', 'string', { ...readOnly, length: 121 }),
        field('Email', 'Email', 'email', { length: 128, nillable: false }),
        field('IsActive', 'Active', 'boolean'),
      ],
    },
  ];
}

/** Salesforce names are case-insensitive. */
export function findObjectDef(
  schemas: readonly FakeObjectDef[],
  name: string,
): FakeObjectDef | undefined {
  const wanted = name.toLowerCase();
  return schemas.find((schema) => schema.name.toLowerCase() === wanted);
}

export function findFieldDef(objectDef: FakeObjectDef, name: string): FakeFieldDef | undefined {
  const wanted = name.toLowerCase();
  return objectDef.fields.find((entry) => entry.name.toLowerCase() === wanted);
}

export function findRelationship(objectDef: FakeObjectDef, name: string): FakeFieldDef | undefined {
  const wanted = name.toLowerCase();
  return objectDef.fields.find((entry) => entry.relationshipName?.toLowerCase() === wanted);
}

/** The describe JSON of one field; `compute` is the fake's own and is left out. */
export function renderFieldDescribe(def: FakeFieldDef): Record<string, unknown> {
  return {
    name: def.name,
    label: def.label,
    type: def.type,
    length: def.length,
    updateable: def.updateable,
    createable: def.createable,
    nillable: def.nillable,
    custom: def.custom,
    calculated: def.compute !== undefined,
    referenceTo: def.referenceTo,
    relationshipName: def.relationshipName,
    picklistValues: def.picklistValues.map((value) => ({
      active: true,
      defaultValue: false,
      label: value,
      validFor: null,
      value,
    })),
  };
}
