import type Database from 'better-sqlite3';

/**
 * Group commit for a SQLite file written with `synchronous = FULL`: the writes made in one turn of
 * the event loop share one transaction, so one fsync, and each writer's promise settles only once
 * that transaction is committed. What a writer is told has been stored has been stored, as with a
 * commit per write.
 *
 * Why: better-sqlite3 is synchronous, so every commit's fsync holds the event loop (0.15–0.4 ms
 * on this project's disks, more when the disk is busy). A burst of deliveries made four or five
 * commits each, and the sidebar's runs waited behind them (docs/performance.md, "Bursts and
 * backfills"). Sharing the commit keeps the durability and drops most of the fsyncs.
 *
 * Each write runs at once, in a savepoint of the turn's transaction: a write that throws is
 * undone alone and rejects its own caller. A commit that fails rejects every write of the turn,
 * and none of them is kept.
 */
export interface SqliteGroupCommit {
  /** Runs `write` now; resolves with its value once the turn's transaction is committed. */
  write<T>(write: () => T): Promise<T>;
  /** Commits the open turn at once (before closing the database). */
  flush(): void;
}

interface Waiter {
  settle: () => void;
  reject: (error: unknown) => void;
}

export function createSqliteGroupCommit(db: Database.Database): SqliteGroupCommit {
  // Writers waiting for the open transaction's commit; undefined when none is open.
  let waiters: Waiter[] | undefined;

  const commit = () => {
    const batch = waiters;
    if (!batch) return;
    waiters = undefined;
    try {
      db.exec('COMMIT');
    } catch (error) {
      // A failed COMMIT can leave the transaction open (a deferred constraint, SQLITE_BUSY).
      if (db.inTransaction) db.exec('ROLLBACK');
      for (const waiter of batch) waiter.reject(error);
      return;
    }
    for (const waiter of batch) waiter.settle();
  };

  /** Ends a turn whose transaction SQLite rolled back by itself (disk full, I/O error). */
  const abandon = (error: unknown) => {
    const batch = waiters ?? [];
    waiters = undefined;
    for (const waiter of batch) waiter.reject(error);
  };

  return {
    write<T>(write: () => T): Promise<T> {
      if (!waiters) {
        try {
          db.exec('BEGIN IMMEDIATE');
        } catch (error) {
          // Locked by another process past the busy timeout: this write fails, as a value.
          return Promise.reject(error);
        }
        waiters = [];
        setImmediate(commit);
      }
      let value: T;
      try {
        // Nested inside the open transaction, better-sqlite3 makes this a savepoint.
        value = db.transaction(write)();
      } catch (error) {
        if (!db.inTransaction) abandon(error);
        return Promise.reject(error);
      }
      const batch = waiters;
      return new Promise<T>((resolve, reject) => {
        batch.push({ settle: () => resolve(value), reject });
      });
    },
    flush: commit,
  };
}
