import { ranIdOf } from './run-record';
import type { RunRecord } from './run-record';

const MESSAGE_WIDTH = 72;

const COLUMNS: ReadonlyArray<{
  header: string;
  align: 'left' | 'right';
  cell: (run: RunRecord) => string;
}> = [
  // First, so `npm run connectors -- show <run>` is a copy away.
  { header: 'RUN', align: 'left', cell: (run) => run.id },
  { header: 'TIME (UTC)', align: 'left', cell: (run) => formatTime(run.startedAt) },
  {
    header: 'OUTCOME',
    align: 'left',
    cell: (run) => run.outcome + (run.dryRun ? ' (dry run)' : ''),
  },
  {
    header: 'CONNECTOR',
    align: 'left',
    cell: (run) => (run.kind === 'connector' ? run.connectorId : `${run.kind} ${ranIdOf(run)}`),
  },
  {
    header: 'TARGET',
    align: 'left',
    cell: (run) => `${run.target.system} ${run.target.type} ${run.target.id}`,
  },
  { header: 'DURATION', align: 'right', cell: (run) => formatDuration(run.durationMs) },
  { header: 'ATTEMPTS', align: 'right', cell: (run) => String(run.attempts) },
  { header: 'MESSAGE', align: 'left', cell: formatMessage },
];

/**
 * Renders runs as a plain-text table for `npm run connectors -- logs <id>`, in the order given.
 *
 * @example
 * console.log(formatRunsForTerminal((await store.query({ connectorId })).runs));
 */
export function formatRunsForTerminal(runs: RunRecord[]): string {
  if (runs.length === 0) return 'No runs.';
  const rows = runs.map((run) => COLUMNS.map((column) => stripControlCharacters(column.cell(run))));
  const widths = COLUMNS.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const renderLine = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        // The last column is not padded so lines carry no trailing spaces.
        if (i === cells.length - 1) return cell;
        return COLUMNS[i]?.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ');
  return [renderLine(COLUMNS.map((column) => column.header)), ...rows.map(renderLine)].join('\n');
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '');
}

function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1_000)} s`;
}

function formatMessage(run: RunRecord): string {
  const text = (run.errorCode ? `${run.errorCode}: ${run.message}` : run.message)
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MESSAGE_WIDTH ? `${text.slice(0, MESSAGE_WIDTH - 1)}…` : text;
}

// Messages and ids can carry text from external APIs; an ANSI or OSC escape sequence in them
// could rewrite the operator's terminal (hide lines, fake output, set the window title).
export function stripControlCharacters(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
