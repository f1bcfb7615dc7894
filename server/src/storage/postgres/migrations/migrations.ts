import { m001Instances } from './001-instances';
import { m002RunLog } from './002-run-log';
import { m003DeliveryQueue } from './003-delivery-queue';
import { m004Idempotency } from './004-idempotency';
import { m005AgentKeys } from './005-agent-keys';
import { m006Verification } from './006-verification';
import { m007ConfigVersions } from './007-config-versions';
import { m008Alerts } from './008-alerts';
import { m009OAuthTokens } from './009-oauth-tokens';
import { m010ServerSecrets } from './010-server-secrets';
import { m011OAuthConnectStates } from './011-oauth-connect-states';
import { m012ConsoleSessionRevocations } from './012-console-session-revocations';
import { m013Backfills } from './013-backfills';
import { m014BackfillErrors } from './014-backfill-errors';

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
export const MIGRATIONS: readonly Migration[] = [
  m001Instances,
  m002RunLog,
  m003DeliveryQueue,
  m004Idempotency,
  m005AgentKeys,
  m006Verification,
  m007ConfigVersions,
  m008Alerts,
  m009OAuthTokens,
  m010ServerSecrets,
  m011OAuthConnectStates,
  m012ConsoleSessionRevocations,
  m013Backfills,
  m014BackfillErrors,
];
