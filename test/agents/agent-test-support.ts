import request from 'supertest';
import { expect } from 'vitest';
import type { TestStack } from '../support/start-test-stack';

/** A new agent key through the admin API (the secret, as the create answer gives it once). */
export async function createAgentKey(
  stack: TestStack,
  name: string,
  connectorIds: string[],
): Promise<string> {
  const created = await request(stack.server.app)
    .post('/api/admin/agent-keys')
    .set(stack.adminAuth)
    .send({ name, connectorIds });
  expect(created.status).toBe(201);
  return created.body.key as string;
}

/** The code in the newest verification mail to this address, as the customer reads it. */
export function codeMailedTo(stack: TestStack, address: string): string {
  const mail = [...stack.mail.messages()].reverse().find((message) => message.to.includes(address));
  const code = /\b(\d{6})\b/.exec(mail?.text ?? '')?.[1];
  if (!code) throw new Error(`no verification code was mailed to ${address}`);
  return code;
}
