/**
 * SSRF guard for admin-defined connectors.
 *
 * An admin can point a connector at any URL, so without this the server could be used to read cloud
 * metadata (169.254.169.254), internal admin panels or loopback services. Two layers:
 *   1. The URL's scheme, host and port must be allowed by the connection's `allowedHosts` (checked on
 *      every redirect hop too), so a redirect cannot move a request to another service on the same
 *      host (another port) or from https to http.
 *   2. The address actually connected to must be public. Host names are resolved inside the undici
 *      connector (`connect.lookup`), so the address we check is the address the socket uses: a DNS answer
 *      cannot change between the check and the connect (DNS rebinding). IP-literal hosts never reach
 *      `lookup`, so they are classified before the request is made.
 * Only plain global unicast passes; everything ipaddr.js puts in a special range is refused, including
 * IPv4-mapped and IPv4-embedding IPv6 forms that would otherwise smuggle a private IPv4 address.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';
import type { HostLookup, LookupAddress } from './request-types';
import { memoizePerObject } from '../../../shared/src/memoize-per-object';
import type { Result } from '../../../shared/src/result';

const ALLOWED_SCHEMES = new Set(['http:', 'https:']);

// Ranges ipaddr.js 1.x files under 'unicast' that are still not the public internet.
const EXTRA_BLOCKED_IPV4: Record<string, [ipaddr.IPv4, number][]> = {
  benchmarking: [ipaddr.IPv4.parseCIDR('198.18.0.0/15')],
};
const EXTRA_BLOCKED_IPV6: Record<string, [ipaddr.IPv6, number][]> = {
  siteLocal: [ipaddr.IPv6.parseCIDR('fec0::/10')],
  discard: [ipaddr.IPv6.parseCIDR('100::/64')],
  // IPv4-compatible addresses (`::a.b.c.d`, deprecated by RFC 4291): a URL parser writes
  // [::127.0.0.1] as [::7f00:1], which ipaddr.js 1.x files as plain unicast.
  ipv4Compatible: [ipaddr.IPv6.parseCIDR('::/96')],
  // The local-use NAT64 prefix (RFC 8215): a NAT64 gateway turns it into any IPv4 address,
  // private ones included. (The well-known 64:ff9b::/96 is already classified as rfc6052.)
  nat64LocalUse: [ipaddr.IPv6.parseCIDR('64:ff9b:1::/48')],
};

export type AddressClass = { blocked: false } | { blocked: true; range: string };

/** Classifies an IP address; anything that is not public unicast is blocked. */
export function classifyAddress(address: string): AddressClass {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() unwraps ::ffff:a.b.c.d so the embedded IPv4 address is what gets classified.
    parsed = ipaddr.process(stripBrackets(address));
  } catch {
    return { blocked: true, range: 'invalid' };
  }
  const range = parsed.range();
  if (range !== 'unicast') return { blocked: true, range };
  const extra =
    parsed.kind() === 'ipv4'
      ? ipaddr.subnetMatch(parsed as ipaddr.IPv4, EXTRA_BLOCKED_IPV4, 'unicast')
      : ipaddr.subnetMatch(parsed as ipaddr.IPv6, EXTRA_BLOCKED_IPV6, 'unicast');
  return extra === 'unicast' ? { blocked: false } : { blocked: true, range: extra };
}

/** The URL's host without IPv6 brackets or a trailing dot, lower-cased. */
export function normalizeHostname(hostname: string): string {
  return stripBrackets(hostname).replace(/\.$/, '').toLowerCase();
}

/** True when `hostname` is listed exactly, or under a "*.example.com" wildcard (any depth, not the apex). */
export function isHostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = normalizeHostname(hostname);
  const hostIsIp = isIP(host) !== 0;
  return allowedHosts.some((entry) => {
    const pattern = normalizeHostname(entry.trim());
    if (hostIsIp) {
      return isIP(pattern) !== 0 && sameAddress(host, pattern);
    }
    if (pattern.startsWith('*.')) {
      const suffix = domainToASCII(pattern.slice(2));
      return suffix !== '' && host.endsWith(`.${suffix}`);
    }
    return domainToASCII(pattern) === host;
  });
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

function portOf(url: URL): string {
  return url.port || (DEFAULT_PORTS[url.protocol] ?? '');
}

