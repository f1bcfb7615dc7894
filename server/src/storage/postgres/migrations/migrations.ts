import { m001Instances } from './001-instances';
import { m003DeliveryQueue } from './003-delivery-queue';

/** One schema change: plain SQL, applied once, in version order, never edited once released. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, in order. The SQL lives in one module per migration (not .sql files) so the
 * bundled server (dist/server.mjs) carries it without a copy step.
 */
export const MIGRATIONS: readonly Migration[] = [m001Instances, m003DeliveryQueue];
