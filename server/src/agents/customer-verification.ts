import type { Helpdesks } from '../runs/helpdesk-port';
import type { ApiErrorCode } from '../../../shared/src/api/api-errors';
import type { Result } from '../../../shared/src/result';
import type { TargetSystemName } from './describe-agent-tools';

/**
 * What the agent tools need from customer verification by email code (server/src/verification):
 * send a code to the requester, check one, and whether the requester of a ticket is verified.
 */
export interface VerificationFailure {
  code: ApiErrorCode;
  message: string;
  triesLeft?: number;
  retryAfterSeconds?: number;
}

/** The rules the customer and the model are told: the code's length, lifetime and tries. */
export interface VerificationRules {
  codeDigits: number;
  codeValidSeconds: number;
  maxTries: number;
}

export interface CustomerVerification {
  readonly settings: VerificationRules;
  sendCode(request: {
    ticketKey: string;
    requesterEmail: string;
    requesterName?: string;
    purpose: string;
  }): Promise<Result<unknown, VerificationFailure>>;
  checkCode(request: {
    ticketKey: string;
    requesterEmail: string;
    code: string;
  }): Promise<Result<unknown, VerificationFailure>>;
  isVerified(request: {
    ticketKey: string;
    requesterEmail: string;
  }): Promise<{ verified: boolean }>;
}

/**
 * Where each helpdesk keeps the customer's address: the ticket's requester in Zendesk, the
 * Case's contact in Salesforce. Never an address from the conversation, which anyone can type.
 */
const REQUESTER_SOURCES: Record<TargetSystemName, { email: string; name: string }> = {
  zendesk: { email: 'ticket.requester.email', name: 'ticket.requester.name' },
  salesforce: { email: 'record.Contact.Email', name: 'record.Contact.Name' },
};

export interface Requester {
  /** One verified state per ticket or record: the code is for this conversation only. */
  ticketKey: string;
  email: string;
  name?: string;
}

export type RequesterError = { code: ApiErrorCode; message: string };

/** The requester of a ticket or record as the helpdesk has it. */
export async function readRequester(
  helpdesks: Helpdesks,
  target: { system: TargetSystemName; targetId: string },
): Promise<Result<Requester, RequesterError>> {
  const port = helpdesks.get(target.system);
  if (!port) {
    return {
      ok: false,
      error: {
        code: 'HELPDESK_NOT_CONFIGURED',
        message: `The "${target.system}" helpdesk is not configured on this server.`,
      },
    };
  }
  const sources = REQUESTER_SOURCES[target.system];
  const loaded = await port.load(target.targetId, {
    sources: [sources.email, sources.name],
    // On Salesforce the customer is a Case's contact: verification is offered on Cases.
    ...(target.system === 'salesforce' ? { targetType: 'Case' } : {}),
  });
  if (!loaded.ok) return { ok: false, error: loaded.error };
  const email = loaded.value.read(sources.email);
  const name = loaded.value.read(sources.name);
  if (typeof email !== 'string' || !email.includes('@')) {
    return {
      ok: false,
      error: {
        code: 'VERIFICATION_UNAVAILABLE',
        message: `The ${target.system === 'zendesk' ? 'ticket' : 'record'} has no requester email, so the customer cannot be verified by email code.`,
      },
    };
  }
  return {
    ok: true,
    value: {
      ticketKey: `${target.system}:${target.targetId}`,
      email,
      ...(typeof name === 'string' && name !== '' ? { name } : {}),
    },
  };
}

/** "10 minutes", "1 minute", "90 seconds": a code's lifetime in words. */
export function describeLifetime(seconds: number): string {
  if (seconds % 60 !== 0) return `${seconds} seconds`;
  const minutes = seconds / 60;
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** "m•••@example.com": enough for the customer to recognise, not to harvest. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
}
