import type { ConnectorTemplate } from '../../../shared/src/templates/template-schema';
import type { TemplateParameter } from '../../../shared/src/templates/template-schema';
import { formatConfigIssues } from '../config/format-config-issues';
import type { ConfigSources } from '../console/edit-connector';
import { saveConnectorEdit } from '../console/edit-connector';
import type { HelpdeskField } from '../runs/helpdesk-port';
import { applyTemplate } from '../templates/apply-template';
import type { TemplateLibrary } from '../templates/load-templates';
import type { CommandOutput } from './agent-keys-command';
import { describeSaveError } from './describe-save-error';
import { parseCliOptions } from './parse-cli-options';

export const TEMPLATES_USAGE = `  npm run connectors -- templates [<template>]
      the template library (templates/), or one template: what it asks for, its secrets and sources
  npm run connectors -- add <template> [--set <blank>=<value>]… [--secret <NAME>=<YOUR_NAME>]…
                            [--id <connector-id>] [--connection-id <id>]
      adds a connector from a template to the config as a draft (hidden from agents until it is
      published), with its connection; asks on the terminal for what is not given (ticket and
      Salesforce fields picked from the helpdesk's own list when the server is running), checks
      the whole config first and writes nothing if it would not load`;

export interface TemplateCommandDeps {
  library: () => TemplateLibrary;
  /** Where the config is written, checked as the server would load it. */
  sources: () => Promise<ConfigSources | { error: string }>;
  /**
   * A question on the terminal, answered with a line; undefined when there is no terminal (a
   * script, CI), where a blank that is still missing becomes an error naming its --set flag.
   */
  ask?: (question: string) => Promise<string>;
  /** The helpdesk's fields to pick from (from the running server); undefined when unknown. */
  listFields?: (parameter: TemplateParameter) => Promise<HelpdeskField[] | undefined>;
  author?: string;
}

function wrap(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}

/** `templates`: the library as a table, or one template in full. */
export function runTemplatesCommand(
  args: string[],
  deps: Pick<TemplateCommandDeps, 'library'>,
): CommandOutput {
  const { templates, issues } = deps.library();
  const broken = issues.length
    ? `\nTemplates that did not load:\n${formatConfigIssues(issues)}\n`
    : '';
  if (args.length > 1) {
    return { code: 2, stdout: '', stderr: `connectors templates: give at most one template id\n` };
  }
  const id = args[0];
  if (id === undefined) {
    const width = Math.max(...templates.map((t) => t.id.length), 8);
    const lines = templates.map(
      (t) => `  ${t.id.padEnd(width)}  ${t.title}${t.sideEffects ? '  (changes data)' : ''}`,
    );
    return {
      code: issues.length ? 1 : 0,
      stdout: `${templates.length} templates (npm run connectors -- templates <id> for one; add <id> to use it):\n${lines.join('\n')}\n${broken}`,
      stderr: '',
    };
  }
  const template = templates.find((t) => t.id === id);
  if (!template) return unknownTemplate(id, templates);
  return { code: 0, stdout: describeTemplate(template), stderr: '' };
}

function unknownTemplate(id: string, templates: readonly ConnectorTemplate[]): CommandOutput {
  return {
    code: 1,
    stdout: '',
    stderr: `There is no template "${id}"; the templates are ${templates.map((t) => t.id).join(', ')}.\n`,
  };
}

function describeTemplate(template: ConnectorTemplate): string {
  const lines = [
    `${template.title} (${template.id}): ${template.service}`,
    `  ${wrap(template.summary, '  ')}`,
    `Auth: ${template.auth.type}. ${template.auth.why}`,
  ];
  if (template.sideEffects) {
    lines.push(`Changes: ${template.sideEffects.what}`, `Not twice: ${template.sideEffects.guard}`);
  }
  lines.push('Asks for:');
  for (const p of template.parameters) {
    const extra = [
      p.required ? 'required' : 'optional',
      p.default !== undefined ? `default ${p.default}` : '',
      p.example !== undefined ? `e.g. ${p.example}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${p.name}: ${p.label} (${extra})${p.description ? `. ${p.description}` : ''}`);
  }
  if (template.secrets.length) {
    lines.push('Secrets:');
    for (const s of template.secrets) lines.push(`  ${s.name}: ${s.label}. ${s.howToGet}`);
  }
  lines.push('Sources:');
  for (const doc of template.docs) lines.push(`  ${doc.topic}: ${doc.title} <${doc.url}>`);
  return `${lines.join('\n')}\n`;
}

function parsePairs(values: string[] | undefined, flag: string): Map<string, string> | string {
  const pairs = new Map<string, string>();
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) return `--${flag} takes <name>=<value>, got "${value}"`;
    pairs.set(value.slice(0, at), value.slice(at + 1));
  }
  return pairs;
}

