import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { recordCannedBodies, startInstantFakes } from '../../bench/support/instant-fakes';
import type { CannedBodies, RunningInstantFakes } from '../../bench/support/instant-fakes';
import { startSkeleton } from '../../bench/support/skeleton-run';
import type { SkeletonSide } from '../../bench/support/skeleton-run';
import { SKELETON_TOKEN } from '../../bench/support/skeleton-secrets';

/**
 * overhead-vs-floor's row D claims what the design's needs cost at the least. That only holds if
 * the must-haves skeleton really does each check, so each is shown to refuse what it must.
 */
describe('the must-haves skeleton (bench row D)', () => {
  let fakes: RunningInstantFakes | undefined;
  let skeleton: SkeletonSide | undefined;
  const agent = new Agent();

  afterEach(async () => {
    await skeleton?.handle.stop();
    await fakes?.close();
    skeleton = undefined;
    fakes = undefined;
  });

  async function start(edit: (bodies: CannedBodies) => CannedBodies = (bodies) => bodies) {
    fakes = await startInstantFakes(edit(await recordCannedBodies()));
    skeleton = await startSkeleton(fakes.url, agent, { mustHaves: true });
    return skeleton;
  }

  async function post(url: string, body: string, authorization?: string) {
    const res = await request(`${url}/run`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body,
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  }

  it('runs with the token, and refuses a wrong token and a body its schema rejects', async () => {
    const side = await start();
    await expect(side.run(7)).resolves.toBe(true);
    const url = side.handle.ready.url;
    expect(await post(url, '{"ticketId":7}')).toEqual({
      status: 401,
      json: { code: 'UNAUTHENTICATED' },
    });
    expect(await post(url, '{"ticketId":7}', `Bearer ${SKELETON_TOKEN}x`)).toMatchObject({
      status: 401,
    });
    expect(await post(url, '{"ticketId":7,"extra":1}', `Bearer ${SKELETON_TOKEN}`)).toEqual({
      status: 400,
      json: { code: 'INVALID_REQUEST' },
    });
  });

  it("fails the run when Zendesk's ticket breaks its schema", async () => {
    const side = await start((bodies) => ({
      ...bodies,
      ticket: bodies.ticket.replace(/"updated_at":"[^"]*"/, '"updated_at":5'),
    }));
    await expect(side.run(7)).resolves.toBe(false);
  });

  it("fails the run when Zendesk's answer to the update breaks its schema", async () => {
    const side = await start((bodies) => ({ ...bodies, update: '{"ticket":{}}' }));
    await expect(side.run(7)).resolves.toBe(false);
  });

  it('passes the answer through the run redaction', async () => {
    const side = await start((bodies) => ({
      ...bodies,
      orders: bodies.orders.replace(
        /"financial_status":"[^"]*"/,
        '"financial_status":"paid sandbox-shopify-token"',
      ),
    }));
    const answered = await post(
      side.handle.ready.url,
      '{"ticketId":7}',
      `Bearer ${SKELETON_TOKEN}`,
    );
    expect(answered.status).toBe(200);
    const text = JSON.stringify(answered.json);
    expect(text).toContain('paid [secret]');
    expect(text).not.toContain('sandbox-shopify-token');
  });
});
