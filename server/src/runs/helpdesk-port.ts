import type { CompiledWrite, CompiledConnector } from '../compile/compiled-model';
import type { TemplateScope } from '../compile/template';
import type { SourceReader } from '../inputs/resolve-inputs';
import type { RunTarget } from '../run-log/run-record';

/**
 * What a run needs from a helpdesk, so the run pipeline does not care whether it is writing a
 * Zendesk ticket or a Salesforce record.
 */
/** Made by the helpdesk's `load` and never changed afterwards: a write starts from a fresh load. */
export interface LoadedTarget {
  readonly target: RunTarget;
  /** Reads input sources (ticket.subject, comment.body, record.Field__c …) from what was loaded. */
  readonly read: SourceReader;
  /** Whether the connector's `appliesWhen` holds for this ticket or record. */
  applies(connector: CompiledConnector): boolean;
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

export interface HelpdeskPort {
  load(
    targetId: string,
    options: {
      commentId?: string;
      agentId?: string;
      /** Salesforce: the record's object (Case, Account, …). */
      objectApiName?: string;
      /** Salesforce: the rep's user id, as Apex's UserInfo.getUserId() sent it. */
      userId?: string;
      /** Salesforce: skip record fields the rep's profile could not edit (needs userId). */
      onlyEditableFields?: boolean;
      /**
       * Salesforce: whether the rep may edit this record (Apex reads UserRecordAccess); false
       * refuses runs that would write to it, as a Zendesk light agent's are.
       */
      recordEditable?: boolean;
      /**
       * The helpdesk user asking, proven by their session: the target loads only if the
       * helpdesk would show it to them (otherwise it is "not found"), and they become the agent.
       */
      viewer?: { userId: string };
      /** Load only what this connector reads (otherwise: every connector that applies). */
      connectorId?: string;
      /**
       * Salesforce: record fields to load as well (API names or relationship paths, without the
       * `record.` prefix), e.g. the ones a workflow's collect steps read.
       */
      fields?: readonly string[];
    },
  ): Promise<{ ok: true; value: LoadedTarget } | { ok: false; error: HelpdeskError }>;
  /** Describes the writes without making them (dry runs, and the redacted copy for the log). */
  preview(write: CompiledWrite | undefined, scope: TemplateScope): WriteResult;
  write(
    loaded: LoadedTarget,
    write: CompiledWrite | undefined,
    scope: TemplateScope,
  ): Promise<WriteResult>;
}
