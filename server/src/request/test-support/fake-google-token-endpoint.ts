import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { startTestServer, type TestServer } from './start-test-server';

/**
 * Google's token endpoint for service accounts, as "Using OAuth 2.0 for Server to Server Applications"
 * describes it: a form POST with grant_type `urn:ietf:params:oauth:grant-type:jwt-bearer` and an RS256
 * `assertion` whose claims are iss (the service account), scope (space-delimited), aud (the token
 * endpoint), iat and exp (at most an hour later), and sub for delegation. It verifies the signature with
 * the account's public key and answers `{access_token, expires_in, token_type}`, or the 400 errors Google
 * gives (`invalid_grant` with "Invalid JWT Signature." and so on).
 */
export interface FakeGoogleTokenEndpoint {
  server: TestServer;
  tokenUrl: string;
  serviceAccount: { clientEmail: string; privateKeyPem: string; privateKeyId: string };
  /** Claims of every assertion it accepted, in order. */
  accepted: Array<Record<string, unknown> & { header: Record<string, unknown> }>;
  /** Access tokens it issued, in order. */
  issued: string[];
  expiresIn: number;
  close(): Promise<void>;
}

const CLIENT_EMAIL = 'connectors@acme-project.iam.gserviceaccount.com';

export async function startFakeGoogleTokenEndpoint(): Promise<FakeGoogleTokenEndpoint> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const verifyKey = await importSPKI(publicKey, 'RS256');
  const state = {
    accepted: [] as FakeGoogleTokenEndpoint['accepted'],
    issued: [] as string[],
    expiresIn: 3600,
  };
  let tokenUrl = '';

  const server = await startTestServer((req, res, received) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const form = new URLSearchParams(received.body);
    if (req.method !== 'POST' || req.url !== '/token') {
      answer(404, { error: 'not_found' });
      return;
    }
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      answer(400, {
        error: 'unsupported_grant_type',
        error_description: `Invalid grant_type: ${form.get('grant_type') ?? ''}`,
      });
      return;
    }
    const assertion = form.get('assertion') ?? '';
    void (async () => {
      let header: Record<string, unknown>;
      let claims: Record<string, unknown>;
      try {
        header = decodeProtectedHeader(assertion) as Record<string, unknown>;
        ({ payload: claims } = await jwtVerify(assertion, verifyKey, {
          algorithms: ['RS256'],
          issuer: CLIENT_EMAIL,
          audience: tokenUrl,
          requiredClaims: ['iat', 'exp'],
        }));
      } catch (error) {
        const code = (error as { code?: string }).code;
        const description =
          code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
            ? 'Invalid JWT Signature.'
            : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' || code === 'ERR_JWT_EXPIRED'
              ? 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.'
              : 'Invalid JWT.';
        answer(400, { error: 'invalid_grant', error_description: description });
        return;
      }
      const iat = Number(claims.iat);
      const exp = Number(claims.exp);
      if (exp - iat > 3600 || iat > Date.now() / 1000 + 60) {
        answer(400, {
          error: 'invalid_grant',
          error_description:
            'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
        });
        return;
      }
      if (typeof claims.scope !== 'string' || claims.scope === '') {
        answer(400, {
          error: 'invalid_scope',
          error_description: 'Invalid oauth scope or ID token audience provided.',
        });
        return;
      }
      state.accepted.push({ ...claims, header });
      const token = `ya29.fake-access-token-${state.issued.length + 1}-${Math.random().toString(36).slice(2)}`;
      state.issued.push(token);
      answer(200, { access_token: token, expires_in: state.expiresIn, token_type: 'Bearer' });
    })();
  });
  tokenUrl = `${server.origin}/token`;

  return {
    server,
    tokenUrl,
    serviceAccount: {
      clientEmail: CLIENT_EMAIL,
      privateKeyPem: privateKey,
      privateKeyId: 'b5c7e0a1d2f3',
    },
    get accepted() {
      return state.accepted;
    },
    get issued() {
      return state.issued;
    },
    get expiresIn() {
      return state.expiresIn;
    },
    set expiresIn(value: number) {
      state.expiresIn = value;
    },
    close: () => server.close(),
  };
}
