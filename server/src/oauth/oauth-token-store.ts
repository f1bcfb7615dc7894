/**
 * Where `oauth2AuthorizationCode` connections keep their tokens, one row per connection. The
 * tokens arrive already sealed (secrets/token-cipher.ts): a store never sees them in clear, so another
 * database (PostgreSQL for scale-out) only has to keep rows. What is in clear is what the console
 * shows: the state, who connected it and when, and why it needs reconnecting.
 */

export type ConnectionTokenState = 'connected' | 'needs_reconnect';

export interface StoredConnectionTokens {
  connectionId: string;
  /**
   * A fingerprint of the client the tokens were issued to (token URL and client id): tokens of a
   * client the config no longer names are not used.
   */
  clientKey: string;
  state: ConnectionTokenState;
  /** The tokens as JSON, sealed with the connection id as associated data. */
  sealed: string;
  /** ISO 8601. */
  connectedAt: string;
  /** The console user who connected it. */
  connectedBy: string;
  /** Who the authorization server says consented, when it says (an id_token's email or name). */
  connectedAs?: string | undefined;
  /** Set while the state is `needs_reconnect`: since when, and why in words. */
  reconnect?: { since: string; reason: string } | undefined;
  /** ISO 8601: the last write of the tokens (connect or refresh). */
  updatedAt: string;
}

export interface OAuthTokenStore {
  get(connectionId: string): Promise<StoredConnectionTokens | undefined>;
  list(): Promise<StoredConnectionTokens[]>;
  /**
   * Stores a fresh connection (the console's connect flow), replacing any row; answers the state
   * it replaced, so a reconnect can announce the recovery once.
   */
  connect(row: StoredConnectionTokens): Promise<{ previous: ConnectionTokenState | undefined }>;
  /**
   * Replaces the sealed tokens after a refresh, unless the row changed since `expectedSealed` was
   * read (a reconnect, or another instance's refresh): false then, and nothing is written.
   */
  updateTokens(
    connectionId: string,
    expectedSealed: string,
    sealed: string,
    updatedAt: string,
  ): Promise<boolean>;
  /** Marks the row as needing a reconnect; true only for the call that changed the state. */
  markNeedsReconnect(
    connectionId: string,
    expectedSealed: string,
    reconnect: { since: string; reason: string },
  ): Promise<boolean>;
  close(): Promise<void>;
}
