import type { BackfillFailure, BackfillProgress } from '../backfills/backfill-service';
import { parseCliOptions } from './parse-cli-options';

/**
 * `connectors backfill`: starts a backfill in the running server (which holds the queue, the
 * workers and the helpdesk connection, so the backfill outlives this command) and follows its
 * progress until it is done; stopping this command leaves the backfill running.
 */

export const BACKFILL_USAGE = `  npm run connectors -- backfill <connector-id> (--search '<Zendesk search>' | --soql '<SELECT Id FROM …>')
                             [--dry-run] [--yes] [--server <url>]
      run a connector on every ticket or record the query matches, through the delivery queue:
      shows the count and the first requests, asks, then follows the progress (Ctrl-C leaves it
      running). --dry-run only counts and shows; --yes does not ask.
  npm run connectors -- backfill --status <backfill-id> | --stop <id> | --resume <id> | --retry-failed <id>
      a backfill's progress and failures; stop it (its queued runs wait), resume it, or re-run
      its failures. Talks to the running server: SERVER_URL and ADMIN_TOKEN.`;

export interface BackfillCommandDeps {
  serverUrl: string;
  adminToken: string;
  confirm: (question: string) => Promise<boolean>;
  write: (text: string) => void;
  writeError: (text: string) => void;
  /** Redraw the progress line in place (a terminal) or print a line now and then (a log). */
  isTty: boolean;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** How often progress is read (default 1 s). */
  pollMs?: number;
}

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/**
 * Ticket subjects, error messages and URLs come from tickets and other systems: control
 * characters would let them move the cursor or rewrite the terminal, so they are shown as `?`.
 */
