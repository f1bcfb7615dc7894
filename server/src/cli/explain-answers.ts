import { readFile } from 'node:fs/promises';
import type { CompiledConnector } from '../compile/compiled-model';
import { explainResponse } from '../response/explain-response';
import type { UpstreamAnswer } from '../response/read-response';
import type { ConnectorRunRecord, RunLogStore, RunRecord } from '../run-log/run-record';
import type { AnswerSource } from './check-args';
import { formatExplanation } from './format-explanation';

/**
 * `connectors check --ticket N | --run ID | --response FILE`: reads real answers with each
 * connector's response rules and prints what every path found. Answers come from the run log
 * (already redacted when stored) or from a file the admin saved; nothing is sent anywhere.
 */

export interface ExplainDeps {
  connectors: ReadonlyMap<string, CompiledConnector>;
  /** The run log, or undefined when there is none yet. */
  openRunLog: () => Promise<RunLogStore | undefined>;
  retentionDays: number;
}

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** How many of a ticket's runs are searched for each connector's latest answer. */
const TICKET_RUNS = 500;

export async function explainAnswers(
  source: Exclude<AnswerSource, { kind: 'none' }>,
  deps: ExplainDeps,
): Promise<CommandOutput> {
  const connectorId = source.kind === 'run' ? undefined : source.connectorId;
  if (connectorId !== undefined && !deps.connectors.has(connectorId))
    return unknown(connectorId, deps);
  if (source.kind === 'file') return explainFile(source, deps);
  const store = await deps.openRunLog();
  if (!store) return fail(1, 'No runs recorded yet: there is no run log to read answers from.');
  try {
    return source.kind === 'run'
      ? await explainRun(source.runId, store, deps)
      : await explainTicket(source.targetId, source.connectorId, store, deps);
  } finally {
    await store.close();
  }
}

async function explainFile(
  source: Extract<AnswerSource, { kind: 'file' }>,
  deps: ExplainDeps,
): Promise<CommandOutput> {
  const connector = deps.connectors.get(source.connectorId);
  if (!connector) return unknown(source.connectorId, deps);
  let bodyText: string;
  try {
    bodyText = await readFile(source.path, 'utf8');
  } catch (error) {
    return fail(
      1,
      `Cannot read ${source.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const answer: UpstreamAnswer = {
    status: source.status,
    contentType: null,
    bodyText,
    json: parseJson(bodyText),
  };
  return ok(
    formatExplanation(
      connector,
      `${source.path} (HTTP ${source.status})`,
      explainResponse(connector, answer),
    ),
  );
}

async function explainRun(
  runId: string,
  store: RunLogStore,
  deps: ExplainDeps,
): Promise<CommandOutput> {
  const run = await store.get(runId);
  if (!run) return fail(1, `There is no run ${runId} in the last ${deps.retentionDays} days.`);
  if (run.kind !== 'connector') {
    return fail(
      1,
      `${runId} is a ${run.kind} run; give one of its steps' connector runs (connectors logs lists them).`,
    );
  }
  const connector = deps.connectors.get(run.connectorId);
  if (!connector) return unknown(run.connectorId, deps);
  const read = readStoredAnswer(run);
  if (!read.ok) return fail(1, `${describeRun(run)}: ${read.problem}`);
  return ok(
    formatExplanation(connector, describeRun(run), explainResponse(connector, read.answer)),
  );
}

/** Zendesk ticket ids are numbers, Salesforce record ids are not: say which it is. */
function describeTarget(targetId: string): string {
  return /^\d+$/.test(targetId) ? `ticket ${targetId}` : `record ${targetId}`;
}

async function explainTicket(
  targetId: string,
  only: string | undefined,
  store: RunLogStore,
  deps: ExplainDeps,
): Promise<CommandOutput> {
  const page = await store.query({
    targetId,
    limit: TICKET_RUNS,
    ...(only ? { connectorId: only } : {}),
  });
  // Newest first: the first run of each connector with an answer is the one to read.
  // A run that got no answer (a timeout) is shown only when no run of that connector got one.
  const latest = new Map<string, ConnectorRunRecord>();
  const unanswered = new Map<string, ConnectorRunRecord>();
  for (const run of page.runs) {
    if (run.kind !== 'connector' || latest.has(run.connectorId)) continue;
    if (run.response?.status !== undefined) latest.set(run.connectorId, run);
    else if (!unanswered.has(run.connectorId)) unanswered.set(run.connectorId, run);
  }
  const ids = only ? [only] : [...deps.connectors.keys()];
  const blocks: string[] = [];
  const without: string[] = [];
  for (const id of ids) {
    const connector = deps.connectors.get(id);
    const run = latest.get(id) ?? unanswered.get(id);
    if (!connector) continue;
    if (!run) {
      without.push(id);
      continue;
    }
    const read = readStoredAnswer(run);
    blocks.push(
      read.ok
        ? formatExplanation(connector, describeRun(run), explainResponse(connector, read.answer))
        : `${id}, against ${describeRun(run)}\n  ${read.problem}`,
    );
  }
  if (blocks.length === 0) {
    return fail(
      1,
      `No answer to read on ticket or record ${targetId}: ${only ?? 'no connector'} ran there with an answer in the last ${deps.retentionDays} days. Run it there (a dry run writes nothing), or save an answer and use --response FILE --connector ID.`,
    );
  }
  if (without.length > 0) {
    blocks.push(
      `No answer from these on ${describeTarget(targetId)} in the last ${deps.retentionDays} days: ${without.join(', ')}`,
    );
  }
  return ok(blocks.join('\n\n'));
}

type StoredAnswer = { ok: true; answer: UpstreamAnswer } | { ok: false; problem: string };

/** The answer as the run log kept it: redacted, and cut short past the log's size cap. */
function readStoredAnswer(run: RunRecord): StoredAnswer {
  const response = run.response;
  if (response?.status === undefined) {
    return { ok: false, problem: `no answer was recorded (${run.errorCode ?? run.outcome})` };
  }
  const bodyText = response.body ?? '';
  const json = parseJson(bodyText);
  if (json === undefined && response.truncated) {
    return {
      ok: false,
      problem:
        'the run log kept only the start of this answer, which is not JSON on its own; save the full answer to a file and use --response FILE --connector ID',
    };
  }
  const contentType = Object.entries(response.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  )?.[1];
  return {
    ok: true,
    answer: { status: response.status, contentType: contentType ?? null, bodyText, json },
  };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeRun(run: RunRecord): string {
  const when = run.startedAt.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
  return `run ${run.id} (${run.target.system} ${run.target.type} ${run.target.id}, ${when})`;
}

function unknown(connectorId: string, deps: ExplainDeps): CommandOutput {
  return fail(
    1,
    `There is no connector "${connectorId}" in the config; its connectors are ${[...deps.connectors.keys()].join(', ')}.`,
  );
}

const ok = (stdout: string): CommandOutput => ({ exitCode: 0, stdout: `${stdout}\n`, stderr: '' });
const fail = (exitCode: number, stderr: string): CommandOutput => ({
  exitCode,
  stdout: '',
  stderr: `${stderr}\n`,
});
