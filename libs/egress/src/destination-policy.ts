import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { METADATA_HOSTNAMES, restrictedRange } from './address-ranges';
import { DestinationRefused, DestinationUnresolved } from './destination-errors';

/** An address a request may connect to: the one that was checked, so a second DNS answer cannot swap it. */
export interface CheckedDestination {
  address: string;
  family: 4 | 6;
}

export type Resolve = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const resolveWithSystem: Resolve = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** The URL's host without IPv6 brackets, lower case. */
export const hostOf = (url: URL): string => url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
const portOf = (url: URL): string => url.port || (url.protocol === 'https:' ? '443' : '80');

/**
 * Which allowlist entry admits a URL: `*` any host, `*.example.com` a domain
 * and its subdomains, `host` or `host:port` exactly. Only an exact entry may
 * lead to a restricted (loopback, private, link-local, metadata) address:
 * naming a host is the operator saying "this internal service is meant".
 */
export function allowlistMatch(url: URL, allowlist: readonly string[]): 'exact' | 'wildcard' | undefined {
  const host = hostOf(url);
  const hostPort = `${host}:${portOf(url)}`;
  const bare = (entry: string) => entry.replace(/^\[([^\]]+)\](:\d+)?$/, '$1$2');
  if (allowlist.some((entry) => bare(entry) === host || bare(entry) === hostPort)) return 'exact';
  const wildcard = allowlist.some(
    (entry) => entry === '*' || (entry.startsWith('*.') && (host === entry.slice(2) || host.endsWith(entry.slice(1)))),
  );
  return wildcard ? 'wildcard' : undefined;
}

/** Who calls out: the allowlist it obeys and the setting that holds it (named in refusals, so the fix is one look away). */
export interface DestinationPolicy {
  allowlist: readonly string[];
  /** E.g. FLOWCTL_HTTP_ALLOWLIST. */
  setting: string;
}

/**
 * Checks one hop of a request: the allowlist, then every address the name
 * resolves to (one restricted address refuses the whole name: which one a
 * connection would use is not ours to choose). Answers the address to connect to.
 */
export async function checkDestination(
  url: URL,
  policy: DestinationPolicy,
  resolve: Resolve = resolveWithSystem,
): Promise<CheckedDestination> {
  const host = hostOf(url);
  const match = allowlistMatch(url, policy.allowlist);
  if (!match) throw new DestinationRefused(`${url.host} is not in the allowlist (${policy.setting})`);
  const hint = `; list "${host}:${portOf(url)}" in ${policy.setting} to allow it`;
  if (match === 'wildcard' && METADATA_HOSTNAMES.has(host.replace(/\.$/, ''))) {
    throw new DestinationRefused(`${host} is the cloud metadata service; refused${hint}`);
  }
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      // A name that does not resolve now may resolve later: retryable.
      throw new DestinationUnresolved(`cannot resolve ${host}: ${(error as Error).message}`);
    }
  }
  if (addresses.length === 0) throw new DestinationUnresolved(`${host} resolves to no address`);
  if (match === 'wildcard') {
    for (const { address } of addresses) {
      const range = restrictedRange(address);
      if (range) {
        const what = isIP(host) ? `${host} is a ${range} address` : `${host} resolves to ${address}, a ${range} address`;
        throw new DestinationRefused(`${what}; refused${hint}`);
      }
    }
  }
  const [first] = addresses;
  return { address: first!.address, family: first!.family === 6 ? 6 : 4 };
}
