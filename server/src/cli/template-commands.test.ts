import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../env/parse-env';
import { createSecretSource } from '../secrets/secret-source';
import { loadTemplates } from '../templates/load-templates';
import { openConfigFiles } from './open-config-files';
import { runAddCommand } from './template-commands';

/** `connectors add` on a terminal: what it asks, and picking a field from the helpdesk's list. */

describe('connectors add, asking on the terminal', () => {
  it('asks for each blank, offers the writable fields of the right types by number, and writes the answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-add-ask-'));
    const configPath = join(dataDir, 'connectors.json');
    copyFileSync('config/connectors.json', configPath);
    const env = parseEnv({ DATA_DIR: dataDir, CONNECTORS_CONFIG: configPath });
    if (!env.ok) throw new Error('env');
    const questions: string[] = [];
    const answers: Record<string, string> = {
      'API base URL': 'https://api.acme.test',
      'Ticket field for the plan': '2',
      'Ticket field for the account status': '',
      'Secret name for API token': 'ACME_TOKEN',
    };
    let files: Awaited<ReturnType<typeof openConfigFiles>> | undefined;
    const output = await runAddCommand(['rest_lookup'], {
      library: () => loadTemplates(),
      sources: async () => (files = await openConfigFiles(env.value, createSecretSource({}))),
      ask: async (question) => {
        questions.push(question);
        const label = Object.keys(answers).find((key) => question.startsWith(key));
        return label === undefined ? '' : (answers[label] as string);
      },
      listFields: async () => [
        { key: '11', label: 'Order number', type: 'text', writable: true },
        { key: '12', label: 'Old plan', type: 'text', writable: false },
        { key: '13', label: 'VIP', type: 'checkbox', writable: true },
        { key: '14', label: 'Plan', type: 'tagger', writable: true },
      ],
    });
    if (files && 'close' in files) await files.close();
    expect(output.stderr).toBe('');
    expect(output.code).toBe(0);
    // Only writable fields of the types the blank takes are offered, numbered.
    const planQuestion = questions.find((q) => q.startsWith('Ticket field for the plan')) ?? '';
    expect(planQuestion).toContain('    1. Order number (11, text)\n    2. Plan (14, tagger)\n');
    expect(planQuestion).not.toContain('Old plan');
    expect(planQuestion).not.toContain('VIP');
    expect(questions.find((q) => q.startsWith('Lookup path'))).toContain('[Enter for /customers]');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
      connectors: { id: string; writeBack: unknown }[];
    };
    expect(JSON.stringify(config)).toContain('"token":"{{secrets.ACME_TOKEN}}"');
    expect(config.connectors.find((c) => c.id === 'customer_lookup')?.writeBack).toEqual({
      success: { zendesk: { customFields: { '14': '{{outputs.plan}}' } } },
    });
  });
});
