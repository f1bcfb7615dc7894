import type { HelpdeskModule } from '../helpdesk-module';
import { zendeskConfig } from './zendesk-config';

/** Zendesk: tickets, the sidebar app, triggers and webhooks. */
export const zendeskModule: HelpdeskModule = {
  system: 'zendesk',
  config: zendeskConfig,
};
