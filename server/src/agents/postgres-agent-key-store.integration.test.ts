import { describeAgentKeyStoreContract } from '../storage/contracts/agent-key-store-contract';
import { openOnTestSchema } from '../test-support/open-on-test-schema';
import { openPostgresAgentKeyStore } from './postgres-agent-key-store';

describeAgentKeyStoreContract('PostgreSQL', () =>
  openOnTestSchema(({ pool }) => openPostgresAgentKeyStore({ pool }), 'agent_keys'),
);
