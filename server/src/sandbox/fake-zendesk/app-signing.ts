import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { SANDBOX_ZENDESK_APP } from '../seed/zendesk-seed';

/**
 * Zendesk's side of signed URLs (`"signedUrls": true` in an app's manifest), for the fake
 * account: Zendesk keeps an RSA key pair per app, publishes the public half at
 * `GET /api/v2/apps/{app_id}/public_key.pem`, and POSTs an RS256 JWT as the form field `token`
 * when it loads a signed location. Documented facts (Zendesk's "Securing the app" tutorial and
 * the Apps API reference): RS256, `iss` is the account's `<subdomain>.zendesk.com`, `aud` names
 * the installation, the token lives about five minutes. The claim layout below (`aud` as the
 * installation's API URL, `sub` as the user's API URL, `context`) follows third-party
 * verification code; docs/zendesk.md lists what is unverified.
 *
 * The key pair lives in memory for the life of the fake: nothing signed by one sandbox process
 * verifies against another's key, and no live deployment ever sees it.
 */
export interface SignAppTokenOptions {
  userId: number;
  appId?: number;
  installationId?: number;
  location?: string;
  /** Lifetime in seconds (default 300, Zendesk's five minutes). */
  expiresInSeconds?: number;
  /** Seconds since the epoch (default now). */
  issuedAt?: number;
  /** Another issuer than the account's own (tests of the verifier). */
  issuer?: string;
}

export interface FakeAppSigning {
  /** The account host the tokens name as `iss`, e.g. `sandbox.zendesk.com`. */
  readonly accountHost: string;
  /** PEM (SPKI) of an installed app's public key, or undefined for an unknown app. */
  publicKeyPem(appId: number): string | undefined;
  /** A token as Zendesk posts it to a signed location. */
  signAppToken(options: SignAppTokenOptions): Promise<string>;
}

export function createFakeAppSigning(
  options: { subdomain?: string; apps?: { appId: number; installationId: number }[] } = {},
): FakeAppSigning {
  const accountHost = `${options.subdomain ?? SANDBOX_ZENDESK_APP.subdomain}.zendesk.com`;
  const apps = options.apps ?? [
    { appId: SANDBOX_ZENDESK_APP.appId, installationId: SANDBOX_ZENDESK_APP.installationId },
  ];
  const keys = new Map(
    apps.map((app) => [app.appId, generateKeyPairSync('rsa', { modulusLength: 2048 })]),
  );
  return {
    accountHost,
    publicKeyPem: (appId) =>
      keys.get(appId)?.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    async signAppToken(token) {
      const appId = token.appId ?? apps[0]?.appId ?? SANDBOX_ZENDESK_APP.appId;
      const pair = keys.get(appId);
      if (!pair) throw new Error(`the fake account has no app ${appId}`);
      const installationId =
        token.installationId ??
        apps.find((app) => app.appId === appId)?.installationId ??
        SANDBOX_ZENDESK_APP.installationId;
      const iat = token.issuedAt ?? Math.floor(Date.now() / 1000);
      const base = `https://${accountHost}`;
      return new SignJWT({
        qsh: '',
        cnf: { jku: `${base}/api/v2/apps/${appId}/public_key.pem` },
        context: { product: 'support', location: token.location ?? 'ticket_sidebar' },
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
        .setIssuer(token.issuer ?? accountHost)
        .setAudience(`${base}/api/v2/apps/installations/${installationId}.json`)
        .setSubject(`${base}/api/v2/users/${token.userId}.json`)
        .setIssuedAt(iat)
        .setNotBefore(iat)
        .setExpirationTime(iat + (token.expiresInSeconds ?? 300))
        .setJti(randomUUID())
        .sign(pair.privateKey);
    },
  };
}
