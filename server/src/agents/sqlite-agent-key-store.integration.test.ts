import { describeAgentKeyStoreContract } from '../storage/contracts/agent-key-store-contract';
import { openSqliteAgentKeyStore } from './sqlite-agent-key-store';

describeAgentKeyStoreContract('SQLite', async () => openSqliteAgentKeyStore({ path: ':memory:' }));
