import { createZendeskClient } from '../helpdesks/zendesk/client/zendesk-client';
import type {
  ZendeskClient,
  ZendeskClientOptions,
} from '../helpdesks/zendesk/client/zendesk-client';
import { SANDBOX_ZENDESK_CREDENTIALS } from '../sandbox/seed/zendesk-seed';

/**
 * A real Zendesk client signed in to a fake Zendesk with the sandbox's API token, waiting for
 * nothing between retries unless the test says otherwise.
 */
export function createSandboxZendeskClient(
  baseUrl: string,
  options: Partial<Omit<ZendeskClientOptions, 'baseUrl' | 'auth'>> = {},
): ZendeskClient {
  return createZendeskClient({
    baseUrl,
    auth: {
      kind: 'apiToken',
      email: SANDBOX_ZENDESK_CREDENTIALS.email,
      apiToken: SANDBOX_ZENDESK_CREDENTIALS.apiToken,
    },
    sleep: async () => undefined,
    ...options,
  });
}
