import type { HelpdeskModule } from '../helpdesk-module';
import { salesforceConfig } from './salesforce-config';

/** Salesforce: records, the Lightning component through Apex, flows and webhooks. */
export const salesforceModule: HelpdeskModule = {
  system: 'salesforce',
  config: salesforceConfig,
};
