import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { applyEdits, modify } from 'jsonc-parser';
import type { LoadConfigResult } from '../config/load-config';
import { formatConfigIssues } from '../config/format-config-issues';
import { saveConnectorEdit, writeConnectorInto } from '../console/edit-connector';
import type { ConfigSources } from '../console/edit-connector';
import { buildDraft } from '../drafts/build-draft';
import { suggestOutputs } from '../drafts/suggest-outputs';
import type { CommandOutput } from './agent-keys-command';
import { describeSaveError } from './describe-save-error';
import { parseCliOptions } from './parse-cli-options';

export const DRAFT_USAGE = `  npm run connectors -- draft --openapi <file.json|yaml> --operation <operationId|"GET /path"> [--id <id>]
      a draft connector from one operation of an OpenAPI 3 document: parameters and body become
      inputs, the response schema suggested outputs, the security scheme the connection's auth
  npm run connectors -- draft --curl '<curl command>' [--id <connector-id>] [--response <file>] [--write]
      a draft connector and its connection from a curl command (as copied from API docs or a
      browser); credentials become secret references, never config text. With --response, its
      outputs are suggested from a sample answer. Checked against the current config; with
      --write (also for --openapi), added to it as a draft with its connection
  npm run connectors -- draft --response <file>
      suggested outputs (JMESPath paths) for every field of a sample answer`;

export interface DraftCommandDeps {
  configPath: string;
  /** Loads the config with these file texts in place of the files (nothing is written). */
  validate: (overrides: ReadonlyMap<string, string>) => Promise<LoadConfigResult<unknown>>;
  /** The config files to write the draft into, for --write. */
  sources?: () => Promise<ConfigSources | { error: string }>;
}

const usage = (message: string): CommandOutput => ({
  code: 2,
  stdout: '',
  stderr: `connectors draft: ${message}\nusage:\n${DRAFT_USAGE}\n`,
});

async function readSample(
  path: string,
): Promise<{ ok: true; value: unknown } | { ok: false; output: CommandOutput }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      output: {
        code: 1,
        stdout: '',
        stderr: `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`,
      },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      output: { code: 1, stdout: '', stderr: `${path} is not JSON: ${(error as Error).message}\n` },
    };
  }
}

