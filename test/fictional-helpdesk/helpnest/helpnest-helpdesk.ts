import type { CompiledWrite } from '../../../server/src/compile/compiled-model';
import { renderTemplateText } from '../../../server/src/compile/template';
import type { TemplateScope } from '../../../server/src/compile/template';
import { renderJson } from '../../../server/src/render/render-request';
import { appliesOn } from '../../../server/src/runs/applies-when';
import type {
  HelpdeskPort,
  LoadedTarget,
  WriteResult,
} from '../../../server/src/runs/helpdesk-port';
import type { HelpnestConditions, HelpnestWrite } from './helpnest-config';
import type { Conversation, HelpnestStore } from './helpnest-store';

/** The adapter: loads conversations, reads their sources, writes notes and fields. */

function render(write: CompiledWrite | undefined, scope: TemplateScope) {
  const own = write?.helpnest as HelpnestWrite | undefined;
  const note = own?.note ? renderTemplateText(own.note, scope).trim() : '';
  const fields = Object.fromEntries(
    (own?.fields ?? []).map(([key, value]) => [key, renderJson(value, scope)]),
  );
  const empty = note === '' && Object.keys(fields).length === 0;
  return { note, fields, changes: empty ? null : { note: note || null, fields } };
}

function readSource(conversation: Conversation, source: string): unknown {
  switch (source) {
    case 'conversation.id':
      return conversation.id;
    case 'conversation.subject':
      return conversation.subject;
    case 'conversation.inbox':
      return conversation.inbox;
    case 'conversation.order_number':
      return conversation.orderNumber;
    case 'conversation.customer_email':
      return conversation.customerEmail;
    default:
      return undefined;
  }
}

export function createHelpnestHelpdesk(store: HelpnestStore): HelpdeskPort {
  return {
    system: 'helpnest',
    label: 'Helpnest',
    editForbiddenMessage: (subject) =>
      `You cannot edit this conversation, so ${subject} cannot run.`,

    async load(id) {
      const conversation = store.get(id);
      if (!conversation) {
        return {
          ok: false,
          error: { code: 'RECORD_NOT_FOUND', message: `There is no conversation ${id}.` },
        };
      }
      const loaded: LoadedTarget = {
        target: { system: 'helpnest', type: 'conversation', id: conversation.id },
        read: (source) => readSource(conversation, source),
        applies: (when) =>
          appliesOn('helpnest', when, (group) => {
            const { inboxes = [] } = group as HelpnestConditions;
            return inboxes.length === 0 || inboxes.includes(conversation.inbox);
          }),
        agent: undefined,
        viewerMayEdit: true,
        version: String(conversation.version),
      };
      return { ok: true, value: loaded };
    },

    async describeWrites(changes) {
      // Helpnest's fields have no display names: its keys are what its users see.
      const described = changes as { note: string | null; fields: Record<string, unknown> } | null;
      return {
        fields: [
          ...Object.entries(described?.fields ?? {}).map(([field, value]) => ({
            field,
            label: field,
            value,
          })),
          ...(described?.note ? [{ field: 'note', label: 'Note', value: described.note }] : []),
        ],
      };
    },

    preview(write, scope): WriteResult {
      const { changes } = render(write, scope);
      return { ok: true, written: changes !== null, changes };
    },

    async write(loaded, write, scope): Promise<WriteResult> {
      const { note, fields, changes } = render(write, scope);
      if (changes === null) return { ok: true, written: false, changes: null };
      const written = store.update(loaded.target.id, Number(loaded.version), (conversation) => {
        if (note) conversation.notes.push(note);
        Object.assign(conversation.fields, fields);
      });
      return written
        ? { ok: true, written: true, changes }
        : {
            ok: false,
            changes,
            error: {
              code: 'WRITE_BACK_CONFLICT',
              message: 'The conversation changed while the connector ran.',
            },
          };
    },
  };
}
