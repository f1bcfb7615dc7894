/**
 * What the alerts keep per connector, and the store contract every backend implements (SQLite
 * now, `alerts.sqlite`; PostgreSQL later for several instances). The operations that decide
 * "once per incident" are compare-and-set in the store (`openIncident` opens only when none is
 * open, `closeIncident` closes only an open one), so two instances seeing runs of one connector
 * still notify once; everything else is plain reads and writes.
 */

export interface AlertIncident {
  /** ISO 8601: when the rule tripped. */
  since: string;
  /** The rule that tripped, in words: "3 failures in a row". */
  reason: string;
}

/** A failed run as the alerts remember it: as redacted as the run log's record. */
export interface AlertFailure {
  runId: string;
  errorCode: string | undefined;
  /** The message the agent got (the record's `message`). */
  message: string;
  /** ISO 8601. */
  at: string;
}

export interface AlertState {
  connectorId: string;
  /** Real runs that failed since the last healthy one. */
  failuresInARow: number;
  incident: AlertIncident | undefined;
  paused: { since: string } | undefined;
  lastFailure: AlertFailure | undefined;
}

export interface RunCounts {
  runs: number;
  failures: number;
}

export interface CountedRun {
  state: AlertState;
  /** The runs in the window asked for, this one included; undefined when none was asked. */
  window: RunCounts | undefined;
}

export interface AlertStore {
  /**
   * Counts one real run of a connector, at once: its failures in a row (a healthy run resets
   * them), its last failure, and, given `windowStartMs`, the run among those of its window
   * (older ones are forgotten). Resolves to the connector's state after it.
   */
  countRun(
    connectorId: string,
    run: { atMs: number; failure: AlertFailure | undefined },
    windowStartMs: number | undefined,
  ): Promise<CountedRun>;
  /**
   * Opens an incident, and pauses the connector with it when `pause`, unless one is open
   * already: true only for the call that opened it.
   */
  openIncident(connectorId: string, incident: AlertIncident, pause: boolean): Promise<boolean>;
  /** Closes the open incident: the one it closed, or undefined when none was open. */
  closeIncident(connectorId: string): Promise<AlertIncident | undefined>;
  /** Lifts the pause (the incident stays open until a healthy run): whether it was paused. */
  resume(connectorId: string): Promise<boolean>;
  get(connectorId: string): Promise<AlertState | undefined>;
  /** Every connector the alerts have seen, by id. */
  list(): Promise<AlertState[]>;
  close(): Promise<void>;
}
