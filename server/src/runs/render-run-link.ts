import type { RunLinkView } from '../../../shared/src/api/api-contracts';
import type { CompiledConnector } from '../compile/compiled-model';
import { lookupRef, renderTemplateText, stringifyValue } from '../compile/template';
import type { TemplateScope } from '../compile/template';
import { REDACTED_MASK } from '../render/render-request';

const MAX_LABEL = 200;

/**
 * The connector's `link` for one successful run, from the values its run record keeps (inputs
 * and outputs, redacted ones already masked) and the connection's variables. Values from the
 * run are upstream or ticket data: each is percent-encoded, so an issue key like `a/../b` or
 * `x?y` stays one path segment; the address must come out http(s), so an upstream value can
 * never make it a `javascript:` link. No link when a value it needs is missing or masked: a
 * link to `…/browse/` helps nobody.
 */
export function renderRunLink(
  connector: CompiledConnector,
  values: { inputs: Record<string, unknown>; outputs: Record<string, unknown> },
): RunLinkView | undefined {
  const link = connector.link;
  if (!link) return undefined;
  const scope: TemplateScope = {
    inputs: values.inputs,
    outputs: values.outputs,
    connection: connector.connection.def.variables,
  };
  for (const part of [...link.url.parts, ...link.label.parts]) {
    if (part.kind !== 'ref') continue;
    const value = stringifyValue(lookupRef(part.ref, scope));
    if (value === '' || value.includes(REDACTED_MASK)) return undefined;
  }
  const address = renderTemplateText(link.url, scope, (value, ref) =>
    ref.root === 'connection' ? value : encodeURIComponent(value),
  );
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const label = renderTemplateText(link.label, scope).trim().slice(0, MAX_LABEL);
  return { label: label || url.href, url: url.href };
}
