import type { RunLogStore, RunRecord } from '../run-log/run-record';

/**
 * The run log, telling `onRecorded` of every run it is given to record. start-server.ts wraps the
 * real store with it for the alerts.
 *
 * Why a decorator around the store rather than a call in the pipeline (run-log/record-run.ts):
 * every run reaches the run log exactly once (docs/architecture.md), from the sidebar, Apex,
 * automations, macros and MCP alike, so this sees them all without any surface or the pipeline
 * knowing alerts exist; tests and tools that use a plain store are unaffected. The run is
 * observed whether or not the store managed to keep it: a failing run log must not also hide
 * a failing connector.
 *
 * `onRecorded` must return at once and never throw (the alert monitor queues its work): the
 * caller of `record` is a run waiting to answer.
 */
export function observeRunLog(
  runLog: RunLogStore,
  onRecorded: (run: RunRecord) => void,
): RunLogStore {
  return {
    record: async (run) => {
      try {
        await runLog.record(run);
      } finally {
        onRecorded(run);
      }
    },
    get: (id) => runLog.get(id),
    query: (q) => runLog.query(q),
    lastRunsFor: (target, connectorIds) => runLog.lastRunsFor(target, connectorIds),
    summarize: (connectorIds, since) => runLog.summarize(connectorIds, since),
    prune: (olderThan) => runLog.prune(olderThan),
    count: () => runLog.count(),
    close: () => runLog.close(),
  };
}
