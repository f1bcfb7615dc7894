import type { ConfigVersionSummary } from './config-version-store';

/** A config version's row as both stores keep it (SQLite and PostgreSQL have the same columns). */
export interface Row {
  id: number;
  at: string;
  author: string;
  hash: string;
  connectors: number;
  files: string;
}

export function summaryOf(row: Row): ConfigVersionSummary {
  return {
    id: row.id,
    at: row.at,
    author: row.author,
    hash: row.hash,
    connectors: row.connectors,
  };
}
