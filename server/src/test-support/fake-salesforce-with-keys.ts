import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { startFakeSalesforce } from '../sandbox/fake-salesforce/fake-salesforce';
import type { RunningFakeSalesforce } from '../sandbox/fake-salesforce/fake-salesforce';

interface KeyPair {
  publicKey: string;
  privateKey: string;
}

function generateKeys(): KeyPair {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/**
 * A fresh fake Salesforce org for each test that trusts one JWT signing key (`keys`), plus a
 * second key it does not trust (`otherKeys`): the set-up of the client's and the fake's tests of
 * the JWT bearer flow. The keys are made once per file (RSA key generation is slow).
 */
export function useFakeSalesforceWithKeys(): {
  readonly keys: KeyPair;
  readonly otherKeys: KeyPair;
  readonly fake: RunningFakeSalesforce;
} {
  const state: { keys?: KeyPair; otherKeys?: KeyPair; fake?: RunningFakeSalesforce } = {};
  beforeAll(() => {
    state.keys = generateKeys();
    state.otherKeys = generateKeys();
  });
  beforeEach(async () => {
    state.fake = await startFakeSalesforce({
      credentials: { jwtPublicKeys: [(state.keys as KeyPair).publicKey] },
    });
  });
  afterEach(() => state.fake?.close());
  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`${name} is read before the test started`);
    return value;
  };
  return {
    get keys() {
      return started(state.keys, 'keys');
    },
    get otherKeys() {
      return started(state.otherKeys, 'otherKeys');
    },
    get fake() {
      return started(state.fake, 'fake');
    },
  };
}
