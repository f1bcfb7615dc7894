import { resolve } from 'node:path';
import express, { Router } from 'express';
import type { Request, Response } from 'express';
import * as z from 'zod';
import type { SalesforceClient } from '../../helpdesks/salesforce/client/salesforce-client';
import type { Logger } from '../../logging/logger';
import { SANDBOX_SALESFORCE_IDS } from '../../sandbox/seed/salesforce-seed';
import { isSameOriginCall } from '../same-origin-call';
import { bundleRecordPage } from './bundle-record-page';
import {
  apexMethodNameSchema,
  callPreviewApex,
  objectOfRecordId,
  SALESFORCE_ID,
} from './preview-apex';
import {
  renderRecordFields,
  renderRecordPage,
  renderRecordPageProblem,
} from './render-record-page';
import type { PickerEntry, PreviewRecord } from './render-record-page';

export interface SalesforcePreviewRouterDeps {
  /** The server's own Salesforce client (the integration user), to read the records shown. */
  salesforce: Pick<SalesforceClient, 'loadRecord' | 'describe'>;
  /** What the org's External Credential would add to the Apex callouts. */
  connectorKey: string;
  /** The server's own base URL: the Named Credential's URL. */
  serverUrl: () => string;
  logger: Logger;
}

const { cases, contacts, accounts, users } = SANDBOX_SALESFORCE_IDS;

/** The records the picker links to: the sandbox org's (the deleted Case left out). */
const PICKER_RECORD_IDS = [
  cases.order1001,
  cases.refund1002,
  cases.loginProblem,
  contacts.mariaLopez,
  accounts.acmeRetail,
] as const;

/** The reps the page can run as: one with every field, one whose profile cannot edit two. */
export const PREVIEW_SALESFORCE_USER_IDS = [users.rep, users.restrictedRep] as const;

/** What each object's details section shows, in order (the fields the describe lacks are left out). */
const DETAIL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Case: [
    'CaseNumber',
    'Subject',
    'Status',
    'Priority',
    'Origin',
    'Contact.Name',
    'Contact.Email',
    'Description',
    'Order_Number__c',
    'Payment_Status__c',
    'Tracking_Number__c',
    'External_Reference__c',
    'Escalated__c',
    'LastModifiedDate',
  ],
  Contact: ['FirstName', 'LastName', 'Email', 'Account.Name', 'LastModifiedDate'],
  Account: ['Name', 'LastModifiedDate'],
};

const salesforceId = z.string().regex(SALESFORCE_ID, 'must be a record id');
const userIdSchema = z.enum(PREVIEW_SALESFORCE_USER_IDS);

const pageQuerySchema = z.strictObject({
  record: salesforceId.optional(),
  user: userIdSchema.optional(),
});
const recordQuerySchema = z.strictObject({ record: salesforceId });
const apexParamsSchema = z.strictObject({
  userId: userIdSchema,
  call: z.string().transform((call, context) => {
    const [className, method, ...rest] = call.split('.');
    const parsed = apexMethodNameSchema.safeParse(method);
    if (className !== 'DataConnectorsController' || rest.length > 0 || !parsed.success) {
      context.addIssue({ code: 'custom', message: 'not a DataConnectorsController method' });
      return z.NEVER;
    }
    return parsed.data;
  }),
});

// Resolved from the project folder (where `npm start` runs), as the Zendesk preview's files are.
const CSS_FILE = resolve('server/src/preview/salesforce/record-page.css');

/** Compiled once per process, on first use: rollup and the LWC compiler load only then. */
function createBundleCache(): () => Promise<string> {
  let bundle: Promise<string> | undefined;
  return () => {
    bundle ??= bundleRecordPage().catch((error: unknown) => {
      bundle = undefined;
      throw error;
    });
    return bundle;
  };
}

function readableValue(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value ?? null;
}

function titleOf(objectApiName: string, record: Record<string, unknown>): string {
  if (objectApiName === 'Case') {
    return [record.CaseNumber, record.Subject].filter((part) => part).join(' · ');
  }
  if (objectApiName === 'Contact') {
    return [record.FirstName, record.LastName].filter((part) => part).join(' ');
  }
  return String(record.Name ?? record.Id ?? '');
}

/**
 * The `/preview/salesforce` page: a Lightning record page in the sandbox org with the real
 * dataConnectors component (compiled from salesforce-lwc/ by the LWC compiler), stand-ins for
 * the lightning base components, and an Apex stand-in that does what DataConnectorsController
 * does, key included, on the server. Mount it only in sandbox mode or tests: it runs as any
 * sandbox rep the picker names, for whoever can reach it.
 */
