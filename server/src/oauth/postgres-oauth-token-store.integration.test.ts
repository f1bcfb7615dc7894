import { describeOAuthTokenStoreContract } from '../storage/contracts/oauth-token-store-contract';
import { openOnTestSchema } from '../test-support/open-on-test-schema';
import { openPostgresOAuthTokenStore } from './postgres-oauth-token-store';

describeOAuthTokenStoreContract('PostgreSQL', () =>
  openOnTestSchema(({ pool }) => openPostgresOAuthTokenStore({ pool }), 'oauth_tokens'),
);
