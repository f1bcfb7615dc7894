import type { CompiledWrite } from '../../compile/compiled-model';
import type { ParsedTemplate } from '../../compile/template';
import { renderTemplateText } from '../../compile/template';
import type { TemplateScope } from '../../compile/template';
import { renderJson } from '../../render/render-request';
import type { Result } from '../../../../shared/src/result';
import {
  ZENDESK_PRIORITIES,
  ZENDESK_STATUSES,
  ZENDESK_TICKET_TYPES,
  zendeskWriteOf,
} from './zendesk-config';

/**
 * Builds the single ticket update a run makes from the write spec of its outcome. One update per
 * run means a run either lands completely or not at all: there is no half-written ticket.
 */
export interface TicketUpdate {
  customFields?: { id: number; value: unknown }[];
  status?: string;
  priority?: string;
  type?: string;
  additionalTags?: string[];
  removeTags?: string[];
  internalNote?: string;
}

export type BuildUpdateResult =
  | { ok: true; update: TicketUpdate; empty: boolean }
  | { ok: false; error: { code: 'WRITE_BACK_INVALID'; message: string } };

/** Zendesk tags cannot hold spaces; a value with spaces would silently become several tags. */
function toTag(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, '_');
}

function renderEnum(
  template: ParsedTemplate | undefined,
  scope: TemplateScope,
  key: string,
  allowed: readonly string[],
): Result<string | undefined, { message: string }> {
  if (!template) return { ok: true, value: undefined };
  const value = renderTemplateText(template, scope).trim().toLowerCase();
  if (value === '') return { ok: true, value: undefined };
  if (!allowed.includes(value)) {
    return {
      ok: false,
      error: { message: `"${value}" is not a valid ticket ${key} (use ${allowed.join(', ')})` },
    };
  }
  return { ok: true, value };
}

export function buildTicketUpdate(
  compiled: CompiledWrite | undefined,
  scope: TemplateScope,
): BuildUpdateResult {
  const write = zendeskWriteOf(compiled);
  if (!write) return { ok: true, update: {}, empty: true };
  const update: TicketUpdate = {};
  if (write.customFields.length) {
    update.customFields = write.customFields.map(([id, value]) => ({
      id: Number(id),
      value: renderJson(value, scope),
    }));
  }
  for (const [key, allowed] of [
    ['status', ZENDESK_STATUSES],
    ['priority', ZENDESK_PRIORITIES],
    ['type', ZENDESK_TICKET_TYPES],
  ] as const) {
    const rendered = renderEnum(write[key], scope, key, allowed);
    if (!rendered.ok)
      return { ok: false, error: { code: 'WRITE_BACK_INVALID', message: rendered.error.message } };
    if (rendered.value !== undefined) update[key] = rendered.value;
  }
  const tags = (list: readonly ParsedTemplate[]) =>
    list.map((template) => toTag(renderTemplateText(template, scope))).filter((tag) => tag !== '');
  const additionalTags = tags(write.addTags);
  const removeTags = tags(write.removeTags);
  if (additionalTags.length) update.additionalTags = additionalTags;
  if (removeTags.length) update.removeTags = removeTags;
  if (write.internalNote) {
    const note = renderTemplateText(write.internalNote, scope).trim();
    if (note) update.internalNote = note;
  }
  return { ok: true, update, empty: Object.keys(update).length === 0 };
}
