import type { CompiledWrite } from '../compile/compiled-model';
import type { TemplateScope } from '../compile/template';
import type { SourceReader } from '../inputs/resolve-inputs';
import type { AppliesWhen } from '../../../shared/src/config/connector-config-schema';
import type { RunTarget, TargetSystem } from '../run-log/run-record';
import type { Result } from '../../../shared/src/result';

/**
 * What a run needs from a helpdesk, so the run pipeline does not care whether it is writing a
 * Zendesk ticket or a Salesforce record.
 */
/** Made by the helpdesk's `load` and never changed afterwards: a write starts from a fresh load. */
export interface LoadedTarget {
  readonly target: RunTarget;
  /** Reads input sources (ticket.subject, comment.body, record.Field__c …) from what was loaded. */
  readonly read: SourceReader;
  /** Whether an `appliesWhen` (a connector's or a macro's) holds for this ticket or record. */
  applies(when: AppliesWhen): boolean;
  /** The agent running it, as the helpdesk knows them (looked up server-side, not from claims). */
  readonly agent: { id: string; name: string; email: string } | undefined;
  /**
   * Whether the helpdesk lets the agent who asked (`viewer`) edit this target; true when no
   * viewer was named (admins, automations). A run that would write back needs it.
   */
  readonly viewerMayEdit: boolean;
  /**
   * The target's version as loaded (Zendesk's updated_at), for optimistic concurrency: a write
   * made against an older version is refused by the helpdesk instead of overwriting newer edits.
   */
  readonly version: string | undefined;
}

export type HelpdeskErrorCode =
  | 'TICKET_NOT_FOUND'
  | 'RECORD_NOT_FOUND'
  | 'COMMENT_NOT_FOUND'
  | 'AGENT_NOT_FOUND'
  | 'HELPDESK_UNAVAILABLE'
  | 'HELPDESK_AUTH_FAILED';

export interface HelpdeskError {
  code: HelpdeskErrorCode;
  message: string;
}

export type WriteErrorCode =
  'WRITE_BACK_INVALID' | 'WRITE_BACK_REJECTED' | 'WRITE_BACK_CONFLICT' | 'WRITE_BACK_UNAVAILABLE';

export type WriteResult =
  | { ok: true; written: boolean; changes: unknown }
  | { ok: false; changes: unknown; error: { code: WriteErrorCode; message: string } };

/**
 * What the pipeline asks a helpdesk to load: generic words, each helpdesk reading them its way
 * (Zendesk: a ticket, an agent; Salesforce: a record of some object, a user).
 */
export interface LoadRequest {
  /** The target's type where a helpdesk has several (a Salesforce object); else its own. */
  targetType?: string;
  /** A part of the target to read too (Zendesk: one comment). */
  commentId?: string;
  /**
   * The helpdesk user to run as, looked up by the helpdesk: a Zendesk agent an admin names, or
   * the Salesforce user Apex vouches for.
   */
  actorId?: string;
  /**
   * The helpdesk user asking, proven by their session: the target loads only if the helpdesk
   * would show it to them (otherwise it is "not found"), and they become the agent.
   */
  viewer?: { userId: string };
  /**
   * What a trusted surface says the caller may do (Salesforce: Apex's record access and the
   * org's setting): `mayEdit: false` refuses runs that write; `onlyEditableFields` writes only
   * the fields the actor may edit.
   */
  callerRights?: { mayEdit?: boolean; onlyEditableFields?: boolean };
  /** Load only what this connector reads (otherwise: every connector that applies). */
  connectorId?: string;
  /**
   * Input sources the caller will read as well (a workflow's collect steps), for helpdesks that
   * load only what they are asked for (Salesforce: its `record.*` sources).
   */
  sources?: readonly string[];
}

export interface HelpdeskPort {
  /** The helpdesk's id: the key it is registered under, and `RunTarget.system`. */
  readonly system: TargetSystem;
  /** How people call it in messages ("Zendesk"). */
  readonly label: string;
  /** The refusal when the caller cannot edit the target (`subject` names the connector or macro). */
  editForbiddenMessage(subject: string, targetType: string): string;
  load(targetId: string, request: LoadRequest): Promise<Result<LoadedTarget, HelpdeskError>>;
  /** Describes the writes without making them (dry runs, and the redacted copy for the log). */
  preview(write: CompiledWrite | undefined, scope: TemplateScope): WriteResult;
  write(
    loaded: LoadedTarget,
    write: CompiledWrite | undefined,
    scope: TemplateScope,
  ): Promise<WriteResult>;
  /**
   * A write's `changes` (as `preview` or `write` describe them) field by field, with the names
   * the helpdesk shows its users (Zendesk's ticket field titles, Salesforce's field labels).
   * When the names cannot be read, the ids stand in and `note` says why.
   */
  describeWrites(changes: unknown, targetType: string): Promise<DescribedWrites>;
  /**
   * The fields a connector may write on `targetType` (a Salesforce object; Zendesk has only
   * tickets), as the helpdesk lists them, so an admin picks a field instead of typing its id.
   * Optional: a helpdesk that cannot list its fields leaves admins typing ids.
   */
  listFields?(targetType: string): Promise<Result<HelpdeskField[], string>>;
  /**
   * One page of the targets a backfill query matches (a Zendesk search, a Salesforce SOQL
   * query), from `cursor` (undefined: the first page). The page's `cursor` is where the next
   * one starts; undefined after the last. Optional: a helpdesk without it cannot be backfilled.
   */
  findTargets?(
    query: TargetQuery,
    cursor: string | undefined,
  ): Promise<Result<TargetPage, TargetQueryError>>;
  /** How many targets a backfill query matches (its dry run, and the progress total). */
  countTargets?(query: TargetQuery): Promise<Result<number, TargetQueryError>>;
}

/**
 * Why a backfill query got no answer. Only `QUERY_REFUSED` is the admin's query; the others are
 * the helpdesk (down, limiting us, its credentials refused), and the same query may work later.
 */
export interface TargetQueryError {
  code: 'QUERY_REFUSED' | 'HELPDESK_UNAVAILABLE' | 'HELPDESK_AUTH_FAILED';
  message: string;
}

/** What a backfill runs over: a Zendesk search (`search`) or a SOQL query (`soql`). */
export interface TargetQuery {
  kind: 'search' | 'soql';
  text: string;
  /** The object the targets are (a Salesforce object; `ticket` on Zendesk). */
  targetType: string;
}

export interface TargetPage {
  ids: string[];
  cursor: string | undefined;
  /**
   * The cursor asked for had expired (a Salesforce query locator unused for 15 minutes), so this
   * is the query's first page again: the caller skips what it already queued.
   */
  restarted?: boolean;
}

export interface HelpdeskField {
  /** What the config names: a Zendesk custom field id, a Salesforce field API name. */
  key: string;
  label: string;
  /** The helpdesk's own type name ("text", "tagger"; "string", "picklist"). */
  type: string;
  /** False for a field the helpdesk would refuse to write (inactive, not updateable). */
  writable: boolean;
}

export interface DescribedWrite {
  /** The helpdesk's own key: a Zendesk field id or property, a Salesforce field API name. */
  field: string;
  label: string;
  value: unknown;
}

export interface DescribedWrites {
  fields: DescribedWrite[];
  note?: string;
}

/** The helpdesks this server is connected to, by system: the only place the pipeline finds one. */
export type Helpdesks = ReadonlyMap<TargetSystem, HelpdeskPort>;