/**
 * Whether a URL's scheme, host and port are allowed. An `allowedHosts` entry is a host pattern
 * (`api.example.com`, `*.example.com`, an IP literal), optionally with a port
 * (`api.example.com:8443`) or a scheme (`https://api.example.com:8443`). An entry without them
 * allows the base URL's scheme, and the base URL's port for the base URL's own host (the scheme's
 * default port for any other host). Without a base origin, bare entries allow https on 443 only.
 */
export function isUrlAllowed(
  url: URL,
  allowedHosts: readonly string[],
  baseOrigin?: string,
): boolean {
  // The answer depends on nothing else, so each allowlist keeps its answers: a connector asks
  // about the same origin on every run, and working it out parsed the base origin and every
  // entry again (docs/performance.md, "What the nineteenth machine's session found").
  const answers = answersFor(allowedHosts);
  const key = `${baseOrigin ?? ''} ${url.protocol}//${url.hostname}:${portOf(url)}`;
  let allowed = answers.get(key);
  if (allowed === undefined) {
    allowed = decideUrlAllowed(url, allowedHosts, baseOrigin);
    // Redirects can name any host: the answers kept must not grow without end.
    if (answers.size >= MAX_REMEMBERED_ANSWERS) answers.clear();
    answers.set(key, allowed);
  }
  return allowed;
}

const answersFor = memoizePerObject(
  (_allowedHosts: readonly string[]) => new Map<string, boolean>(),
);
const MAX_REMEMBERED_ANSWERS = 1_000;

function decideUrlAllowed(
  url: URL,
  allowedHosts: readonly string[],
  baseOrigin: string | undefined,
): boolean {
  const base = baseOrigin ? new URL(baseOrigin) : undefined;
  const baseScheme = base?.protocol ?? 'https:';
  const port = portOf(url);
  const isBaseHost = base !== undefined && isHostAllowed(url.hostname, [base.hostname]);
  return allowedHosts.some((raw) => {
    let entry = raw.trim();
    let scheme = baseScheme;
    let entryPort: string | undefined;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
      let parsed: URL;
      try {
        parsed = new URL(entry);
      } catch {
        return false;
      }
      scheme = parsed.protocol;
      entryPort = portOf(parsed);
      entry = parsed.hostname;
    } else {
      // host:port, but not a bare IPv6 literal (which is full of colons)
      const withPort = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry);
      if (withPort) {
        entry = withPort[1] as string;
        entryPort = withPort[2] as string;
      }
    }
    if (url.protocol !== scheme) return false;
    if (!isHostAllowed(url.hostname, [entry])) return false;
    const allowedPort = entryPort ?? (isBaseHost && base ? portOf(base) : DEFAULT_PORTS[scheme]);
    return port === allowedPort;
  });
}

export type TargetCheck = Result<
  URL,
  {
    code: 'UPSTREAM_INVALID_URL' | 'UPSTREAM_HOST_NOT_ALLOWED' | 'UPSTREAM_ADDRESS_BLOCKED';
    message: string;
  }
>;

/**
 * Checks what can be checked before connecting: scheme, allowlist, and the address of an IP-literal host.
 * Messages name the host only; paths and query strings may carry customer data.
 */
export function checkTarget(
  rawUrl: string | URL,
  policy: { allowedHosts: readonly string[]; allowPrivateNetwork: boolean; baseOrigin?: string },
): TargetCheck {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, error: { code: 'UPSTREAM_INVALID_URL', message: 'The URL is not valid' } };
  }
  if (!ALLOWED_SCHEMES.has(url.protocol)) {
    return {
      ok: false,
      error: {
        code: 'UPSTREAM_INVALID_URL',
        message: `Scheme ${url.protocol} is not allowed; use http or https`,
      },
    };
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials belong in `auth`; in a URL they leak into logs and survive redirects.
    return {
      ok: false,
      error: { code: 'UPSTREAM_INVALID_URL', message: 'The URL must not contain credentials' },
    };
  }
  const host = normalizeHostname(url.hostname);
  if (!isUrlAllowed(url, policy.allowedHosts, policy.baseOrigin)) {
    return {
      ok: false,
      error: {
        code: 'UPSTREAM_HOST_NOT_ALLOWED',
        message: `${url.protocol}//${url.host} is not in the connection's allowed hosts (scheme, host and port)`,
      },
    };
  }
  if (!policy.allowPrivateNetwork && isIP(host) !== 0) {
    const verdict = classifyAddress(host);
    if (verdict.blocked) {
      return {
        ok: false,
        error: {
          code: 'UPSTREAM_ADDRESS_BLOCKED',
          message: `Address ${host} is ${describeRange(verdict.range)} and may not be called`,
        },
      };
    }
  }
  return { ok: true, value: url };
}

