import { createConfigFormat } from '../compile/config-format';
import type { ConfigFormat } from '../compile/config-format';
import type { HelpdeskModule } from './helpdesk-module';
import { salesforceModule } from './salesforce/salesforce-module';
import { zendeskModule } from './zendesk/zendesk-module';

/**
 * The helpdesks this server is built with: adding one is a folder under helpdesks/ and a line
 * here (docs/architecture.md). The first is the default surface of a connector or macro that
 * names none.
 */
export const BUILT_IN_HELPDESKS: readonly HelpdeskModule[] = [zendeskModule, salesforceModule];

/** The config format of a set of helpdesks: each one's groups, sources and write compiler. */
export function configFormatOf(helpdesks: readonly HelpdeskModule[]): ConfigFormat {
  return createConfigFormat(helpdesks.map((helpdesk) => helpdesk.config));
}

export const BUILT_IN_CONFIG_FORMAT: ConfigFormat = configFormatOf(BUILT_IN_HELPDESKS);
