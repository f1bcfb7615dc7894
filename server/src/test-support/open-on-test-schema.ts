import { createTestSchema } from './postgres-test-schema';
import type { TestSchema } from './postgres-test-schema';

/**
 * Opens a store on a fresh migrated schema of its own; closing the store drops the schema, so a
 * contract suite's own afterEach cleans up the database too.
 */
export async function openOnTestSchema<T extends { close(): Promise<void> }>(
  open: (schema: TestSchema) => T | Promise<T>,
  prefix = 'store',
): Promise<T> {
  const schema = await createTestSchema(prefix);
  let store: T;
  try {
    store = await open(schema);
  } catch (error) {
    await schema.drop();
    throw error;
  }
  return {
    ...store,
    close: async () => {
      await store.close();
      await schema.drop();
    },
  };
}
