/**
 * Helpnest, a helpdesk made up for the test that proves a helpdesk can be added through its own
 * folder and one registry line (docs/architecture.md, "Adding a helpdesk"). Its "API" is this
 * in-memory store of conversations.
 */
export interface Conversation {
  id: string;
  subject: string;
  inbox: string;
  orderNumber: string | null;
  customerEmail: string;
  /** Notes written by runs, oldest first. */
  notes: string[];
  /** Custom fields by key, as runs wrote them. */
  fields: Record<string, unknown>;
  /** Bumped on every write; a write against an older version is refused. */
  version: number;
}

export interface HelpnestStore {
  get(id: string): Conversation | undefined;
  /** Applies a change when `version` is still current; false when someone wrote in between. */
  update(id: string, version: number, change: (conversation: Conversation) => void): boolean;
}

export function createHelpnestStore(seed: readonly Omit<Conversation, 'version'>[]): HelpnestStore {
  const conversations = new Map(
    seed.map((conversation) => [conversation.id, { ...conversation, version: 1 }]),
  );
  return {
    get: (id) => {
      const found = conversations.get(id);
      return found ? structuredClone(found) : undefined;
    },
    update(id, version, change) {
      const current = conversations.get(id);
      if (!current || current.version !== version) return false;
      change(current);
      current.version++;
      return true;
    },
  };
}
