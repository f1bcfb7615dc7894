import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../logging/logger';
import { createRedactor } from '../../../logging/redact';
import { startFakeZendesk } from '../../../sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../../../sandbox/fake-zendesk/fake-zendesk';
import {
  SANDBOX_GROUP_IDS,
  SANDBOX_ORGANIZATION_IDS,
  SANDBOX_USER_IDS,
} from '../../../sandbox/seed/zendesk-seed';
import { createAgentAccess } from './agent-access';
import { createSandboxZendeskClient } from '../../../test-support/sandbox-zendesk-client';

/** What the server learns from Zendesk about an agent, against the fake Zendesk API. */
let zendesk: RunningFakeZendesk;
const logLines: string[] = [];

beforeAll(async () => {
  zendesk = await startFakeZendesk();
});
afterAll(async () => {
  await zendesk.close();
});
beforeEach(() => zendesk.store.reset());

function access(options: { cacheSeconds?: number; now?: () => number } = {}) {
  return createAgentAccess({
    zendesk: createSandboxZendeskClient(zendesk.baseUrl),
    logger: createLogger({
      level: 'warn',
      redactor: createRedactor(() => []),
      write: (line) => logLines.push(line),
    }),
    ...options,
  });
}

const userCalls = () =>
  zendesk.journal.filter((entry) => /^\/api\/v2\/users\/\d+(\.json)?$/.test(entry.path)).length;

describe("an agent's access, as Zendesk has it", () => {
  it('reads role, restriction, groups and organizations', async () => {
    const riley = await access().loadAgent(SANDBOX_USER_IDS.rileyRestricted);
    expect(riley).toMatchObject({
      ok: true,
      value: { role: 'agent', ticketRestriction: 'groups', canEditTickets: true },
    });
    expect(riley.ok && [...riley.value.groupIds]).toEqual([SANDBOX_GROUP_IDS.escalations]);
    const olive = await access().loadAgent(SANDBOX_USER_IDS.oliveOrg);
    expect(olive.ok && [...olive.value.organizationIds]).toEqual([
      SANDBOX_ORGANIZATION_IDS.globexTrading,
    ]);
  });

  it("reads a light agent's custom role: may view, may not edit", async () => {
    expect(await access().loadAgent(SANDBOX_USER_IDS.leeLight)).toMatchObject({
      ok: true,
      value: { ticketRestriction: null, canEditTickets: false },
    });
  });

  it('refuses end users, suspended and chat-only users, and unknown ids', async () => {
    const check = access({ cacheSeconds: 0 });
    expect(await check.loadAgent(SANDBOX_USER_IDS.mariaLopez)).toMatchObject({
      ok: false,
      error: { code: 'AGENT_NOT_ALLOWED' },
    });
    const agent = zendesk.store.findUser(SANDBOX_USER_IDS.agent);
    if (!agent) throw new Error('no agent');
    agent.suspended = true;
    expect(await check.loadAgent(SANDBOX_USER_IDS.agent)).toMatchObject({
      ok: false,
      error: { code: 'AGENT_NOT_ALLOWED' },
    });
    agent.suspended = false;
    agent.chat_only = true;
    expect((await check.loadAgent(SANDBOX_USER_IDS.agent)).ok).toBe(false);
    expect(await check.loadAgent(123456789)).toMatchObject({
      ok: false,
      error: { code: 'AGENT_NOT_ALLOWED' },
    });
  });

  it('is read from Zendesk once per minute, shared by concurrent callers', async () => {
    let now = 0;
    const check = access({ now: () => now });
    const before = userCalls();
    await Promise.all([1, 2, 3].map(() => check.loadAgent(SANDBOX_USER_IDS.agent)));
    await check.loadAgent(SANDBOX_USER_IDS.agent);
    expect(userCalls() - before).toBe(1);
    now = 61_000;
    await check.loadAgent(SANDBOX_USER_IDS.agent);
    expect(userCalls() - before).toBe(2);
  });

  it('does not keep a failure: the next call asks Zendesk again', async () => {
    const check = access();
    // The client's first try and its three retries all fail.
    zendesk.faults.enqueue({ status: 503, times: 4, pathPattern: '/users/' });
    expect(await check.loadAgent(SANDBOX_USER_IDS.agent)).toMatchObject({
      ok: false,
      error: { code: 'HELPDESK_UNAVAILABLE' },
    });
    expect((await check.loadAgent(SANDBOX_USER_IDS.agent)).ok).toBe(true);
  });

  it('treats a custom role it may not read as "cannot edit", and says so in the log', async () => {
    // Custom roles need an admin token; an agent token gets 403 from Zendesk.
    const check = createAgentAccess({
      zendesk: {
        ...createSandboxZendeskClient(zendesk.baseUrl),
        getCustomRole: async () => ({
          ok: false,
          error: { code: 'ZENDESK_UNAUTHORIZED', status: 403, message: 'Forbidden', attempts: 1 },
        }),
      },
      logger: createLogger({
        level: 'warn',
        redactor: createRedactor(() => []),
        write: (line) => logLines.push(line),
      }),
    });
    expect(await check.loadAgent(SANDBOX_USER_IDS.leeLight)).toMatchObject({
      ok: true,
      value: { canEditTickets: false },
    });
    expect(logLines.some((line) => line.includes('could not read a custom role'))).toBe(true);
  });
});

describe('whether an agent may open a ticket', () => {
  it("looks the ticket's group up to keep private groups' tickets for their members", async () => {
    const check = access();
    const agent = await check.loadAgent(SANDBOX_USER_IDS.agent);
    const admin = await check.loadAgent(SANDBOX_USER_IDS.admin);
    if (!agent.ok || !admin.ok) throw new Error('seed');
    const vipTicket = {
      groupId: SANDBOX_GROUP_IDS.vip,
      assigneeId: SANDBOX_USER_IDS.admin,
      requesterId: SANDBOX_USER_IDS.priyaShah,
      organizationId: null,
    };
    expect(await check.canView(agent.value, vipTicket)).toEqual({ ok: true, value: false });
    expect(await check.canView(admin.value, vipTicket)).toEqual({ ok: true, value: true });
  });
});