/** Asks for one blank; a field blank offers the helpdesk's list, by number or by id. */
async function askFor(
  parameter: TemplateParameter,
  ask: NonNullable<TemplateCommandDeps['ask']>,
  listFields: TemplateCommandDeps['listFields'],
): Promise<string> {
  const fields =
    parameter.kind === 'zendeskTicketField' || parameter.kind === 'salesforceField'
      ? ((await listFields?.(parameter))?.filter(
          (field) =>
            field.writable &&
            (parameter.fieldTypes === undefined || parameter.fieldTypes.includes(field.type)),
        ) ?? [])
      : [];
  const hint = [
    parameter.required || parameter.default !== undefined ? '' : 'Enter to leave out',
    parameter.default !== undefined ? `Enter for ${parameter.default}` : '',
    parameter.example !== undefined && parameter.default === undefined && !fields.length
      ? `e.g. ${parameter.example}`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
  const list = fields.length
    ? `\n${fields.map((field, i) => `  ${String(i + 1).padStart(3)}. ${field.label} (${field.key}, ${field.type})`).join('\n')}\nnumber or id`
    : '';
  const answer = (
    await ask(
      `${parameter.label}${parameter.description ? ` (${parameter.description})` : ''}${list}${hint ? ` [${hint}]` : ''}: `,
    )
  ).trim();
  const picked = /^[0-9]{1,3}$/.test(answer) ? fields[Number(answer) - 1] : undefined;
  return picked ? picked.key : answer;
}

/** `add <template>`: fill the blanks, check the whole config with it, write it as a draft. */
export async function runAddCommand(
  args: string[],
  deps: TemplateCommandDeps,
): Promise<CommandOutput> {
  const parsed = parseCliOptions(args, {
    set: { type: 'string', multiple: true },
    secret: { type: 'string', multiple: true },
    id: { type: 'string' },
    'connection-id': { type: 'string' },
  });
  const usage = (message: string): CommandOutput => ({
    code: 2,
    stdout: '',
    stderr: `connectors add: ${message}\nusage:\n${TEMPLATES_USAGE}\n`,
  });
  if (!parsed.ok) return usage(parsed.error);
  const { values, positionals } = parsed.value;
  if (positionals.length !== 1)
    return usage('give one template id (connectors templates lists them)');
  const { templates } = deps.library();
  const template = templates.find((t) => t.id === positionals[0]);
  if (!template) return unknownTemplate(String(positionals[0]), templates);
  const given = parsePairs(values.set, 'set');
  if (typeof given === 'string') return usage(given);
  const secretNames = parsePairs(values.secret, 'secret');
  if (typeof secretNames === 'string') return usage(secretNames);

  const chosen = new Map(given);
  for (const parameter of template.parameters) {
    if (chosen.has(parameter.name)) continue;
    if (deps.ask) {
      chosen.set(parameter.name, await askFor(parameter, deps.ask, deps.listFields));
    }
  }
  if (deps.ask) {
    // The secret names are the admin's: two Shopify stores need two token names.
    for (const secret of template.secrets) {
      if (secretNames.has(secret.name)) continue;
      const answer = (
        await deps.ask(`Secret name for ${secret.label} [Enter for ${secret.name}]: `)
      ).trim();
      if (answer && answer !== secret.name) secretNames.set(secret.name, answer);
    }
  }
  const missing = template.parameters.filter(
    (p) => p.required && p.default === undefined && !chosen.get(p.name)?.trim(),
  );
  if (missing.length) {
    return {
      code: 2,
      stdout: '',
      stderr: `connectors add ${template.id}: there is no terminal to ask on, so give:\n${missing
        .map((p) => `  --set ${p.name}=${p.example ?? '…'}   (${p.label})`)
        .join('\n')}\n`,
    };
  }
  const applied = applyTemplate(template, {
    values: Object.fromEntries(chosen),
    secretNames: Object.fromEntries(secretNames),
    ...(values.id === undefined ? {} : { connectorId: values.id }),
    ...(values['connection-id'] === undefined ? {} : { connectionId: values['connection-id'] }),
  });
  if (!applied.ok) {
    return {
      code: 1,
      stdout: '',
      stderr: `connectors add ${template.id}: ${applied.error.message}\n`,
    };
  }
  const sources = await deps.sources();
  if ('error' in sources) return { code: 1, stdout: '', stderr: `${sources.error}\n` };
  const { connectionId, connection, connector, secrets } = applied.value;
  const saved = await saveConnectorEdit(
    sources,
    { kind: 'create', connection: { id: connectionId, value: connection } },
    connector,
    deps.author ?? `CLI (add ${template.id})`,
  );
  if (!saved.ok) {
    const why = describeSaveError(saved.error, {
      connectionExists: 'give another connection id with --connection-id',
    });
    return { code: 1, stdout: '', stderr: why };
  }
  const out = [
    `Added "${String(connector.id)}" as a draft to ${saved.value.file} (config version v${saved.value.version.id}), with the connection "${connectionId}".`,
    'It is hidden from agents, AI agents and automations until you publish it (the console, or "draft": false).',
  ];
  if (secrets.length) {
    out.push(
      'Secrets to set (in the secrets file or as SECRET_<NAME>):',
      ...secrets.map((s) => `  ${s.name}: ${s.label}. ${s.howToGet}`),
    );
  }
  out.push(
    saved.value.warnings.length
      ? `Checked: it loads, with what to fill in:\n${formatConfigIssues(saved.value.warnings)}`
      : 'Checked: the config loads with it as it is.',
    `Try it without side effects: npm run connectors -- test ${String(connector.id)} --ticket <id>`,
  );
  return { code: 0, stdout: `${out.join('\n')}\n`, stderr: '' };
}
