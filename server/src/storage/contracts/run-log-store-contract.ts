import { afterEach, describe, expect, it } from 'vitest';
import { buildTestRun } from '../../run-log/build-test-run';
import { createRunId } from '../../run-log/run-record';
import type {
  ConnectorRunRecord,
  RunLogStore,
  RunQuery,
  RunRecord,
} from '../../run-log/run-record';

/**
 * What every RunLogStore must do, whatever the database: run by each implementation's test file
 * with a factory that opens an empty store (retention long enough to keep the fixed dates here).
 */
export function describeRunLogStoreContract(
  name: string,
  openEmpty: () => Promise<RunLogStore>,
): void {
  const T0 = Date.parse('2025-03-01T00:00:00.000Z');
  const MINUTE = 60_000;
  const DAY = 86_400_000;
  const opened: RunLogStore[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  async function open(): Promise<RunLogStore> {
    const store = await openEmpty();
    opened.push(store);
    return store;
  }

  function runAt(ms: number, overrides: Partial<ConnectorRunRecord> = {}): ConnectorRunRecord {
    const startedAt = new Date(ms).toISOString();
    return buildTestRun({ id: createRunId(ms), startedAt, ...overrides });
  }

  async function recordAll(store: RunLogStore, runs: RunRecord[]): Promise<void> {
    for (const run of runs) await store.record(run);
  }

  const ids = (runs: RunRecord[]): string[] => runs.map((run) => run.id);

  describe(`${name}: record and get`, () => {
    it('returns exactly what was recorded, including optional parts', async () => {
      const store = await open();
      const run = runAt(T0, {
        source: 'salesforce',
        actor: { kind: 'admin', email: 'root@example.com' },
        target: { system: 'salesforce', type: 'Case', id: '500Dn00000AbCdEFGH', commentId: 'c1' },
        outcome: 'failed',
        errorCode: 'UPSTREAM_TIMEOUT',
        message: 'Timed out after 10 s',
        dryRun: true,
        request: {
          method: 'GET',
          url: 'https://api.example.com/orders/7731',
          headers: { accept: 'application/json' },
        },
        response: {
          status: 504,
          headers: { 'content-type': 'text/plain' },
          body: 'gateway timeout',
          truncated: false,
        },
        writes: { status: 'failed', changes: null, error: { code: 'WRITE_FAILED', message: 'no' } },
        attempts: 3,
        durationMs: 10_012.5,
        idempotencyKey: 'idem-1',
      });
      await store.record(run);
      expect(await store.get(run.id)).toEqual(run);
    });

    it('answers undefined for an unknown id', async () => {
      expect(await (await open()).get(createRunId())).toBeUndefined();
    });

    it('keeps the instant of a startedAt given with an offset and returns it in UTC', async () => {
      const store = await open();
      const run = buildTestRun({ startedAt: '2025-03-01T14:00:00+02:00' });
      await store.record(run);
      expect((await store.get(run.id))?.startedAt).toBe('2025-03-01T12:00:00.000Z');
    });

    it('refuses an invalid run instead of storing a row it could not read back', async () => {
      const store = await open();
      const run = { ...buildTestRun(), outcome: 'maybe' } as unknown as RunRecord;
      await expect(store.record(run)).rejects.toThrow(/outcome/);
      expect(await store.count()).toBe(0);
    });
  });

  describe(`${name}: group commit`, () => {
    it('commits runs recorded together, and refuses an invalid one to its own caller only', async () => {
      const store = await open();
      const good = [buildTestRun(), buildTestRun(), buildTestRun()];
      const bad = { ...buildTestRun(), connectorId: '' };
      const results = await Promise.allSettled([
        store.record(good[0] as RunRecord),
        store.record(bad as RunRecord),
        store.record(good[1] as RunRecord),
        store.record(good[2] as RunRecord),
      ]);
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      expect(await store.count()).toBe(3);
      for (const run of good) expect((await store.get(run.id))?.id).toBe(run.id);
    });

    it('has a run committed by the time its record() resolves', async () => {
      const store = await open();
      const run = buildTestRun();
      await store.record(run);
      expect(await store.get(run.id)).toMatchObject({ id: run.id });
    });
  });

  describe(`${name}: query`, () => {
    // A small log: two connectors, two systems, three outcomes, one run per minute.
    const runs = (
      [
        ['orders', 'zendesk', '1', 'success', undefined],
        ['orders', 'zendesk', '2', 'failed', 'UPSTREAM_TIMEOUT'],
        ['billing', 'zendesk', '1', 'empty', undefined],
        ['billing', 'salesforce', '1', 'success', undefined],
        ['orders', 'salesforce', '9', 'failed', 'UPSTREAM_HTTP_ERROR'],
      ] as const
    ).map(([connectorId, system, id, outcome, errorCode], minute) =>
      runAt(T0 + minute * MINUTE, {
        connectorId,
        target: { system, type: system === 'zendesk' ? 'ticket' : 'Case', id },
        outcome,
        ...(errorCode === undefined ? {} : { errorCode }),
      }),
    );
    const [r0, r1, r2, r3, r4] = runs as [RunRecord, RunRecord, RunRecord, RunRecord, RunRecord];

    async function queryIds(q: RunQuery): Promise<string[]> {
      const store = await open();
      await recordAll(store, runs);
      return ids((await store.query(q)).runs);
    }

    it('returns every run newest first without filters', async () => {
      expect(await queryIds({})).toEqual(ids([r4, r3, r2, r1, r0]));
    });

    it('filters by connector', async () => {
      expect(await queryIds({ connectorId: 'billing' })).toEqual(ids([r3, r2]));
    });

    it('filters by ticket within one system', async () => {
      expect(await queryIds({ targetSystem: 'zendesk', targetId: '1' })).toEqual(ids([r2, r0]));
    });

    it('finds a ticket or record id across both systems when no system is given', async () => {
      expect(await queryIds({ targetId: '1' })).toEqual(ids([r3, r2, r0]));
    });

    it('filters by system alone', async () => {
      expect(await queryIds({ targetSystem: 'salesforce' })).toEqual(ids([r4, r3]));
    });

    it('filters by outcome', async () => {
      expect(await queryIds({ outcome: 'failed' })).toEqual(ids([r4, r1]));
    });

    it('filters by error code, alone and with other filters', async () => {
      expect(await queryIds({ errorCode: 'UPSTREAM_TIMEOUT' })).toEqual(ids([r1]));
      expect(await queryIds({ errorCode: 'UPSTREAM_HTTP_ERROR', connectorId: 'orders' })).toEqual(
        ids([r4]),
      );
      expect(await queryIds({ errorCode: 'UPSTREAM_TIMEOUT', targetId: '9' })).toEqual([]);
      expect(await queryIds({ errorCode: 'NOT_A_CODE_ANY_RUN_HAS' })).toEqual([]);
    });

    it('treats since as inclusive and until as exclusive', async () => {
      const since = new Date(T0 + 1 * MINUTE).toISOString();
      const until = new Date(T0 + 3 * MINUTE).toISOString();
      expect(await queryIds({ since })).toEqual(ids([r4, r3, r2, r1]));
      expect(await queryIds({ until })).toEqual(ids([r2, r1, r0]));
      expect(await queryIds({ since, until })).toEqual(ids([r2, r1]));
    });

    it('combines filters with AND', async () => {
      expect(await queryIds({ connectorId: 'orders', outcome: 'failed' })).toEqual(ids([r4, r1]));
      expect(
        await queryIds({ connectorId: 'orders', targetSystem: 'zendesk', targetId: '1' }),
      ).toEqual(ids([r0]));
      expect(await queryIds({ connectorId: 'billing', outcome: 'failed' })).toEqual([]);
    });

    it('orders runs that started in the same millisecond by id, newest id first', async () => {
      const store = await open();
      const sameTime = Array.from({ length: 5 }, () => runAt(T0));
      await recordAll(store, sameTime);
      expect(ids((await store.query({})).runs)).toEqual(ids(sameTime).sort().reverse());
    });

    it('defaults to 50 runs a page and never returns more than 500', async () => {
      const store = await open();
      await recordAll(
        store,
        Array.from({ length: 501 }, (_, i) => runAt(T0 + i)),
      );
      expect((await store.query({})).runs).toHaveLength(50);
      expect((await store.query({ limit: 10_000 })).runs).toHaveLength(500);
      expect((await store.query({ limit: 0 })).runs).toHaveLength(1);
    });
  });

  describe(`${name}: keyset pagination`, () => {
    it('walks every run exactly once, newest first, and ends without a cursor', async () => {
      const store = await open();
      // Pairs share a start time so pages must split ties by id.
      const runs = Array.from({ length: 23 }, (_, i) => runAt(T0 + Math.floor(i / 2) * 1000));
      await recordAll(store, runs);
      const expected = ids((await store.query({ limit: 500 })).runs);

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.query({ limit: 5, ...(cursor && { cursor }) });
        seen.push(...ids(page.runs));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);

      expect(pages).toBe(5);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(23);
    });

    it('keeps later pages stable when new runs arrive while paging', async () => {
      const store = await open();
      const runs = Array.from({ length: 10 }, (_, i) => runAt(T0 + i * MINUTE));
      await recordAll(store, runs);
      const first = await store.query({ limit: 4 });
      await store.record(runAt(T0 + 60 * MINUTE));
      const second = await store.query({ limit: 4, cursor: first.nextCursor });
      expect(ids(second.runs)).toEqual(ids(runs.slice(2, 6).reverse()));
    });

    it('applies filters on every page', async () => {
      const store = await open();
      const runs = Array.from({ length: 12 }, (_, i) =>
        runAt(T0 + i * MINUTE, { connectorId: i % 2 === 0 ? 'even' : 'odd' }),
      );
      await recordAll(store, runs);
      const first = await store.query({ connectorId: 'even', limit: 4 });
      const second = await store.query({ connectorId: 'even', limit: 4, cursor: first.nextCursor });
      expect(
        [...first.runs, ...second.runs].every(
          (run) => run.kind === 'connector' && run.connectorId === 'even',
        ),
      ).toBe(true);
      expect(second.runs).toHaveLength(2);
      expect(second.nextCursor).toBeUndefined();
    });

    it('has no next cursor when the last page is exactly full', async () => {
      const store = await open();
      await recordAll(store, [runAt(T0), runAt(T0 + 1)]);
      expect((await store.query({ limit: 2 })).nextCursor).toBeUndefined();
    });

    it('stops a page at its byte budget, with a cursor that goes on where it stopped', async () => {
      const store = await open();
      // 30 runs of about 20 kB each: 600 kB in all.
      const runs = Array.from({ length: 30 }, (_, i) =>
        runAt(T0 + i * MINUTE, { message: `${i}:`.padEnd(20_000, 'x') }),
      );
      await recordAll(store, runs);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.query({
          limit: 500,
          maxBytes: 100_000,
          ...(cursor && { cursor }),
        });
        const bytes = page.runs.reduce((n, run) => n + JSON.stringify(run).length, 0);
        // Never over the budget; never an empty page while runs remain.
        expect(bytes).toBeLessThanOrEqual(100_000);
        expect(page.runs.length).toBeGreaterThan(0);
        seen.push(...ids(page.runs));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBeGreaterThanOrEqual(6);
      expect(seen).toEqual(ids(runs).reverse());
    });

    it('returns one run even when that run alone is over the budget', async () => {
      const store = await open();
      await recordAll(store, [
        runAt(T0, { message: 'a'.repeat(5_000) }),
        runAt(T0 + 1, { message: 'b'.repeat(5_000) }),
      ]);
      const first = await store.query({ maxBytes: 10 });
      expect(first.runs).toHaveLength(1);
      const second = await store.query({ maxBytes: 10, cursor: first.nextCursor });
      expect(second.runs).toHaveLength(1);
      expect(second.nextCursor).toBeUndefined();
    });

    it('rejects a cursor that was not issued by the store', async () => {
      await expect((await open()).query({ cursor: 'bogus!' })).rejects.toThrow(/cursor/);
    });
  });

  describe(`${name}: what ran`, () => {
    it('keeps workflow and macro entries with their kind and id; connector filters skip them', async () => {
      const store = await open();
      const { connectorId: _unused, kind: _kind, ...base } = runAt(T0);
      const workflowRun: RunRecord = {
        ...base,
        id: createRunId(T0 + 1),
        kind: 'workflow',
        workflowId: 'order-lookup',
      };
      const macroRun: RunRecord = {
        ...base,
        id: createRunId(T0 + 2),
        kind: 'macro',
        macroId: 'order-lookup',
      };
      const connectorRun = runAt(T0 + 3);
      await recordAll(store, [workflowRun, macroRun, connectorRun]);
      expect(await store.get(workflowRun.id)).toEqual(workflowRun);
      expect(await store.get(macroRun.id)).toEqual(macroRun);
      // The three share the id "order-lookup": only the connector run is that connector's.
      expect(ids((await store.query({ connectorId: 'order-lookup' })).runs)).toEqual([
        connectorRun.id,
      ]);
      expect(Object.keys(await store.lastRunsFor(connectorRun.target))).toEqual(['order-lookup']);
      expect((await store.lastRunsFor(connectorRun.target))['order-lookup']?.id).toBe(
        connectorRun.id,
      );
    });

    it('keeps customer verification entries with their event, on the ticket', async () => {
      const store = await open();
      const { connectorId: _unused, kind: _kind, ...base } = runAt(T0);
      const verified: RunRecord = {
        ...base,
        id: createRunId(T0 + 1),
        kind: 'verification',
        event: 'verified',
        actor: { kind: 'ai_agent', name: 'Zendesk AI agent' },
        source: 'mcp',
      };
      await recordAll(store, [verified]);
      expect(await store.get(verified.id)).toEqual(verified);
      expect(ids((await store.query({ targetId: verified.target.id })).runs)).toEqual([
        verified.id,
      ]);
      expect(await store.lastRunsFor(verified.target)).toEqual({});
    });
  });

  describe(`${name}: lastRunsFor`, () => {
    const ticket = { system: 'zendesk', type: 'ticket', id: '77' } as const;

    it('returns the latest run of each connector for one ticket', async () => {
      const store = await open();
      const oldOrders = runAt(T0, { connectorId: 'orders', target: ticket });
      const newOrders = runAt(T0 + MINUTE, {
        connectorId: 'orders',
        target: ticket,
        outcome: 'failed',
      });
      const billing = runAt(T0 + 2 * MINUTE, { connectorId: 'billing', target: ticket });
      const otherTicket = runAt(T0 + 3 * MINUTE, {
        connectorId: 'shipping',
        target: { ...ticket, id: '78' },
      });
      const sameIdOtherSystem = runAt(T0 + 4 * MINUTE, {
        connectorId: 'crm',
        target: { system: 'salesforce', type: 'Case', id: '77' },
      });
      await recordAll(store, [oldOrders, newOrders, billing, otherTicket, sameIdOtherSystem]);

      expect(await store.lastRunsFor({ system: 'zendesk', id: '77' })).toEqual({
        orders: newOrders,
        billing,
      });
    });

    it('limits the answer to the connectors asked for', async () => {
      const store = await open();
      await recordAll(store, [
        runAt(T0, { connectorId: 'orders', target: ticket }),
        runAt(T0 + 1, { connectorId: 'billing', target: ticket }),
      ]);
      const latest = await store.lastRunsFor({ system: 'zendesk', id: '77' }, [
        'billing',
        'absent',
      ]);
      expect(Object.keys(latest)).toEqual(['billing']);
      expect(await store.lastRunsFor({ system: 'zendesk', id: '77' }, [])).toEqual({});
    });

    it('picks the highest id when two runs of a connector started in the same millisecond', async () => {
      const store = await open();
      const pair = [runAt(T0, { target: ticket }), runAt(T0, { target: ticket })];
      await recordAll(store, pair);
      const newest = [...ids(pair)].sort().at(-1);
      expect((await store.lastRunsFor({ system: 'zendesk', id: '77' }))['order-lookup']?.id).toBe(
        newest,
      );
    });
  });

  describe(`${name}: surface and actor filters`, () => {
    it('finds runs by where they were asked for and by who ran them', async () => {
      const store = await open();
      const at = (minute: number) => new Date(Date.UTC(2025, 2, 1, 12, minute)).toISOString();
      const sidebar = buildTestRun({ startedAt: at(1) });
      const agentTool = buildTestRun({
        startedAt: at(2),
        source: 'mcp',
        actor: { kind: 'ai_agent', id: 'key-7', name: 'Support bot' },
      });
      const otherAgent = buildTestRun({
        startedAt: at(3),
        actor: { kind: 'agent', id: '43', name: 'Bo', email: 'bo@example.com' },
      });
      const automation = buildTestRun({
        startedAt: at(4),
        source: 'automation',
        actor: { kind: 'system' },
      });
      for (const run of [sidebar, agentTool, otherAgent, automation]) await store.record(run);
      const ids = async (q: RunQuery) => (await store.query(q)).runs.map((run) => run.id);
      expect(await ids({ source: 'mcp' })).toEqual([agentTool.id]);
      expect(await ids({ source: 'zendesk' })).toEqual([otherAgent.id, sidebar.id]);
      expect(await ids({ actor: { kind: 'agent' } })).toEqual([otherAgent.id, sidebar.id]);
      expect(await ids({ actor: { kind: 'agent', id: '42' } })).toEqual([sidebar.id]);
      expect(await ids({ actor: { kind: 'system' } })).toEqual([automation.id]);
      expect(await ids({ actor: { kind: 'agent' }, source: 'automation' })).toEqual([]);
      expect(await ids({ actor: { kind: 'ai_agent' }, outcome: 'success' })).toEqual([
        agentTool.id,
      ]);
    });
  });

  describe(`${name}: summarize`, () => {
    it('counts real runs and failures since a time, and names the latest run of any age', async () => {
      const store = await open();
      const at = (hour: number) => new Date(Date.UTC(2025, 2, 1, hour)).toISOString();
      const old = buildTestRun({
        startedAt: at(1),
        outcome: 'failed',
        errorCode: 'UPSTREAM_TIMEOUT',
      });
      const ok = buildTestRun({ startedAt: at(10) });
      const failed = buildTestRun({
        startedAt: at(11),
        outcome: 'failed',
        errorCode: 'UPSTREAM_HTTP_ERROR',
      });
      const dry = buildTestRun({ startedAt: at(12), outcome: 'failed', dryRun: true });
      const other = buildTestRun({ startedAt: at(13), connectorId: 'other' });
      for (const run of [old, ok, failed, dry, other]) await store.record(run);
      const summary = await store.summarize(
        ['order-lookup', 'other', 'never-ran'],
        new Date(Date.UTC(2025, 2, 1, 9)),
      );
      expect(summary['order-lookup']).toEqual({
        runs: 2,
        failed: 1,
        lastRun: { id: dry.id, startedAt: dry.startedAt, outcome: 'failed', dryRun: true },
      });
      expect(summary['other']).toMatchObject({ runs: 1, failed: 0, lastRun: { id: other.id } });
      expect(summary['never-ran']).toEqual({ runs: 0, failed: 0 });
    });
  });

  describe(`${name}: prune`, () => {
    it('deletes exactly the runs that started before the cutoff', async () => {
      const store = await open();
      const cutoff = T0 + 10 * MINUTE;
      const old = Array.from({ length: 10 }, (_, i) => runAt(cutoff - 1 - i * MINUTE));
      const kept = [runAt(cutoff), runAt(cutoff + 1), runAt(cutoff + DAY)];
      await recordAll(store, [...old, ...kept]);

      expect(await store.prune(new Date(cutoff))).toBe(10);
      expect(await store.count()).toBe(3);
      expect(ids((await store.query({})).runs).sort()).toEqual(ids(kept).sort());
      expect(await store.prune(new Date(cutoff))).toBe(0);
    });
  });
}
