import { afterEach, describe, expect, it } from 'vitest';
import { createTestSchema, TEST_DATABASE_URL } from '../../test-support/postgres-test-schema';
import type { TestSchema } from '../../test-support/postgres-test-schema';
import { channelName, listenToChannel, notifyChannel } from './listen-channel';
import type { ChannelListener } from './listen-channel';

let schema: TestSchema | undefined;
const listeners: ChannelListener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
  await schema?.drop();
  schema = undefined;
});

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i += 1) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe('listenToChannel', () => {
  it("hears its schema's notices and not another schema's, and looks again after a dropped connection", async () => {
    schema = await createTestSchema('chan');
    const heard: string[] = [];
    const channel = channelName(schema.schema, 'config');
    listeners.push(
      listenToChannel({
        url: TEST_DATABASE_URL,
        channel,
        onNotice: (payload) => heard.push(payload),
        retryMs: 50,
      }),
    );
    // LISTEN is set up asynchronously: send until the first notice arrives.
    for (let i = 0; i < 50 && heard.length === 0; i += 1) {
      await notifyChannel(schema.pool, channel, '7');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(heard[0]).toBe('7');
    heard.length = 0;
    await notifyChannel(schema.pool, channelName('another_schema', 'config'), '8');
    await notifyChannel(schema.pool, channel, '9');
    expect(await waitFor(() => heard.includes('9'))).toBe(true);
    expect(heard).not.toContain('8');
    // The server ends the listening connection: it reconnects and reports "look again" ('').
    heard.length = 0;
    await schema.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND query LIKE 'LISTEN ${channel}%'`,
    );
    expect(await waitFor(() => heard.includes(''))).toBe(true);
    await notifyChannel(schema.pool, channel, '10');
    expect(await waitFor(() => heard.includes('10'))).toBe(true);
  });
});
