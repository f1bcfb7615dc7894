/**
 * What customer verification by email code keeps (email-code-verification.ts): per ticket and
 * requester, the code as a keyed hash, when it expires, the tries used and until when the
 * requester counts as verified; per requester, when codes were sent, for the send limits. Async,
 * so a store on another database fits the same interface; each implementation passes
 * storage/contracts/verification-store-contract.ts.
 */

/** Whose verification this is: a customer (the helpdesk's requester) on one ticket or record. */
export interface VerificationSubject {
  /** The ticket or record, e.g. `zendesk:123`; a code for one never verifies another. */
  ticketKey: string;
  /** Lowercased by the caller, so `Ann@x.com` and `ann@x.com` share their limits. */
  requesterEmail: string;
}

export type TakeTryResult =
  | { state: 'no_code' }
  /** Every try was used: only a new code helps. No try is counted. */
  | { state: 'locked' }
  /** One try was counted (atomically: parallel guesses cannot get past the limit). */
  | { state: 'try'; codeHash: Buffer; expiresAt: number; triesUsed: number };

export type ReserveSendResult =
  | { reserved: true }
  /** A limit is reached; `retryAt` (ms) is when the first send in the way leaves its window. */
  | { reserved: false; retryAt: number };

export interface SendLimit {
  windowMs: number;
  max: number;
}

export interface VerificationStore {
  /**
   * HMAC-SHA256 of the code, bound to its subject, under a random key this store keeps: a hash
   * read elsewhere (a backup, a copied row) neither reveals the code nor fits another ticket.
   * Always 32 bytes, so hashes compare in constant time.
   */
  hashCode(subject: VerificationSubject, code: string): Promise<Buffer>;
  /** Stores a new code, replacing the previous one and its tries; a verified state stays. */
  replaceCode(
    subject: VerificationSubject,
    code: { codeHash: Buffer; expiresAt: number },
  ): Promise<void>;
  /** Counts one try of the current code, unless `maxTries` were already used. */
  takeTry(subject: VerificationSubject, maxTries: number): Promise<TakeTryResult>;
  /** The code was right: it is used up, and the subject is verified until `until` (ms). */
  markVerified(subject: VerificationSubject, until: number): Promise<void>;
  /** Until when (ms) the subject is verified, or undefined if it never was. */
  verifiedUntil(subject: VerificationSubject): Promise<number | undefined>;
  /**
   * Records a send to the requester at `at` (ms) if every limit still allows one, in one step,
   * so parallel sends cannot pass a limit together. Sends older than the longest window are
   * forgotten.
   */
  reserveSend(
    requesterEmail: string,
    at: number,
    limits: readonly SendLimit[],
  ): Promise<ReserveSendResult>;
  close(): Promise<void>;
}
