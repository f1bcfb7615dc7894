import { createRunId } from '../run-log/run-record';
import type { RunLogStore, RunSource, VerificationEvent } from '../run-log/run-record';
import type { Logger } from '../logging/logger';
import type { TargetSystemName } from './describe-agent-tools';

/** What each event says in the run log: never the code, only what happened and what is next. */
const EVENT_WORDS: Record<VerificationEvent, { outcome: 'success' | 'failed'; message: string }> = {
  sent: { outcome: 'success', message: 'A verification code was emailed to the requester.' },
  send_limited: {
    outcome: 'failed',
    message: 'No code was sent: too many codes were sent to this requester recently.',
  },
  send_failed: { outcome: 'failed', message: 'The verification email could not be sent.' },
  verified: { outcome: 'success', message: 'The requester was verified by email code.' },
  wrong_code: { outcome: 'failed', message: 'A wrong verification code was given.' },
  expired: { outcome: 'failed', message: 'An expired verification code was given.' },
  locked: {
    outcome: 'failed',
    message: 'Verification locked after too many wrong codes; a new code must be sent.',
  },
};

/**
 * A verification event as a run-log entry on the ticket or record, named after the agent key:
 * sends, successes, failures and lock-outs are in the log an admin already reads.
 */
export async function recordVerificationEvent(
  runLog: RunLogStore,
  logger: Logger,
  event: {
    event: VerificationEvent;
    system: TargetSystemName;
    targetId: string;
    keyName: string;
    source: RunSource;
    errorCode?: string;
    /** The requester's address masked (m•••@example.com): which address, not the address. */
    maskedEmail: string;
    triesLeft?: number;
  },
): Promise<void> {
  const words = EVENT_WORDS[event.event];
  try {
    await runLog.record({
      kind: 'verification',
      event: event.event,
      id: createRunId(),
      source: event.source,
      actor: { kind: 'ai_agent', name: event.keyName },
      target: {
        system: event.system,
        type: event.system === 'zendesk' ? 'ticket' : 'record',
        id: event.targetId,
      },
      outcome: words.outcome,
      ...(event.errorCode ? { errorCode: event.errorCode } : {}),
      message: words.message,
      dryRun: false,
      inputs: { requester: event.maskedEmail },
      outputs: event.triesLeft === undefined ? {} : { triesLeft: event.triesLeft },
      writes: { status: 'none', changes: null },
      attempts: 0,
      startedAt: new Date().toISOString(),
      durationMs: 0,
    });
  } catch (error) {
    // The verification itself stands; a log that cannot be written is reported, not fatal.
    logger.error('could not record a verification event', {
      event: event.event,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}
