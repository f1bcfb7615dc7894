import { randomUUID } from 'node:crypto';
import type { CompiledConfig } from '../compile/compiled-model';
import type { BackfillEvent } from '../alerts/backfill-notices';
import type { Logger } from '../logging/logger';
import type { RunDeps } from '../runs/run-connector';
import type { HelpdeskPort, TargetQuery, TargetQueryError } from '../runs/helpdesk-port';
import { testConnector } from '../runs/test-connector';
import type { DeliveryQueue, DeliveryState } from '../workflows/delivery-queue';
import type { ApiErrorCode } from '../../../shared/src/api/api-errors';
import type {
  BackfillDeliveryState,
  BackfillDryRun,
  BackfillFailure,
  BackfillProgress,
} from '../../../shared/src/api/backfill-contracts';
import type { Result } from '../../../shared/src/result';
import { createBackfillId } from './backfill-store';
import type { Backfill, BackfillStore } from './backfill-store';
import { BACKFILL_RUN_STEP_ID, backfillWorkflowId } from './backfill-workflow';
import type { BackfillPayload } from './backfill-workflow';
import { checkSoql } from './check-soql';

/**
 * The console's contract restates the queue's states (shared/ cannot import the server). Were
 * either list to change alone, the backfill answers' `counts` would miss a state: this line then
 * fails to compile.
 */
type SameStates = [DeliveryState] extends [BackfillDeliveryState]
  ? [BackfillDeliveryState] extends [DeliveryState]
    ? true
    : false
  : false;
true satisfies SameStates;

/**
 * Runs backfills in the server, so they outlive the CLI that started them and a restart:
 *
 * - enumeration reads the query's matches a page at a time and queues one delivery per match,
 *   one instance at a time (a reader lease in the store: with several instances on PostgreSQL,
 *   each continues the running backfills, and only the lease holder reads pages);
 *   with the dedupe key `backfill:<id>:<target>`; the cursor is saved after each page, so after
 *   a crash the page in flight is read again and the queue answers its deliveries with the
 *   ones it already has: nothing runs twice;
 * - it waits while the backfill has `BACKLOG` deliveries queued or running, so a backfill of
 *   50,000 tickets never stands in front of webhook deliveries by more than that;
 * - the workers run the deliveries (backfill-workflow.ts); progress is their count by state.
 */

export interface StartBackfillInput {
  connectorId: string;
  search?: string | undefined;
  soql?: string | undefined;
  dryRun: boolean;
}

// The answers' shapes are the admin API's contract, shared with the admin console.
export type {
  BackfillDryRun,
  BackfillFailure,
  BackfillProgress,
} from '../../../shared/src/api/backfill-contracts';

export interface BackfillError {
  code: ApiErrorCode;
  message: string;
}

type Answer<T> = Promise<Result<T, BackfillError>>;

export interface BackfillService {
  start(input: StartBackfillInput): Answer<BackfillProgress | BackfillDryRun>;
  progress(id: string): Answer<BackfillProgress>;
  list(limit: number): Promise<BackfillProgress[]>;
  failures(id: string, limit: number): Answer<BackfillFailure[]>;
  stop(id: string): Answer<BackfillProgress>;
  resume(id: string): Answer<BackfillProgress>;
  /** Queues the backfill's failed deliveries again, their run step forgotten so it runs anew. */
  retryFailed(id: string): Answer<BackfillProgress & { requeued: number }>;
  /** Continues the enumeration of every running backfill (at server start). */
  continueRunning(): Promise<void>;
  /** Stops enumerating and waits for the page in flight. */
  close(): Promise<void>;
}

export interface BackfillServiceOptions {
  store: BackfillStore;
  queue: DeliveryQueue;
  config: () => CompiledConfig | undefined;
  run: RunDeps;
  /** Looks at the queue now (the worker's kick). */
  kick: () => void;
  logger: Logger;
  now?: () => number;
  /** Deliveries of one backfill queued or running before its enumeration waits (default 200). */
  backlog?: number;
  /** How often a waiting enumeration looks again (default 250 ms). */
  pollMs?: number;
  /**
   * How long this instance keeps the reading of a backfill's pages without renewing it
   * (default 120 s: longer than a page read that waits for the rate budget, 70 s at most).
   * Another instance takes the reading over only after that, or once this one gives it up.
   */
  readerLeaseMs?: number;
  /**
   * Told once when a backfill fails or finishes (this instance moved it from running), to send
   * a notice.
   */
  onEnded?: (event: BackfillEvent) => void;
}

