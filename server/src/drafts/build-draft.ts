import type { Result } from '../../../shared/src/result';
import { draftFromCurl } from './draft-from-curl';
import type { ConnectorDraft } from './draft-from-curl';
import { draftFromOpenApi, readOpenApi } from './draft-from-openapi';
import { parseCurl } from './parse-curl';
import { suggestOutputs } from './suggest-outputs';

/** Outputs a draft takes from a sample answer: the scalar fields first, up to this many. */
export const DRAFT_OUTPUTS = 12;

/** What a draft starts from: a curl command or an OpenAPI operation, and maybe a sample answer. */
export type DraftSource = (
  { kind: 'curl'; command: string } | { kind: 'openapi'; document: string; operation: string }
) & {
  /** A sample answer (parsed JSON): its fields become the draft's outputs. */
  sample?: unknown;
  id?: string;
};

export type DraftError = { code: 'DRAFT_SOURCE_INVALID'; message: string };

/**
 * A draft connector and its connection from what the admin already has; the CLI's `draft` and
 * the console's "New from…" both come here, so both give the same draft for the same input.
 *
 * @example
 * const draft = buildDraft({ kind: 'curl', command: "curl https://api.example.com/v1/items" });
 */
export function buildDraft(source: DraftSource): Result<ConnectorDraft, DraftError> {
  const idOption = source.id === undefined ? {} : { id: source.id };
  let draft: ConnectorDraft;
  if (source.kind === 'openapi') {
    const doc = readOpenApi(source.document);
    if (!doc.ok) return invalid(doc.error.message);
    const drafted = draftFromOpenApi(doc.value, source.operation, idOption);
    if (!drafted.ok) return invalid(drafted.error.message);
    draft = drafted.value;
  } else {
    const curl = parseCurl(source.command);
    if (!curl.ok) return invalid(curl.error.message);
    draft = draftFromCurl(curl.value, idOption);
  }
  if (source.sample !== undefined) applySample(draft, source.sample);
  return { ok: true, value: draft };
}

/** Replaces the draft's outputs with the sample answer's scalar fields. */
function applySample(draft: ConnectorDraft, sample: unknown): void {
  const scalars = suggestOutputs(sample).filter((s) => s.type !== 'json');
  if (scalars.length === 0) return;
  (draft.connector.response as { outputs: unknown[] }).outputs = scalars
    .slice(0, DRAFT_OUTPUTS)
    .map((s) => ({ name: s.name, label: s.label, path: s.path, type: s.type }));
  if (scalars.length > DRAFT_OUTPUTS) {
    draft.notes.push(
      `${scalars.length - DRAFT_OUTPUTS} more fields of the sample could be outputs (draft --response lists them all).`,
    );
  }
  // The note about outputs is answered by the sample's suggestions.
  draft.notes = draft.notes.filter((note) => !/response\.outputs|outputs are suggested/.test(note));
}

function invalid(message: string): Result<never, DraftError> {
  return { ok: false, error: { code: 'DRAFT_SOURCE_INVALID', message } };
}
