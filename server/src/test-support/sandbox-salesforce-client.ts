import { createSalesforceClient } from '../helpdesks/salesforce/client/salesforce-client';
import type {
  SalesforceClient,
  SalesforceClientOptions,
} from '../helpdesks/salesforce/client/salesforce-client';
import { SANDBOX_SALESFORCE_CREDENTIALS } from '../sandbox/seed/salesforce-seed';

/**
 * A real Salesforce client signed in to a fake Salesforce with the sandbox's session, retrying
 * reads almost at once unless the test says otherwise.
 */
export function createSandboxSalesforceClient(
  instanceUrl: string,
  options: Partial<Pick<SalesforceClientOptions, 'budget' | 'readRetry' | 'timeoutMs'>> = {},
): SalesforceClient {
  return createSalesforceClient({
    kind: 'refreshToken',
    instanceUrl,
    loginUrl: instanceUrl,
    accessToken: SANDBOX_SALESFORCE_CREDENTIALS.accessToken,
    refreshToken: SANDBOX_SALESFORCE_CREDENTIALS.refreshToken,
    clientId: SANDBOX_SALESFORCE_CREDENTIALS.clientId,
    readRetry: { minTimeoutMs: 1 },
    ...options,
  });
}
