import type { Logger } from '../logging/logger';
import type { RunSource } from '../run-log/run-record';
import type { Helpdesks } from '../runs/helpdesk-port';
import type { Result } from '../../../shared/src/result';
import type { AgentKeyRecord } from './agent-key-store';
import { describeLifetime, maskEmail, readRequester } from './customer-verification';
import type { CustomerVerification } from './customer-verification';
import type { VerificationStepName, VerificationTools } from './describe-agent-tools';
import { recordVerificationEvent } from './record-verification';
import type { AgentToolRefusal } from './run-agent-tool';
import { readToolTarget } from './run-agent-tool';

export interface VerifyCustomerDeps {
  helpdesks: Helpdesks;
  runLog: Parameters<typeof recordVerificationEvent>[0];
  verification: CustomerVerification;
  logger: Logger;
}

interface VerificationCall {
  key: AgentKeyRecord;
  tools: VerificationTools;
  args: Record<string, unknown>;
  source: RunSource;
}

/** The requester of the ticket the arguments name, and where to log what happens to them. */
async function resolve(deps: VerifyCustomerDeps, call: VerificationCall) {
  const target = readToolTarget({ systems: call.tools.systems }, call.args);
  if (!target.ok) return target;
  const requester = await readRequester(deps.helpdesks, target.value);
  if (!requester.ok) return requester;
  const log = (
    event: Parameters<typeof recordVerificationEvent>[2]['event'],
    failure?: { code: string; triesLeft?: number },
  ) =>
    recordVerificationEvent(deps.runLog, deps.logger, {
      event,
      system: target.value.system,
      targetId: target.value.targetId,
      keyName: call.key.name,
      source: call.source,
      maskedEmail: maskEmail(requester.value.email),
      ...(failure ? { errorCode: failure.code } : {}),
      ...(failure?.triesLeft === undefined ? {} : { triesLeft: failure.triesLeft }),
    });
  return { ok: true as const, value: { requester: requester.value, log } };
}

/**
 * `send_verification_code`: a code to the email the helpdesk has for the ticket's requester.
 * The answer names the address masked, never the code.
 */
export async function sendVerificationCode(
  deps: VerifyCustomerDeps,
  call: VerificationCall,
): Promise<Result<string, AgentToolRefusal>> {
  const resolved = await resolve(deps, call);
  if (!resolved.ok) return resolved;
  const { requester, log } = resolved.value;
  const sent = await deps.verification.sendCode({
    ticketKey: requester.ticketKey,
    requesterEmail: requester.email,
    ...(requester.name ? { requesterName: requester.name } : {}),
    purpose: `${call.key.name} (AI agent)`,
  });
  if (!sent.ok) {
    await log(
      sent.error.code === 'VERIFICATION_SEND_LIMITED' ? 'send_limited' : 'send_failed',
      sent.error,
    );
    return { ok: false, error: { code: sent.error.code, message: sent.error.message } };
  }
  await log('sent');
  return {
    ok: true,
    value: `A ${deps.verification.settings.codeDigits}-digit code was sent to the customer's email (${maskEmail(requester.email)}). Ask the customer for it, then call check_verification_code. It is valid ${describeLifetime(deps.verification.settings.codeValidSeconds)}.`,
  };
}

/** `check_verification_code`: the code the customer read; a wrong one counts a try. */
export async function checkVerificationCode(
  deps: VerifyCustomerDeps,
  call: VerificationCall,
): Promise<Result<string, AgentToolRefusal>> {
  const resolved = await resolve(deps, call);
  if (!resolved.ok) return resolved;
  const { requester, log } = resolved.value;
  const checked = await deps.verification.checkCode({
    ticketKey: requester.ticketKey,
    requesterEmail: requester.email,
    code: typeof call.args.code === 'string' ? call.args.code : '',
  });
  if (!checked.ok) {
    const code = checked.error.code;
    await log(
      code === 'VERIFICATION_CODE_EXPIRED'
        ? 'expired'
        : code === 'VERIFICATION_LOCKED'
          ? 'locked'
          : 'wrong_code',
      checked.error,
    );
    return { ok: false, error: { code, message: checked.error.message } };
  }
  await log('verified');
  return {
    ok: true,
    value: 'The customer is verified for this ticket. You can now use the tools that needed it.',
  };
}

/** Runs the verification step a tool call names. */
export function runVerificationStep(
  deps: VerifyCustomerDeps,
  step: VerificationStepName,
  call: VerificationCall,
): Promise<Result<string, AgentToolRefusal>> {
  return step === 'send_verification_code'
    ? sendVerificationCode(deps, call)
    : checkVerificationCode(deps, call);
}
