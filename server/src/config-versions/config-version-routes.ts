import { Router } from 'express';
import * as z from 'zod';
import { ApiError, parseOrThrow } from '../http/api-error';
import { requireAdmin } from '../http/authenticate';
import type { ConfigVersionStore } from './config-version-store';
import { describeVersionChanges } from './describe-version-diff';
import { rollbackConfig } from './rollback-config';

const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const idSchema = z.coerce.number().int().positive();

/**
 * `/api/admin/config/versions` (admin token only): the accepted configs, newest first; one with
 * its files and the diff from the one before; and a rollback, itself a new version.
 */
export function createConfigVersionRoutes(deps: {
  store: ConfigVersionStore;
  configPath: string;
  /** Reloads the config right away instead of waiting for the file watcher. */
  reload: () => Promise<unknown>;
}): Router {
  const router = Router();
  router.use((req, _res, next) => {
    requireAdmin(req);
    next();
  });
  const versionOf = async (raw: unknown) => {
    const id = idSchema.safeParse(raw);
    const version = id.success ? await deps.store.get(id.data) : undefined;
    if (!version) throw new ApiError('NOT_FOUND', `There is no config version ${String(raw)}.`);
    return version;
  };

  router.get('/', async (req, res) => {
    const query = parseOrThrow(listQuerySchema, req.query, 'QUERY_INVALID');
    res.json({ versions: await deps.store.list(query.limit) });
  });

  router.get('/:id', async (req, res) => {
    const version = await versionOf(req.params.id);
    res.json({ version, diff: await describeVersionChanges(deps.store, version) });
  });

  router.post('/:id/rollback', async (req, res) => {
    const version = await versionOf(req.params.id);
    const rolled = await rollbackConfig({
      store: deps.store,
      versionId: version.id,
      configPath: deps.configPath,
      // The console user when a console session asked, so the history says who.
      author:
        req.principal?.kind === 'admin' && req.principal.user
          ? `${req.principal.user} (console)`
          : 'admin API',
    });
    if (!rolled.ok) {
      throw new ApiError(
        rolled.error.code === 'CONFIG_VERSION_NOT_FOUND' ? 'NOT_FOUND' : 'CONFIG_UNAVAILABLE',
        rolled.error.message,
      );
    }
    await deps.reload();
    res.json({ version: rolled.value });
  });
  return router;
}