export function sanitizeForTerminal(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** `[#####.....] 150/300  12.5/s  ETA 0:12  2 failed` */
export function formatProgressLine(progress: BackfillProgress, width = 24): string {
  const ratio = progress.total > 0 ? Math.min(1, progress.processed / progress.total) : 1;
  const filled = Math.round(ratio * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const eta =
    progress.state === 'done'
      ? 'done'
      : progress.state === 'paused'
        ? 'stopped'
        : progress.state === 'failed'
          ? 'query refused'
          : progress.etaSeconds === null
            ? 'ETA …'
            : `ETA ${formatDuration(progress.etaSeconds)}`;
  const failed = progress.failed > 0 ? `  ${progress.failed} failed` : '';
  return `${bar} ${progress.processed}/${progress.total}  ${progress.ratePerSecond}/s  ${eta}${failed}`;
}

function formatSummary(progress: BackfillProgress, failures: BackfillFailure[]): string {
  const noun = progress.system === 'zendesk' ? 'ticket' : 'record';
  const lines = [
    `Backfill ${progress.id} (${progress.connectorId}) ${progress.state}: ${progress.succeeded} succeeded, ${progress.failed} failed, ${progress.counts.queued + progress.counts.running} waiting.`,
  ];
  if (progress.error !== null) {
    // The helpdesk's words: they may hold what a ticket's author typed.
    lines.push(`Why: ${sanitizeForTerminal(progress.error)}`);
    if (progress.state === 'failed') {
      lines.push(
        `The matches found before it failed still run. Once mended, ask again: npm run connectors -- backfill --resume ${progress.id}`,
      );
    }
  }
  if (failures.length > 0) {
    lines.push('Failures:');
    for (const failure of failures) {
      lines.push(
        `  ${noun} ${sanitizeForTerminal(failure.targetId)}  ${sanitizeForTerminal(failure.code)}  ${sanitizeForTerminal(failure.message)}`,
      );
    }
    if (progress.failed > failures.length) {
      lines.push(`  … and ${progress.failed - failures.length} more`);
    }
    lines.push(`Re-run the failures: npm run connectors -- backfill --retry-failed ${progress.id}`);
  }
  return `${lines.join('\n')}\n`;
}

const usage = (deps: BackfillCommandDeps, message: string): number => {
  deps.writeError(`connectors backfill: ${message}\nusage:\n${BACKFILL_USAGE}\n`);
  return 2;
};

export async function runBackfillCommand(
  args: string[],
  deps: BackfillCommandDeps,
): Promise<number> {
  const parsed = parseCliOptions(args, {
    search: { type: 'string' },
    soql: { type: 'string' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean' },
    status: { type: 'string' },
    stop: { type: 'string' },
    resume: { type: 'string' },
    'retry-failed': { type: 'string' },
    server: { type: 'string' },
  });
  if (!parsed.ok) return usage(deps, parsed.error);
  const { values, positionals } = parsed.value;
  const serverUrl = (values.server ?? deps.serverUrl).replace(/\/$/, '');
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> => {
    try {
      const answer = await (deps.fetch ?? fetch)(`${serverUrl}/api/admin${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${deps.adminToken}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return {
        status: answer.status,
        json: (await answer.json().catch(() => ({}))) as Record<string, unknown>,
      };
    } catch (error) {
      return { status: 0, json: { error: { code: 'NETWORK', message: (error as Error).message } } };
    }
  };
  const refused = (answer: Answer): number => {
    const error = (answer.json.error ?? {}) as { code?: string; message?: string };
    deps.writeError(
      answer.status === 0
        ? `Cannot reach the server at ${serverUrl} (${sanitizeForTerminal(error.message ?? '')}); start it with npm start, or set SERVER_URL.\n`
        : `${sanitizeForTerminal(error.code ?? answer.status)}: ${sanitizeForTerminal(error.message ?? 'the server refused')}\n`,
    );
    return 1;
  };
  const summarize = async (progress: BackfillProgress): Promise<number> => {
    const failures = await call(
      'GET',
      `/backfills/${encodeURIComponent(progress.id)}/failures?limit=20`,
    );
    deps.write(
      formatSummary(
        progress,
        failures.status === 200 ? (failures.json.failures as BackfillFailure[]) : [],
      ),
    );
    return progress.failed > 0 || progress.state === 'failed' ? 1 : 0;
  };

  const actions = (['status', 'stop', 'resume', 'retry-failed'] as const).filter(
    (action) => values[action] !== undefined,
  );
  if (actions.length > 1)
    return usage(deps, 'give one of --status, --stop, --resume, --retry-failed');
  const action = actions[0];
  if (action) {
    if (positionals.length > 0 || values.search !== undefined || values.soql !== undefined) {
      return usage(deps, `--${action} takes a backfill id only`);
    }
    const id = encodeURIComponent(values[action] as string);
    const answer =
      action === 'status'
        ? await call('GET', `/backfills/${id}`)
        : await call('POST', `/backfills/${id}/${action}`);
    if (answer.status !== 200) return refused(answer);
    const progress = answer.json.backfill as BackfillProgress;
    if (action === 'retry-failed') {
      deps.write(`Queued ${String(answer.json.requeued)} failed run(s) again.\n`);
    }
    deps.write(`${formatProgressLine(progress)}\n`);
    return action === 'status' ? summarize(progress) : 0;
  }

  const [connectorId, ...extra] = positionals;
  if (connectorId === undefined || extra.length > 0) return usage(deps, 'give one connector id');
  if ((values.search === undefined) === (values.soql === undefined)) {
    return usage(deps, "give --search '<query>' (Zendesk) or --soql '<SELECT Id …>' (Salesforce)");
  }
  const query = values.search !== undefined ? { search: values.search } : { soql: values.soql };
  const dry = await call('POST', '/backfills', { connectorId, ...query, dryRun: true });
  if (dry.status !== 200) return refused(dry);
  const count = Number(dry.json.count);
  const noun = values.search !== undefined ? 'ticket' : 'record';
  deps.write(`${count} ${noun}(s) match. The first requests, as they would be sent:\n`);
  for (const render of dry.json.renders as {
    targetId: string;
    report?: { request?: { method?: string; url?: string } };
    error?: { code: string; message: string };
  }[]) {
    const shown = render.report?.request
      ? `${render.report.request.method ?? ''} ${render.report.request.url ?? ''}`
      : `${render.error?.code ?? ''} ${render.error?.message ?? ''}`;
    deps.write(
      `  ${noun} ${sanitizeForTerminal(render.targetId)}: ${sanitizeForTerminal(shown)}\n`,
    );
  }
  if (values['dry-run']) return 0;
  if (count === 0) {
    deps.write('Nothing to run.\n');
    return 0;
  }
  if (!values.yes && !(await deps.confirm(`Run ${connectorId} on ${count} ${noun}(s)? [y/N] `))) {
    deps.writeError('Not started.\n');
    return 1;
  }
  const started = await call('POST', '/backfills', { connectorId, ...query });
  if (started.status !== 202) return refused(started);
  let progress = started.json.backfill as BackfillProgress;
  deps.write(
    `Started backfill ${progress.id}; stopping this command leaves it running (--status, --stop ${progress.id}).\n`,
  );
  let lastPlain = '';
  for (;;) {
    const line = formatProgressLine(progress);
    if (deps.isTty) deps.write(`\r${line}\u001b[K`);
    else if (line !== lastPlain) deps.write(`${line}\n`);
    lastPlain = line;
    if (progress.state !== 'running') break;
    await sleep(deps.pollMs ?? 1_000);
    const answer = await call('GET', `/backfills/${encodeURIComponent(progress.id)}`);
    if (answer.status !== 200) return refused(answer);
    progress = answer.json.backfill as BackfillProgress;
  }
  if (deps.isTty) deps.write('\n');
  return summarize(progress);
}