export async function runDraftCommand(
  args: string[],
  deps: DraftCommandDeps,
): Promise<CommandOutput> {
  const parsed = parseCliOptions(args, {
    curl: { type: 'string' },
    openapi: { type: 'string' },
    operation: { type: 'string' },
    id: { type: 'string' },
    response: { type: 'string' },
    write: { type: 'boolean' },
  });
  if (!parsed.ok) return usage(parsed.error);
  const { values, positionals } = parsed.value;
  if (positionals.length) return usage(`unexpected ${positionals.join(' ')}`);
  if (values.curl === undefined && values.openapi === undefined && values.response === undefined) {
    return usage('give --curl, --openapi with --operation, or --response');
  }
  if (values.curl !== undefined && values.openapi !== undefined) {
    return usage('give --curl or --openapi, not both');
  }
  if ((values.openapi === undefined) !== (values.operation === undefined)) {
    return usage('--openapi and --operation go together');
  }
  if (values.id !== undefined && !/^[a-z][a-z0-9_-]{1,63}$/.test(values.id)) {
    return usage('--id: 2-64 lowercase letters, digits, "_" or "-", starting with a letter');
  }
  const sample = values.response === undefined ? undefined : await readSample(values.response);
  if (sample && !sample.ok) return sample.output;
  const suggestions = sample?.ok ? suggestOutputs(sample.value) : [];

  if (values.curl === undefined && values.openapi === undefined) {
    const lines = suggestions.map(
      (s) =>
        `  ${JSON.stringify({ name: s.name, label: s.label, path: s.path, type: s.type })}   e.g. ${JSON.stringify(s.example)}`,
    );
    return {
      code: 0,
      stdout: `Suggested outputs (keep the ones you need in "response.outputs"):\n${lines.join('\n')}\n`,
      stderr: '',
    };
  }

  let document = '';
  if (values.openapi !== undefined) {
    try {
      document = await readFile(values.openapi, 'utf8');
    } catch (error) {
      return {
        code: 1,
        stdout: '',
        stderr: `Cannot read ${values.openapi}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`,
      };
    }
  }
  const built = buildDraft({
    ...(values.openapi !== undefined
      ? { kind: 'openapi' as const, document, operation: values.operation ?? '' }
      : { kind: 'curl' as const, command: values.curl ?? '' }),
    ...(values.id === undefined ? {} : { id: values.id }),
    ...(sample?.ok ? { sample: sample.value } : {}),
  });
  if (!built.ok) {
    const where = values.openapi === undefined ? '' : `${values.openapi}: `;
    return { code: 1, stdout: '', stderr: `${where}${built.error.message}\n` };
  }
  const draft = built.value;
  const decide = [
    draft.secrets.length
      ? `Secrets to set (in the secrets file or as SECRET_<NAME>): ${draft.secrets.join(', ')}\n`
      : '',
    draft.notes.length
      ? `To decide:\n${draft.notes.map((note) => `  - ${note}`).join('\n')}\n`
      : '',
  ];

  if (values.write) {
    const sources = await deps.sources?.();
    if (!sources) return usage('--write is not available here');
    if ('error' in sources) return { code: 1, stdout: '', stderr: `${sources.error}\n` };
    const saved = await saveConnectorEdit(
      sources,
      { kind: 'create', connection: { id: draft.connectionId, value: draft.connection } },
      draft.connector,
      'CLI (draft)',
    );
    if (!saved.ok) {
      const why = describeSaveError(saved.error, {
        connectionExists:
          'rename the connection in the printed draft, or add the connector by hand',
      });
      return { code: 1, stdout: '', stderr: `Nothing written: ${why}` };
    }
    const written = [
      `Wrote the draft "${String(draft.connector.id)}" and its connection "${draft.connectionId}" to ${saved.value.file} (config version v${saved.value.version.id}); it stays hidden from agents until you publish it.\n`,
      ...decide,
      saved.value.warnings.length
        ? `Checked: it loads, with what to fill in:\n${formatConfigIssues(saved.value.warnings)}\n`
        : 'Checked: it loads as it is.\n',
    ];
    return { code: 0, stdout: written.filter(Boolean).join('\n'), stderr: '' };
  }

  // Checked as the server would load it: the draft added to the config file (not written).
  const file = resolve(deps.configPath);
  let checkText = '';
  try {
    const text = await readFile(file, 'utf8');
    const withConnection = applyEdits(
      text,
      modify(text, ['connections', draft.connectionId], draft.connection, {
        formattingOptions: { insertSpaces: true, tabSize: 2 },
      }),
    );
    const loaded = await deps.validate(
      new Map([[file, writeConnectorInto(withConnection, -1, draft.connector)]]),
    );
    checkText = loaded.ok
      ? loaded.value.warnings.length
        ? `Checked with ${deps.configPath}: it loads, with what to fill in:\n${formatConfigIssues(loaded.value.warnings)}\n`
        : `Checked with ${deps.configPath}: it loads as it is.\n`
      : `Checked with ${deps.configPath}: it would not load yet:\n${formatConfigIssues(loaded.error.issues)}\n`;
  } catch {
    checkText = `Not checked: ${deps.configPath} is a folder or cannot be read; run npm run connectors -- check after adding the draft.\n`;
  }
  const json = JSON.stringify(
    { connections: { [draft.connectionId]: draft.connection }, connectors: [draft.connector] },
    null,
    2,
  );
  const parts = [
    `Draft (add the connection and the connector to your config, or run again with --write; "draft": true keeps it hidden until you publish it):\n${json}\n`,
    ...decide,
    checkText,
  ];
  return { code: 0, stdout: parts.filter(Boolean).join('\n'), stderr: '' };
}
