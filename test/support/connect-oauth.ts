import request from 'supertest';
import { expect } from 'vitest';
import type { ConsoleSignIn } from './console-session';
import type { FakeAuthorizationServer } from './fake-authorization-server';
import type { TestStack } from './start-test-stack';

/**
 * Connects an OAuth authorization code connection as the console does: start the flow (the
 * console's session and a binding cookie), consent at the fake authorization server, and follow
 * the redirect back to /oauth/callback. `bindingFrom` lets a test send another session's binding.
 */
export async function connectOAuth(
  stack: TestStack,
  auth: FakeAuthorizationServer,
  connectionId: string,
  signIn: ConsoleSignIn,
  bindingFrom: ConsoleSignIn = signIn,
) {
  const start = async (who: ConsoleSignIn) => {
    const started = await request(stack.url)
      .post(`/api/admin/console/connections/${connectionId}/oauth/start`)
      .set(who.write);
    expect(started.status).toBe(200);
    const binding = /dc_oauth_binding=([^;]+)/.exec(String(started.headers['set-cookie']))?.[1];
    return { authorizeUrl: String(started.body.authorizeUrl), binding: binding ?? '' };
  };
  const started = await start(signIn);
  const binding = bindingFrom === signIn ? started.binding : (await start(bindingFrom)).binding;
  const callback = new URL(auth.consent(started.authorizeUrl));
  const back = await request(stack.url)
    .get(callback.pathname + callback.search)
    .set('Cookie', `dc_oauth_binding=${binding}`);
  await stack.server.connectionNotices.idle();
  return { started, callback, back };
}
