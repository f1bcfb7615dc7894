/**
 * Seed data for the fake Salesforce org that the sandbox and the tests run against: a few
 * Accounts, Contacts, Cases and Users, plus which fields each user may not edit.
 *
 * The orders on the Cases (#1001, #1002) are the demo Shopify's orders, so a connector run from
 * a sandbox Case finds something. Other modules depend on the ids below; change them together.
 *
 * Sandbox credentials (never real secrets; they only open the local fake):
 * - access token:  Authorization: Bearer sandbox-salesforce-access-token
 * - refresh token: grant_type=refresh_token&client_id=sandbox-connected-app&refresh_token=sandbox-salesforce-refresh-token
 * - JWT bearer:    iss = sandbox-connected-app, sub = integration@sandbox.local, signed with a key
 *                  whose public half the fake is given (createFakeSalesforce({ jwtPublicKeys }))
 */

export const SANDBOX_SALESFORCE_CREDENTIALS = Object.freeze({
  clientId: 'sandbox-connected-app',
  clientSecret: 'sandbox-connected-app-secret',
  username: 'integration@sandbox.local',
  accessToken: 'sandbox-salesforce-access-token',
  refreshToken: 'sandbox-salesforce-refresh-token',
});

export const SANDBOX_ORG_ID = '00DSB0000000001AAA';

/** An 18-character Salesforce id: key prefix, then a counter, then a fixed checksum suffix. */
function sandboxId(prefix: string, n: number): string {
  return `${prefix}SB${String(n).padStart(10, '0')}AAA`;
}

export const SANDBOX_SALESFORCE_IDS = Object.freeze({
  accounts: Object.freeze({ acmeRetail: sandboxId('001', 1), globexTrading: sandboxId('001', 2) }),
  contacts: Object.freeze({
    mariaLopez: sandboxId('003', 1),
    chenWei: sandboxId('003', 2),
    priyaShah: sandboxId('003', 3),
  }),
  cases: Object.freeze({
    order1001: sandboxId('500', 1),
    refund1002: sandboxId('500', 2),
    loginProblem: sandboxId('500', 3),
    deleted: sandboxId('500', 4),
  }),
  users: Object.freeze({
    integration: sandboxId('005', 1),
    rep: sandboxId('005', 2),
    /** A rep whose profile cannot edit Tracking_Number__c or Escalated__c. */
    restrictedRep: sandboxId('005', 3),
  }),
});

/** A stored record: field API name → value, as Salesforce's JSON would carry it. */
export type StoredRecord = Record<string, unknown> & {
  Id: string;
  IsDeleted?: boolean;
  LastModifiedDate: string;
};

export interface StoredFieldRestriction {
  userId: string;
  object: string;
  field: string;
  /** false: the user's profile may read but not edit the field. */
  isUpdatable: boolean;
}

export interface FakeSalesforceData {
  /** Records by object API name. */
  records: Record<string, StoredRecord[]>;
  /** Per-user exceptions to each field's `updateable`; everything else follows the describe. */
  fieldRestrictions: StoredFieldRestriction[];
}

const SEED_TIME = '2026-11-02T09:00:00.000+0000';

function stamp(record: Record<string, unknown> & { Id: string }): StoredRecord {
  return {
    CreatedDate: SEED_TIME,
    SystemModstamp: SEED_TIME,
    LastModifiedDate: SEED_TIME,
    IsDeleted: false,
    ...record,
  };
}

/** Fresh copies of the seed data. */
export function buildSalesforceSeed(): FakeSalesforceData {
  const { accounts, contacts, cases, users } = SANDBOX_SALESFORCE_IDS;
  const order1001 = {
    Id: cases.order1001,
    CaseNumber: '00001001',
    Subject: 'Where is my order #1001?',
    Description: 'I ordered a week ago and have not received anything yet.',
    Status: 'New',
    Priority: 'Medium',
    Origin: 'Email',
    ContactId: contacts.mariaLopez,
    AccountId: accounts.acmeRetail,
    Order_Number__c: '#1001',
    Payment_Status__c: null,
    Tracking_Number__c: null,
    External_Reference__c: null,
    Escalated__c: false,
  };
  return {
    records: {
      Account: [
        stamp({ Id: accounts.acmeRetail, Name: 'Acme Retail' }),
        stamp({ Id: accounts.globexTrading, Name: 'Globex Trading' }),
      ],
      Contact: [
        stamp({
          Id: contacts.mariaLopez,
          FirstName: 'Maria',
          LastName: 'Lopez',
          Email: 'maria@example.com',
          AccountId: accounts.acmeRetail,
        }),
        stamp({
          Id: contacts.chenWei,
          FirstName: 'Chen',
          LastName: 'Wei',
          Email: 'chen@example.com',
          AccountId: accounts.globexTrading,
        }),
        stamp({
          Id: contacts.priyaShah,
          FirstName: 'Priya',
          LastName: 'Shah',
          Email: 'priya@example.com',
          AccountId: null,
        }),
      ],
      Case: [
        stamp(order1001),
        stamp({
          Id: cases.refund1002,
          CaseNumber: '00001002',
          Subject: 'Refund for order #1002',
          Description: 'Please cancel order #1002 and refund me.',
          Status: 'Working',
          Priority: 'High',
          Origin: 'Web',
          ContactId: contacts.chenWei,
          AccountId: accounts.globexTrading,
          Order_Number__c: '#1002',
          Payment_Status__c: null,
          Tracking_Number__c: null,
          External_Reference__c: null,
          Escalated__c: false,
        }),
        stamp({
          Id: cases.loginProblem,
          CaseNumber: '00001003',
          Subject: 'Cannot log in',
          Description: 'The password reset email never arrives.',
          Status: 'New',
          Priority: 'Low',
          Origin: 'Phone',
          ContactId: null,
          AccountId: null,
          Order_Number__c: null,
          Payment_Status__c: null,
          Tracking_Number__c: null,
          External_Reference__c: null,
          Escalated__c: false,
        }),
        // A duplicate of 00001001 that was deleted: in the recycle bin, so queries skip it.
        stamp({
          ...order1001,
          Id: cases.deleted,
          CaseNumber: '00001004',
          Subject: 'Duplicate of 00001001',
          Description: null,
          Status: 'Closed',
          Priority: 'Low',
          IsDeleted: true,
        }),
      ],
      User: [
        stamp({
          Id: users.integration,
          Username: SANDBOX_SALESFORCE_CREDENTIALS.username,
          Name: 'Integration User',
          Email: 'integration@sandbox.local',
          IsActive: true,
        }),
        stamp({
          Id: users.rep,
          Username: 'rita@sandbox.local',
          Name: 'Rita Rep',
          Email: 'rita@sandbox.local',
          IsActive: true,
        }),
        stamp({
          Id: users.restrictedRep,
          Username: 'sam@sandbox.local',
          Name: 'Sam Support',
          Email: 'sam@sandbox.local',
          IsActive: true,
        }),
      ],
    },
    fieldRestrictions: [
      {
        userId: users.restrictedRep,
        object: 'Case',
        field: 'Tracking_Number__c',
        isUpdatable: false,
      },
      { userId: users.restrictedRep, object: 'Case', field: 'Escalated__c', isUpdatable: false },
    ],
  };
}
