/**
 * Remembers the result of a run request by its Idempotency-Key, so a double click or a client's
 * retry replays the first answer instead of calling the external system twice. Keys are scoped to
 * the caller, stored with a fingerprint of the request (the same key with a different body is a
 * client bug and is refused), and kept 24 hours, in a database (sqlite-idempotency-store.ts), so
 * a retry after a server restart is still recognised.
 */

export type BeginResult =
  | { state: 'new' }
  | { state: 'done'; result: unknown }
  | { state: 'in_progress' }
  /** The request was sent and never finished (the server stopped): it is not sent again. */
  | { state: 'unknown'; runId: string | undefined }
  | { state: 'mismatch' };

/** Async, so a store on another database (Postgres) fits the same interface. */
export interface IdempotencyStore {
  begin(scope: string, key: string, fingerprint: string): Promise<BeginResult>;
  /**
   * The run is about to send its request: from now on the key is never released for a resend,
   * even if the server dies before `complete` (a repeat then learns the outcome is unknown).
   */
  markSent(scope: string, key: string, runId: string): Promise<void>;
  complete(scope: string, key: string, result: unknown): Promise<void>;
  /**
   * Forget a key whose request was refused before anything was sent, so it can be retried. A
   * key already marked sent is kept.
   */
  abandon(scope: string, key: string): Promise<void>;
  close(): Promise<void>;
}
