import request from 'supertest';
import { expect } from 'vitest';
import { TEST_ADMIN_TOKEN } from './start-test-stack';
import type { TestStack } from './start-test-stack';

export interface ConsoleSignIn {
  cookie: string;
  csrfToken: string;
  origin: string;
  /** Headers for a read. */
  read: Record<string, string>;
  /** Headers for a change: the cookie, the CSRF token and this origin, as the console page sends. */
  write: Record<string, string>;
}

/** Signs in to the console as its page does, with the stack's admin token. */
export async function signInToConsole(stack: TestStack): Promise<ConsoleSignIn> {
  const origin = stack.url;
  const answer = await request(stack.url)
    .post('/admin/login')
    .set('Origin', origin)
    .send({ token: TEST_ADMIN_TOKEN });
  expect(answer.status).toBe(200);
  const cookie = /dc_console=([^;]+)/.exec(String(answer.headers['set-cookie']))?.[1] ?? '';
  const csrfToken = String(answer.body.csrfToken);
  const read = { Cookie: `dc_console=${cookie}` };
  return {
    cookie,
    csrfToken,
    origin,
    read,
    write: { ...read, 'X-CSRF-Token': csrfToken, Origin: origin },
  };
}