const DRY_RUN_RENDERS = 5;
const RATE_WINDOW_MS = 60_000;
const FAILURE_PAGE = 500;
const MAX_RETRY_WAIT_MS = 60_000;

/** The Salesforce objects a connector applies to (its `appliesWhen.salesforce.objectTypes`). */
function readObjectTypes(group: unknown): string[] {
  const types = (group as { objectTypes?: unknown } | undefined)?.objectTypes;
  return Array.isArray(types)
    ? types.filter((type): type is string => typeof type === 'string')
    : [];
}

function fail<T>(code: ApiErrorCode, message: string): Result<T, BackfillError> {
  return { ok: false, error: { code, message } };
}

/** A helpdesk that can find and count a backfill's targets. */
type SearchablePort = HelpdeskPort & Required<Pick<HelpdeskPort, 'findTargets' | 'countTargets'>>;

const isSearchable = (port: HelpdeskPort | undefined): port is SearchablePort =>
  port?.findTargets !== undefined && port.countTargets !== undefined;

/** A start request checked against the configuration, with the helpdesk it will search. */
interface PlannedBackfill {
  system: string;
  query: TargetQuery;
  connectorId: string;
  helpdesk: SearchablePort;
}

export function createBackfillService(options: BackfillServiceOptions): BackfillService {
  const { store, queue, logger } = options;
  const now = options.now ?? Date.now;
  const backlog = options.backlog ?? 200;
  const pollMs = options.pollMs ?? 250;
  const readerLeaseMs = options.readerLeaseMs ?? 120_000;
  /** This instance, as the reader of the backfills' pages it reads. */
  const readerId = randomUUID();
  const loops = new Map<string, Promise<void>>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closed = false;

  const iso = () => new Date(now()).toISOString();
  /**
   * Only a query the helpdesk refused is the admin's to fix; an outage or a limit is not. The
   * helpdesk's words go out masked, like anything an upstream echoes.
   */
  const queryFailed = <T>(error: TargetQueryError): Result<T, BackfillError> =>
    fail(
      error.code === 'QUERY_REFUSED' ? 'BACKFILL_QUERY_INVALID' : error.code,
      options.run.redactor.redactText(error.message),
    );
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      entry.timer.unref();
      timers.add(entry);
    });

  /** Checks a start request against the configuration and the helpdesks: what it will walk. */
  function plan(input: StartBackfillInput): Result<PlannedBackfill, BackfillError> {
    const hasSearch = input.search !== undefined;
    const hasSoql = input.soql !== undefined;
    if (hasSearch === hasSoql) {
      return fail(
        'BACKFILL_QUERY_REQUIRED',
        'Name the tickets or records to run on: either "search" (Zendesk) or "soql" (Salesforce), not both.',
      );
    }
    const config = options.config();
    if (!config) return fail('CONFIG_UNAVAILABLE', 'No valid connector configuration is loaded.');
    const connector = config.connectors.get(input.connectorId);
    if (!connector) {
      return fail('CONNECTOR_NOT_FOUND', `There is no connector "${input.connectorId}".`);
    }
    if (!connector.def.enabled || !connector.def.surfaces.includes('automation')) {
      return fail(
        'BACKFILL_CONNECTOR_UNSUITABLE',
        `Connector "${connector.id}" ${connector.def.enabled ? 'is not offered to automations (add "automation" to its "surfaces")' : 'is disabled'}, so it cannot be backfilled.`,
      );
    }
    const system = hasSearch ? 'zendesk' : 'salesforce';
    let query: TargetQuery;
    if (hasSearch) {
      query = { kind: 'search', text: (input.search as string).trim(), targetType: 'ticket' };
    } else {
      const objectTypes = readObjectTypes(connector.appliesWhen.salesforce);
      const checked = checkSoql(input.soql as string, objectTypes);
      if (!checked.ok) return fail('BACKFILL_SOQL_INVALID', checked.error);
      query = { kind: 'soql', text: checked.value.soql, targetType: checked.value.objectType };
    }
    const helpdesk = options.run.helpdesks.get(system);
    if (!isSearchable(helpdesk)) {
      return fail(
        'HELPDESK_NOT_CONFIGURED',
        `This server cannot search ${system === 'zendesk' ? 'Zendesk' : 'Salesforce'} for a backfill.`,
      );
    }
    return { ok: true, value: { system, connectorId: connector.id, query, helpdesk } };
  }

  async function describe(backfill: Backfill): Promise<BackfillProgress> {
    const workflowId = backfillWorkflowId(backfill.id);
    const counts = await queue.countByState(workflowId);
    const found = counts.queued + counts.running + counts.completed + counts.dead;
    const processed = counts.completed + counts.dead;
    const since = Math.max(Date.parse(backfill.createdAt), now() - RATE_WINDOW_MS);
    const window = Math.max(1_000, now() - since);
    const recent = await queue.countFinishedSince(workflowId, since);
    const ratePerSecond = Math.round((recent / window) * 1000 * 10) / 10;
    // Failed part-way, only the matches found so far will run: they are its total.
    const total =
      backfill.enumerated || backfill.error !== undefined
        ? found
        : Math.max(backfill.total ?? 0, found);
    const left = total - processed;
    return {
      id: backfill.id,
      connectorId: backfill.connectorId,
      system: backfill.system,
      query: { kind: backfill.query.kind, text: backfill.query.text },
      state: backfill.state,
      enumerated: backfill.enumerated,
      total,
      found,
      counts,
      processed,
      succeeded: counts.completed,
      failed: counts.dead,
      ratePerSecond,
      etaSeconds: left > 0 && recent > 0 ? Math.ceil(left / (recent / window) / 1000) : null,
      createdAt: backfill.createdAt,
      updatedAt: backfill.updatedAt,
      finishedAt: backfill.finishedAt ?? null,
      error: backfill.error ?? null,
    };
  }

  /** One backfill's enumeration, then its wait for the last deliveries, until done or stopped. */
  async function drive(id: string): Promise<void> {
    let failures = 0;
    let cursorRefusals = 0;
    while (!closed) {
      const backfill = await store.get(id);
      if (!backfill || backfill.state !== 'running') return;
      const workflowId = backfillWorkflowId(id);
      const counts = await queue.countByState(workflowId);
      const pending = counts.queued + counts.running;
      if (backfill.enumerated) {
        if (pending === 0) {
          const done = await store.setState(id, ['running'], 'done', iso());
          logger.info('backfill done', {
            backfillId: id,
            completed: counts.completed,
            dead: counts.dead,
          });
          // Undefined when another instance or an admin moved it first: that one tells.
          if (done) {
            options.onEnded?.({
              outcome: 'finished',
              backfillId: id,
              connectorId: backfill.connectorId,
              completed: counts.completed,
              dead: counts.dead,
              at: done.updatedAt,
            });
          }
          return;
        }
        await sleep(pollMs * 4);
        continue;
      }
      if (pending >= backlog) {
        await sleep(pollMs);
        continue;
      }
      if (!(await store.claimReader(id, readerId, readerLeaseMs))) {
        // Another instance reads this backfill's pages; take over if its lease runs out.
        await sleep(pollMs * 4);
        continue;
      }
      const helpdesk = options.run.helpdesks.get(backfill.system);
      const page = helpdesk?.findTargets
        ? await helpdesk.findTargets(backfill.query, backfill.cursor)
        : {
            ok: false as const,
            error: {
              code: 'HELPDESK_UNAVAILABLE' as const,
              message: `no ${backfill.system} helpdesk is configured`,
            },
          };
      if (!page.ok && page.error.code === 'QUERY_REFUSED') {
        if (backfill.cursor === undefined) {
          // The first page refused: the query itself no longer holds (it counted at the start;
          // a field or object deleted since, say). Asking again would be refused for ever, so
          // the backfill ends here with the helpdesk's reason; what it queued before still
          // runs, and a resume asks again once the cause is mended.
          // The helpdesk's words are stored and shown: masked like anything an upstream echoes.
          const reason = options.run.redactor.redactText(
            `The ${backfill.system === 'zendesk' ? 'Zendesk' : 'Salesforce'} helpdesk refused the backfill's query: ${page.error.message}`,
          );
          const failed = await store.setState(id, ['running'], 'failed', iso(), reason);
          logger.warn('a backfill failed: the helpdesk refused its query', {
            backfillId: id,
            error: page.error.message,
          });
          // Undefined when an admin stopped it meanwhile: nothing failed, nobody is told.
          if (failed) {
            options.onEnded?.({
              outcome: 'failed',
              backfillId: id,
              connectorId: backfill.connectorId,
              reason,
              at: failed.updatedAt,
            });
          }
          return;
        }
        if (cursorRefusals === 0) {
          // The query was taken at the start, so it is the saved cursor the helpdesk refuses
          // now (one unused for too long, say): read from the first page again. The dedupe keys
          // keep what was queued already from being queued or run twice. Saved, so a restart
          // agrees. Once only until a cursor is taken again: a helpdesk refusing every cursor
          // would otherwise have the first page read over and over; that case retries below.
          cursorRefusals += 1;
          logger.warn(
            'the helpdesk refused the backfill query cursor; reading the matches again from the first page (those already queued do not run again)',
            { backfillId: id, error: page.error.message },
          );
          await store.savePage(id, readerId, undefined, false, iso());
          continue;
        }
      }
      if (!page.ok) {
        // The helpdesk is down or limiting us: the cursor stays, and the page is asked again.
        failures += 1;
        const wait = Math.min(MAX_RETRY_WAIT_MS, 1_000 * 2 ** Math.min(failures, 6));
        logger.warn('reading a backfill page failed; trying again', {
          backfillId: id,
          error: page.error.message,
          waitMs: wait,
        });
        await sleep(wait);
        continue;
      }
      failures = 0;
      if (backfill.cursor !== undefined) cursorRefusals = 0;
      if (page.value.restarted) {
        logger.warn(
          'the backfill query cursor had expired; reading the matches again from the first page (those already queued do not run again)',
          { backfillId: id },
        );
      }
      for (const targetId of page.value.ids) {
        const payload: BackfillPayload = { backfillId: id, connectorId: backfill.connectorId };
        await queue.enqueue({
          system: backfill.system,
          workflowId,
          dedupeKey: `backfill:${id}:${targetId}`,
          target: { type: backfill.query.targetType, id: targetId },
          payload: { ...payload },
        });
      }
      const last = page.value.cursor === undefined || page.value.ids.length === 0;
      if (!(await store.savePage(id, readerId, page.value.cursor, last, iso()))) {
        // Our lease ran out during the read and another instance took over from the cursor
        // saved before: it queues these matches again, and the dedupe keys make that a no-op.
        logger.info('another instance took over reading a backfill', { backfillId: id });
        continue;
      }
      options.kick();
      // Stopped while this page was queued: what it queued after the hold is held too.
      if ((await store.get(id))?.state === 'paused') await queue.holdWorkflow(workflowId, true);
    }
  }

  function launch(id: string): void {
    if (closed || loops.has(id)) return;
    const loop = drive(id)
      .catch((error: unknown) =>
        logger.error('a backfill stopped on an error', { error, backfillId: id }),
      )
      // Paused, done or shutting down: another instance may read on at once (resume, restart).
      .finally(() => store.releaseReader(id, readerId))
      .catch((error: unknown) =>
        logger.warn('giving up the reading of a backfill failed', { error, backfillId: id }),
      )
      .finally(() => loops.delete(id));
    loops.set(id, loop);
  }

  async function find(id: string): Answer<Backfill> {
    const backfill = await store.get(id);
    return backfill
      ? { ok: true, value: backfill }
      : fail('BACKFILL_NOT_FOUND', `There is no backfill "${id.slice(0, 40)}".`);
  }

  async function dryRun(planned: PlannedBackfill): Answer<BackfillDryRun> {
    const { helpdesk } = planned;
    const count = await helpdesk.countTargets(planned.query);
    if (!count.ok) return queryFailed(count.error);
    const page = await helpdesk.findTargets(planned.query, undefined);
    if (!page.ok) return queryFailed(page.error);
    const renders: BackfillDryRun['renders'] = [];
    for (const targetId of page.value.ids.slice(0, DRY_RUN_RENDERS)) {
      const tested = await testConnector(options.run, {
        connectorId: planned.connectorId,
        system: planned.system,
        targetId,
        targetType: planned.query.targetType,
        inputs: {},
        mode: 'preview',
        confirmed: false,
        actor: { name: 'backfill dry run' },
      });
      renders.push(
        tested.ok ? { targetId, report: tested.value } : { targetId, error: tested.error },
      );
    }
    return {
      ok: true,
      value: {
        dryRun: true,
        connectorId: planned.connectorId,
        system: planned.system,
        query: { kind: planned.query.kind, text: planned.query.text },
        count: count.value,
        renders,
      },
    };
  }

  return {
    async start(input) {
      const planned = plan(input);
      if (!planned.ok) return planned;
      if (input.dryRun) return dryRun(planned.value);
      // Counting first also checks the query: a bad one is refused now, not retried for ever.
      const count = await planned.value.helpdesk.countTargets(planned.value.query);
      if (!count.ok) return queryFailed(count.error);
      const at = iso();
      const backfill: Backfill = {
        id: createBackfillId(now()),
        connectorId: planned.value.connectorId,
        system: planned.value.system,
        query: planned.value.query,
        state: 'running',
        cursor: undefined,
        enumerated: false,
        total: count.value,
        createdAt: at,
        updatedAt: at,
        finishedAt: undefined,
        error: undefined,
      };
      await store.create(backfill);
      logger.info('backfill started', {
        backfillId: backfill.id,
        connectorId: backfill.connectorId,
        total: count.value,
      });
      launch(backfill.id);
      return { ok: true, value: await describe(backfill) };
    },

    async progress(id) {
      const found = await find(id);
      return found.ok ? { ok: true, value: await describe(found.value) } : found;
    },

    async list(limit) {
      return Promise.all((await store.list(limit)).map(describe));
    },

    async failures(id, limit) {
      const found = await find(id);
      if (!found.ok) return found;
      const page = await queue.list({
        workflowId: backfillWorkflowId(id),
        state: 'dead',
        limit,
      });
      return {
        ok: true,
        value: page.deliveries.map((delivery) => ({
          deliveryId: delivery.id,
          targetId: delivery.target.id,
          code: delivery.lastError?.code ?? 'UNKNOWN',
          message: delivery.lastError?.message ?? delivery.message ?? '',
        })),
      };
    },

    async stop(id) {
      const found = await find(id);
      if (!found.ok) return found;
      // A failed one may still have matches queued from before: stopping holds them.
      const stopped = await store.setState(id, ['running', 'failed'], 'paused', iso());
      if (!stopped) {
        return fail(
          'BACKFILL_STATE_CONFLICT',
          `Backfill ${id} is ${found.value.state}, not running.`,
        );
      }
      await queue.holdWorkflow(backfillWorkflowId(id), true);
      return { ok: true, value: await describe(stopped) };
    },

    async resume(id) {
      const found = await find(id);
      if (!found.ok) return found;
      // A failed one asks the helpdesk again: its query may hold once the cause is mended.
      const resumed = await store.setState(id, ['paused', 'failed'], 'running', iso());
      if (!resumed) {
        return fail(
          'BACKFILL_STATE_CONFLICT',
          `Backfill ${id} is ${found.value.state}, not stopped or failed.`,
        );
      }
      await queue.holdWorkflow(backfillWorkflowId(id), false);
      options.kick();
      launch(id);
      return { ok: true, value: await describe(resumed) };
    },

    async retryFailed(id) {
      const found = await find(id);
      if (!found.ok) return found;
      if (found.value.state === 'paused') {
        return fail('BACKFILL_STATE_CONFLICT', `Backfill ${id} is stopped; resume it first.`);
      }
      const workflowId = backfillWorkflowId(id);
      let requeued = 0;
      for (;;) {
        const page = await queue.list({ workflowId, state: 'dead', limit: FAILURE_PAGE });
        for (const delivery of page.deliveries) {
          // The failed run's mark would make the re-run skip it: forget it, so it runs again.
          await queue.forgetStep(delivery.id, BACKFILL_RUN_STEP_ID);
          if (await queue.requeueDead(delivery.id)) requeued += 1;
        }
        if (page.deliveries.length < FAILURE_PAGE) break;
      }
      const backfill =
        requeued > 0 && found.value.state === 'done'
          ? ((await store.setState(id, ['done'], 'running', iso())) ?? found.value)
          : found.value;
      options.kick();
      if (backfill.state === 'running') launch(id);
      return { ok: true, value: { ...(await describe(backfill)), requeued } };
    },

    async continueRunning() {
      for (const backfill of await store.listInState('running')) {
        logger.info('continuing a backfill', {
          backfillId: backfill.id,
          cursor: backfill.cursor !== undefined,
        });
        launch(backfill.id);
      }
    },

    async close() {
      closed = true;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      timers.clear();
      await Promise.allSettled([...loops.values()]);
    },
  };
}
