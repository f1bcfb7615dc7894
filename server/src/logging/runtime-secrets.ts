/**
 * Credentials the server learns while it runs rather than from its configuration: OAuth access
 * tokens fetched from a token endpoint, and the encoded forms of configured credentials as they
 * went on the wire. The redactor masks them like configured secrets, so an upstream that echoes
 * its Authorization header cannot put the token into a log line, an answer or a ticket.
 *
 * Bounded: the oldest values go first, so a token that rotates every minute for a year does not
 * grow the set (an expired token is worthless anyway).
 */
export interface RuntimeSecrets {
  add(value: string): void;
  values(): readonly string[];
  /** Changes whenever the set does, so a redactor can keep its compiled pattern until then. */
  version(): number;
}

/** Shorter values could match ordinary text; no real token is this short. */
const MIN_LENGTH = 8;

export function createRuntimeSecrets(limit = 256): RuntimeSecrets {
  const set = new Set<string>();
  let version = 0;
  let snapshot: readonly string[] = [];
  return {
    add(value) {
      if (value.length < MIN_LENGTH || set.has(value)) return;
      set.add(value);
      if (set.size > limit) {
        const oldest = set.values().next();
        if (!oldest.done) set.delete(oldest.value);
      }
      version += 1;
      snapshot = [...set];
    },
    values: () => snapshot,
    version: () => version,
  };
}