export function createSalesforcePreviewRouter(deps: SalesforcePreviewRouterDeps): Router {
  const router = Router();
  const logger = deps.logger.child({ component: 'salesforce-preview' });
  const bundle = createBundleCache();

  type LoadedRecord =
    | { ok: true; record: PreviewRecord }
    | { ok: false; status: number; title: string; message: string };

  const loadRecord = async (recordId: string): Promise<LoadedRecord> => {
    const objectApiName = objectOfRecordId(recordId);
    if (objectApiName === undefined) {
      return {
        ok: false,
        status: 404,
        title: `There is no record ${recordId}`,
        message: 'Pick one of the records above.',
      };
    }
    const describe = await deps.salesforce.describe(objectApiName);
    if (!describe.ok) {
      return {
        ok: false,
        status: 502,
        title: 'Salesforce did not answer',
        message: describe.error.message,
      };
    }
    const known = new Map(describe.value.fields.map((field) => [field.name, field]));
    const names = (DETAIL_FIELDS[objectApiName] ?? ['Name']).filter((name) =>
      known.has(name.includes('.') ? `${name.split('.')[0]}Id` : name),
    );
    const loaded = await deps.salesforce.loadRecord(objectApiName, recordId, names);
    if (!loaded.ok) {
      const notFound = loaded.error.code === 'SALESFORCE_NOT_FOUND';
      logger.warn('preview could not read the record', { recordId, code: loaded.error.code });
      return notFound
        ? {
            ok: false,
            status: 404,
            title: `There is no record ${recordId}`,
            message: 'Pick one of the records above.',
          }
        : {
            ok: false,
            status: 502,
            title: 'Salesforce did not answer',
            message: loaded.error.message,
          };
    }
    const values = loaded.value as Record<string, unknown>;
    return {
      ok: true,
      record: {
        objectApiName,
        objectLabel: describe.value.label,
        id: recordId,
        title: titleOf(objectApiName, values),
        fields: names.map((name) => {
          const [relation, relatedField] = name.split('.');
          const field = known.get(relatedField === undefined ? name : `${relation}Id`);
          return {
            name,
            label:
              relatedField === undefined ? (field?.label ?? name) : `${relation} ${relatedField}`,
            type: relatedField === undefined ? (field?.type ?? 'string') : 'string',
            value: readableValue(values, name),
          };
        }),
      },
    };
  };

  const pickerEntries = async (): Promise<{ records: PickerEntry[]; users: PickerEntry[] }> => {
    const [records, people] = await Promise.all([
      Promise.all(
        PICKER_RECORD_IDS.map(async (id) => {
          const objectApiName = objectOfRecordId(id) ?? 'Case';
          const field = objectApiName === 'Case' ? 'CaseNumber' : 'Name';
          const loaded = await deps.salesforce.loadRecord(objectApiName, id, [field]);
          const name = loaded.ok ? (loaded.value as Record<string, unknown>)[field] : undefined;
          return { id, label: `${objectApiName} ${typeof name === 'string' ? name : id}` };
        }),
      ),
      Promise.all(
        PREVIEW_SALESFORCE_USER_IDS.map(async (id) => {
          const loaded = await deps.salesforce.loadRecord('User', id, ['Name']);
          const name = loaded.ok ? (loaded.value as Record<string, unknown>).Name : undefined;
          return { id, label: typeof name === 'string' ? name : `User ${id}` };
        }),
      ),
    ]);
    return { records, users: people };
  };

  const sendProblem = async (
    req: Request,
    res: Response,
    userId: string,
    problem: { status: number; title: string; message: string },
  ) => {
    const picker = await pickerEntries();
    res
      .status(problem.status)
      .type('html')
      .send(renderRecordPageProblem({ basePath: req.baseUrl, userId, ...picker, ...problem }));
  };

  router.get('/', async (req, res) => {
    const query = pageQuerySchema.safeParse(req.query);
    const defaultUser = PREVIEW_SALESFORCE_USER_IDS[0];
    if (!query.success) {
      return sendProblem(req, res, defaultUser, {
        status: 400,
        title: 'Not a preview address',
        message: 'Use /preview/salesforce?record=<record id>, optionally with &user=<user id>.',
      });
    }
    const userId = query.data.user ?? defaultUser;
    const recordId = query.data.record ?? PICKER_RECORD_IDS[0];
    const [loaded, picker] = await Promise.all([loadRecord(recordId), pickerEntries()]);
    if (!loaded.ok) return sendProblem(req, res, userId, loaded);
    res
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(
        renderRecordPage({
          basePath: req.baseUrl,
          record: loaded.record,
          userId,
          ...picker,
          state: {
            recordId,
            objectApiName: loaded.record.objectApiName,
            apexUrl: `${req.baseUrl}/as/${userId}/apex`,
            recordUrl: `${req.baseUrl}/record.json?record=${encodeURIComponent(recordId)}`,
          },
        }),
      );
  });

  router.get('/record.json', async (req, res) => {
    const query = recordQuerySchema.safeParse(req.query);
    if (!query.success) return res.status(400).json({ error: 'record must be a record id' });
    const loaded = await loadRecord(query.data.record);
    if (!loaded.ok) return res.status(loaded.status).json({ error: loaded.message });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ record: loaded.record, html: renderRecordFields(loaded.record) });
  });

  // Lightning answers an Apex call with its return value, or a failure with { message }.
  router.post('/as/:userId/apex/:call', express.json({ limit: '200kb' }), async (req, res) => {
    if (!isSameOriginCall(req)) {
      return res.status(403).json({ message: 'The Apex stand-in only answers its own page.' });
    }
    const params = apexParamsSchema.safeParse(req.params);
    if (!params.success) {
      return res.status(404).json({ message: 'There is no such Apex method for the preview.' });
    }
    const result = await callPreviewApex(params.data.call, req.body, params.data.userId, {
      salesforce: deps.salesforce,
      connectorKey: deps.connectorKey,
      serverUrl: deps.serverUrl,
    });
    res.setHeader('Cache-Control', 'no-store');
    if (result.ok) return res.json(result.value);
    res.status(400).json({
      message: result.error.message,
      exceptionType: 'System.AuraHandledException',
      isUserDefinedException: true,
    });
  });

  router.get('/record-page.js', async (_req, res) => {
    try {
      const code = await bundle();
      res.type('application/javascript').setHeader('Cache-Control', 'no-cache').send(code);
    } catch (error) {
      logger.error('the Salesforce component could not be compiled', {
        message: String(error),
      });
      res
        .status(500)
        .type('application/javascript')
        .send(
          `console.error(${JSON.stringify(`The component could not be compiled: ${String(error)}`)});`,
        );
    }
  });

  router.get('/record-page.css', (_req, res) => {
    res.sendFile(CSS_FILE);
  });

  return router;
}
