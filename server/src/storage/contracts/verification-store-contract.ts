import { afterEach, describe, expect, it } from 'vitest';
import type { VerificationStore } from '../../verification/verification-store';

/**
 * What every VerificationStore must do, whatever the database: run by each implementation's test
 * file with a factory that opens an empty store on the given clock.
 */
export function describeVerificationStoreContract(
  name: string,
  open: (now: () => number) => Promise<VerificationStore>,
): void {
  const MINUTE = 60 * 1000;
  const ann = { ticketKey: 'zendesk:101', requesterEmail: 'ann@example.com' };
  const annElsewhere = { ticketKey: 'zendesk:202', requesterEmail: 'ann@example.com' };
  const limits = [
    { windowMs: 10 * MINUTE, max: 3 },
    { windowMs: 24 * 60 * MINUTE, max: 10 },
  ];
  let clock = 0;
  let store: VerificationStore | undefined;

  async function openStore(): Promise<VerificationStore> {
    clock = Date.UTC(2026, 0, 1);
    store = await open(() => clock);
    return store;
  }

  async function storeCode(codes: VerificationStore, code: string, subject = ann) {
    const codeHash = await codes.hashCode(subject, code);
    await codes.replaceCode(subject, { codeHash, expiresAt: clock + 10 * MINUTE });
    return codeHash;
  }

  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  describe(`${name}: the verification store contract`, () => {
    it('hashes a code to 32 bytes bound to its ticket and requester, never to the code itself', async () => {
      const codes = await openStore();
      const hash = await codes.hashCode(ann, '123456');
      expect(hash).toHaveLength(32);
      expect(hash.toString('utf8')).not.toContain('123456');
      expect(hash.toString('hex')).not.toContain(Buffer.from('123456').toString('hex'));
      expect((await codes.hashCode(ann, '123456')).equals(hash)).toBe(true);
      expect((await codes.hashCode(ann, '123457')).equals(hash)).toBe(false);
      expect((await codes.hashCode(annElsewhere, '123456')).equals(hash)).toBe(false);
      expect(
        (await codes.hashCode({ ...ann, requesterEmail: 'bob@example.com' }, '123456')).equals(
          hash,
        ),
      ).toBe(false);
    });

    it('hands out the stored code with each try, counting the tries', async () => {
      const codes = await openStore();
      const codeHash = await storeCode(codes, '123456');
      const first = await codes.takeTry(ann, 3);
      expect(first).toMatchObject({ state: 'try', expiresAt: clock + 10 * MINUTE, triesUsed: 1 });
      expect(first.state === 'try' && first.codeHash.equals(codeHash)).toBe(true);
      expect(await codes.takeTry(ann, 3)).toMatchObject({ state: 'try', triesUsed: 2 });
    });

    it('locks the code once every try is used, without counting more', async () => {
      const codes = await openStore();
      await storeCode(codes, '123456');
      for (let tries = 1; tries <= 3; tries += 1) {
        expect(await codes.takeTry(ann, 3)).toMatchObject({ state: 'try', triesUsed: tries });
      }
      expect(await codes.takeTry(ann, 3)).toEqual({ state: 'locked' });
      expect(await codes.takeTry(ann, 3)).toEqual({ state: 'locked' });
      // A higher limit shows the locked tries were not counted.
      expect(await codes.takeTry(ann, 4)).toMatchObject({ state: 'try', triesUsed: 4 });
    });

    it('counts parallel tries one by one, so no more than the limit get through', async () => {
      const codes = await openStore();
      await storeCode(codes, '123456');
      const results = await Promise.all(Array.from({ length: 8 }, () => codes.takeTry(ann, 3)));
      expect(results.filter((result) => result.state === 'try')).toHaveLength(3);
      expect(results.filter((result) => result.state === 'locked')).toHaveLength(5);
    });

    it('replaces the previous code and its tries with a new one', async () => {
      const codes = await openStore();
      await storeCode(codes, '111111');
      await codes.takeTry(ann, 3);
      await codes.takeTry(ann, 3);
      await codes.takeTry(ann, 3);
      clock += MINUTE;
      const newHash = await storeCode(codes, '222222');
      const taken = await codes.takeTry(ann, 3);
      expect(taken).toMatchObject({ state: 'try', triesUsed: 1, expiresAt: clock + 10 * MINUTE });
      expect(taken.state === 'try' && taken.codeHash.equals(newHash)).toBe(true);
    });

    it('has no code for a requester or ticket that was sent none', async () => {
      const codes = await openStore();
      await storeCode(codes, '123456');
      expect(await codes.takeTry(annElsewhere, 3)).toEqual({ state: 'no_code' });
      expect(await codes.takeTry({ ...ann, requesterEmail: 'bob@example.com' }, 3)).toEqual({
        state: 'no_code',
      });
    });

    it('keeps an expired code long enough to say it expired', async () => {
      const codes = await openStore();
      await storeCode(codes, '123456');
      const expiresAt = clock + 10 * MINUTE;
      clock += 60 * MINUTE;
      await storeCode(codes, '654321', annElsewhere);
      expect(await codes.takeTry(ann, 3)).toMatchObject({ state: 'try', expiresAt });
    });

    it('uses the code up once verified, and remembers until when', async () => {
      const codes = await openStore();
      expect(await codes.verifiedUntil(ann)).toBeUndefined();
      await storeCode(codes, '123456');
      await codes.markVerified(ann, clock + 30 * MINUTE);
      expect(await codes.verifiedUntil(ann)).toBe(clock + 30 * MINUTE);
      expect(await codes.verifiedUntil(annElsewhere)).toBeUndefined();
      expect(await codes.takeTry(ann, 3)).toEqual({ state: 'no_code' });
      // A new code does not take the verification away.
      await storeCode(codes, '654321');
      expect(await codes.verifiedUntil(ann)).toBe(clock + 30 * MINUTE);
    });

    it('allows sends up to each limit and says when the next one may go', async () => {
      const codes = await openStore();
      const start = clock;
      for (const offset of [0, 1, 2]) {
        clock = start + offset * MINUTE;
        expect(await codes.reserveSend('ann@example.com', clock, limits)).toEqual({
          reserved: true,
        });
      }
      clock = start + 5 * MINUTE;
      // The first send leaves the 10-minute window at start + 10 minutes.
      expect(await codes.reserveSend('ann@example.com', clock, limits)).toEqual({
        reserved: false,
        retryAt: start + 10 * MINUTE,
      });
      expect(await codes.reserveSend('bob@example.com', clock, limits)).toEqual({
        reserved: true,
      });
      clock = start + 10 * MINUTE;
      expect(await codes.reserveSend('ann@example.com', clock, limits)).toEqual({
        reserved: true,
      });
    });

    it('does not count a refused send', async () => {
      const codes = await openStore();
      const start = clock;
      for (let send = 0; send < 3; send += 1) {
        await codes.reserveSend('ann@example.com', clock, limits);
      }
      for (let refused = 0; refused < 5; refused += 1) {
        expect(await codes.reserveSend('ann@example.com', clock, limits)).toMatchObject({
          reserved: false,
        });
      }
      clock = start + 10 * MINUTE;
      expect(await codes.reserveSend('ann@example.com', clock, limits)).toEqual({
        reserved: true,
      });
    });

    it('holds the daily limit across many short windows', async () => {
      const codes = await openStore();
      const start = clock;
      for (let send = 0; send < 10; send += 1) {
        clock = start + send * 11 * MINUTE;
        expect(await codes.reserveSend('ann@example.com', clock, limits)).toEqual({
          reserved: true,
        });
      }
      clock = start + 200 * MINUTE;
      expect(await codes.reserveSend('ann@example.com', clock, limits)).toEqual({
        reserved: false,
        retryAt: start + 24 * 60 * MINUTE,
      });
      clock = start + 24 * 60 * MINUTE;
      expect(await codes.reserveSend('ann@example.com', clock, limits)).toEqual({
        reserved: true,
      });
    });

    it('lets parallel sends past a limit no more than it allows', async () => {
      const codes = await openStore();
      const results = await Promise.all(
        Array.from({ length: 6 }, () => codes.reserveSend('ann@example.com', clock, limits)),
      );
      expect(results.filter((result) => result.reserved)).toHaveLength(3);
    });
  });
}
