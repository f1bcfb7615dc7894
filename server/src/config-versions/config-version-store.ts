/**
 * Every config the server accepted, kept so an admin can see what changed, when and by whom, and
 * go back to any of them. The JSON files stay the source of truth: a version is a copy of their
 * text at the moment it was served, never an overlay on them.
 */
export interface ConfigVersionFile {
  /** As the server read it (relative to its working folder, or absolute). */
  file: string;
  text: string;
}

export interface ConfigVersion {
  /** 1, 2, 3, … in the order they were accepted. */
  id: number;
  /** ISO 8601. */
  at: string;
  /** "file" for an edit on disk; "rollback to v3 (CLI)", or the console user, otherwise. */
  author: string;
  /** SHA-256 of the files' names and texts: an unchanged reload is not a new version. */
  hash: string;
  connectors: number;
  files: ConfigVersionFile[];
}

export type ConfigVersionSummary = Omit<ConfigVersion, 'files'>;

export interface ConfigVersionStore {
  /** Keeps the config unless it is the same as the newest version; answers the version it is. */
  record(entry: {
    author: string;
    connectors: number;
    files: ConfigVersionFile[];
  }): Promise<{ version: ConfigVersionSummary; added: boolean }>;
  /** Newest first. */
  list(limit: number): Promise<ConfigVersionSummary[]>;
  get(id: number): Promise<ConfigVersion | undefined>;
  close(): Promise<void>;
}
