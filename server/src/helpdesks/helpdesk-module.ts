import type { HelpdeskConfigFormat } from '../compile/config-format';

/**
 * Everything one helpdesk brings, in its own folder (helpdesks/<name>/): what it adds to the
 * config format, and (below) how it connects, its routes and its webhook check. The server runs
 * with a list of these (helpdesk-registry.ts); nothing outside a helpdesk's folder names one.
 */
export interface HelpdeskModule {
  /** Its id: the config group key, the run target's `system`, the surface, the webhook path. */
  readonly system: string;
  readonly config: HelpdeskConfigFormat;
}
