import type { Request } from 'express';

/**
 * The previews' server-side helpers answer with the server's own credentials (the Zendesk
 * proxy, the Salesforce preview's Apex stand-in): only the preview page itself may call them,
 * not a cross-site page posting through the developer's browser (CSRF).
 */
export function isSameOriginCall(req: Request): boolean {
  if (!req.is('application/json')) return false;
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.get('origin');
  return origin === undefined || origin === `${req.protocol}://${req.get('host') ?? ''}`;
}
