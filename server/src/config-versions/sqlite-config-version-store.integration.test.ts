import { describeConfigVersionStoreContract } from '../storage/contracts/config-version-store-contract';
import { openSqliteConfigVersionStore } from './sqlite-config-version-store';

describeConfigVersionStoreContract('SQLite', async (now) =>
  openSqliteConfigVersionStore({ path: ':memory:', now }),
);
