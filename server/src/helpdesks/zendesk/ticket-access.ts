import type { Request } from 'express';
import type { HelpdeskPort } from '../../runs/helpdesk-port';
import { ApiError } from '../../http/api-error';
import { agentOf } from '../../http/authenticate';

/**
 * For reads that do not load the ticket themselves (the run log): a sidebar session sees a
 * ticket's runs only if Zendesk shows it the ticket. Admin-token callers are not checked.
 * Returns false when the agent may not see it; the caller answers "not found" in its own words.
 */
export async function mayReadTicket(
  req: Request,
  helpdesk: HelpdeskPort | undefined,
  ticketId: string,
): Promise<boolean> {
  const agent = agentOf(req);
  if (!agent) return true;
  if (!helpdesk) {
    throw new ApiError('HELPDESK_NOT_CONFIGURED', 'Zendesk is not configured on this server.');
  }
  const loaded = await helpdesk.load(ticketId, { viewer: { userId: String(agent.userId) } });
  if (loaded.ok) return true;
  if (loaded.error.code === 'TICKET_NOT_FOUND') return false;
  throw new ApiError(loaded.error.code, loaded.error.message);
}
