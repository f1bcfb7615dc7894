import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../support/start-test-stack';
import type { TestStack } from '../support/start-test-stack';
import { createAgentKey } from './agent-test-support';

/**
 * The verification settings an admin sets (VERIFICATION_CODE_DIGITS, …) are what the tools
 * describe, what their argument schema accepts, and what the model is told after a send.
 */

let stack: TestStack;
let client: Client;

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      verification: { codeDigits: 8, codeValidSeconds: 300, maxTries: 5, verifiedForSeconds: 600 },
    },
  });
  const key = await createAgentKey(stack, 'Eight digits', ['*']);
  client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    }),
  );
});
afterAll(async () => {
  await client.close();
  await stack.close();
});

describe('verification settings from the environment', () => {
  it('shape the verification tools and what they say', async () => {
    const { tools } = await client.listTools();
    const send = tools.find((tool) => tool.name === 'send_verification_code');
    const check = tools.find((tool) => tool.name === 'check_verification_code');
    expect(send?.description).toContain('Sends a 8-digit code');
    expect(send?.description).toContain('The code is valid 5 minutes.');
    expect(check?.description).toContain('5 wrong codes lock it');
    expect(check?.inputSchema.properties).toMatchObject({
      code: { pattern: '^[0-9]{8}$', description: 'The 8 digits, e.g. "04291738".' },
    });

    const sent = await client.callTool({
      name: 'send_verification_code',
      arguments: { ticket_id: '1' },
    });
    expect(JSON.stringify(sent.content)).toContain('A 8-digit code was sent');
    expect(JSON.stringify(sent.content)).toContain('It is valid 5 minutes.');
    const mail = [...stack.mail.messages()].reverse()[0];
    const code = /\b(\d{8})\b/.exec(mail?.text ?? '')?.[1] ?? '';
    expect(code).toHaveLength(8);
    const checked = await client.callTool({
      name: 'check_verification_code',
      arguments: { ticket_id: '1', code },
    });
    expect(checked.isError).toBe(false);
  });
});