/** Raised inside the connector's DNS lookup; sendRequest turns it into UPSTREAM_ADDRESS_BLOCKED. */
export class BlockedAddressError extends Error {
  readonly code = 'ERR_UPSTREAM_ADDRESS_BLOCKED';
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      `Host ${hostname} resolves to ${address}, ${describeRange(range)}, which may not be called`,
    );
    this.name = 'BlockedAddressError';
  }
}

export const resolveHostWithDns: HostLookup = (hostname) =>
  dns.lookup(hostname, { all: true, verbatim: true });

/**
 * A `net` lookup that resolves every address and fails if any is blocked: refusing the whole name (rather
 * than skipping bad addresses) keeps a name that mixes public and private answers from reaching either.
 */
export function createGuardedLookup(
  resolveHost: HostLookup,
  allowPrivateNetwork: boolean,
): LookupFunction {
  return (hostname, options, callback) => {
    const answer = (resolved: LookupAddress[]): void => {
      const family = normalizeFamily(options.family);
      const addresses = family === 0 ? resolved : resolved.filter((a) => a.family === family);
      const first = addresses[0];
      if (first === undefined) {
        const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        error.code = 'ENOTFOUND';
        callback(error, '', 0);
        return;
      }
      if (!allowPrivateNetwork) {
        for (const { address } of addresses) {
          const verdict = classifyAddress(address);
          if (verdict.blocked) {
            callback(new BlockedAddressError(hostname, address, verdict.range), '', 0);
            return;
          }
        }
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, first.address, first.family);
    };
    // Whatever goes wrong, the callback must run: a lookup that never answers hangs the connection.
    resolveHost(hostname)
      .then(answer)
      .catch((error: NodeJS.ErrnoException) => callback(error, '', 0));
  };
}

/** An undici Agent whose every connection goes through the guarded lookup (DNS pinning). */
export function createEgressAgent(options: {
  allowPrivateNetwork: boolean;
  timeoutMs: number;
  lookup?: HostLookup;
}): Agent {
  return new Agent({
    connect: {
      lookup: createGuardedLookup(
        options.lookup ?? resolveHostWithDns,
        options.allowPrivateNetwork,
      ),
      timeout: options.timeoutMs,
    },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Every request checks its host against the connection's allowed hosts, which are the same few
 * addresses each time: each text is parsed once. Bounded, because a request's host can be
 * rendered from inputs and so vary without end.
 */
const normalizedAddresses = new Map<string, string | null>();
const MAX_REMEMBERED_ADDRESSES = 1_000;

function normalizeAddress(text: string): string | null {
  let normalized = normalizedAddresses.get(text);
  if (normalized === undefined) {
    try {
      normalized = ipaddr.process(text).toNormalizedString();
    } catch {
      normalized = null;
    }
    if (normalizedAddresses.size >= MAX_REMEMBERED_ADDRESSES) normalizedAddresses.clear();
    normalizedAddresses.set(text, normalized);
  }
  return normalized;
}

function sameAddress(a: string, b: string): boolean {
  const first = normalizeAddress(a);
  return first !== null && first === normalizeAddress(b);
}

function normalizeFamily(family: number | 'IPv4' | 'IPv6' | undefined): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}

function describeRange(range: string): string {
  const names: Record<string, string> = {
    loopback: 'a loopback address',
    private: 'a private-network address',
    uniqueLocal: 'a private-network address',
    linkLocal: 'a link-local address (this includes cloud metadata endpoints)',
    unspecified: 'an unspecified address',
    carrierGradeNat: 'a carrier-grade NAT address',
    multicast: 'a multicast address',
    broadcast: 'a broadcast address',
  };
  return names[range] ?? `in a reserved range (${range})`;
}
