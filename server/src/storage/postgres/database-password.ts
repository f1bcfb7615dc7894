// Apart from connect-postgres.ts so that the server can read it at startup without loading pg,
// which a server on SQLite never needs (docs/performance.md, "Memory").

/** The password in DATABASE_URL, so the redactor keeps it out of logs and answers. */
export function databasePasswordOf(env: {
  database?: { url: string } | undefined;
}): string | undefined {
  if (!env.database) return undefined;
  try {
    const password = decodeURIComponent(new URL(env.database.url).password);
    return password.length > 0 ? password : undefined;
  } catch {
    return undefined;
  }
}
