import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LowSync, MemorySync } from 'lowdb';
import { JSONFileSync } from 'lowdb/node';
import { buildZendeskSeed } from '../seed/zendesk-seed';
import type {
  FakeZendeskData,
  StoredComment,
  StoredTicket,
  StoredTicketField,
  StoredUser,
} from '../seed/zendesk-seed';

/** One request as the fake received it; credentials are reduced to the scheme used. */
export interface JournalEntry {
  method: string;
  /** Path relative to where the fake is mounted, as sent (a `.json` suffix is kept). */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  authorization: 'basic' | 'bearer' | 'other' | 'none';
  at: string;
}

export interface FakeZendeskStore {
  /** The lowdb document; mutate it only through the methods below or call save() after. */
  readonly data: FakeZendeskData;
  /** Request journal, oldest first. Tests assert on what a client sent. */
  readonly requests: JournalEntry[];
  findTicket(id: number): StoredTicket | undefined;
  findUser(id: number): StoredUser | undefined;
  findUserByEmail(email: string): StoredUser | undefined;
  findTicketField(id: number): StoredTicketField | undefined;
  listComments(ticketId: number): StoredComment[];
  /** Next id for a collection: one above the largest id in it. */
  nextId(collection: 'tickets' | 'comments' | 'users'): number;
  save(): void;
  /** Replaces everything with the seed (the sandbox's "reset" action). */
  reset(): void;
}

export interface OpenStoreOptions {
  /** JSON file to persist to; without it the data lives in memory only. */
  filePath?: string;
  seed?: () => FakeZendeskData;
}

function buildEmptyData(): FakeZendeskData {
  return {
    tickets: [],
    comments: [],
    users: [],
    organizations: [],
    ticket_fields: [],
    groups: [],
    group_memberships: [],
    organization_memberships: [],
    custom_roles: [],
    brands: [],
  };
}

/**
 * Opens the fake's lowdb document. The synchronous lowdb API is used so that the fake can be
 * created and mounted at server boot without awaiting anything; writes are tiny.
 */
export function openFakeZendeskStore(options: OpenStoreOptions = {}): FakeZendeskStore {
  const seed = options.seed ?? buildZendeskSeed;
  if (options.filePath) mkdirSync(dirname(options.filePath), { recursive: true });
  const adapter = options.filePath
    ? new JSONFileSync<FakeZendeskData>(options.filePath)
    : new MemorySync<FakeZendeskData>();
  const db = new LowSync<FakeZendeskData>(adapter, buildEmptyData());
  db.read();
  // A file from an older version may lack a collection; fill it rather than crash on access.
  db.data = { ...buildEmptyData(), ...db.data };
  if (db.data.tickets.length === 0 && db.data.users.length === 0) {
    db.data = seed();
    db.write();
  }

  const requests: JournalEntry[] = [];
  return {
    get data() {
      return db.data;
    },
    requests,
    findTicket: (id) => db.data.tickets.find((ticket) => ticket.id === id),
    findUser: (id) => db.data.users.find((user) => user.id === id),
    findUserByEmail: (email) =>
      db.data.users.find((user) => user.email.toLowerCase() === email.toLowerCase()),
    findTicketField: (id) => db.data.ticket_fields.find((field) => field.id === id),
    listComments: (ticketId) =>
      db.data.comments
        .filter((comment) => comment.ticket_id === ticketId)
        .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id),
    nextId: (collection) =>
      db.data[collection].reduce((max, record) => Math.max(max, record.id), 0) + 1,
    save: () => db.write(),
    reset: () => {
      db.data = seed();
      db.write();
    },
  };
}
