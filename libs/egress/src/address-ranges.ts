import { BlockList, isIP } from 'node:net';

/**
 * Addresses an `http` task may not reach unless the operator names the host
 * in the allowlist: the worker's own machine, its private networks and the
 * cloud metadata service, which hands out credentials to whoever asks from
 * inside. BlockList also matches IPv4-mapped IPv6 (`::ffff:127.0.0.1`) to the
 * IPv4 ranges, so that spelling cannot slip through.
 */
const RANGES: ReadonlyArray<readonly [label: string, network: string, prefix: number]> = [
  ['cloud metadata', '169.254.169.254', 32],
  ['cloud metadata', 'fd00:ec2::254', 128],
  ['unspecified', '0.0.0.0', 8],
  ['loopback', '127.0.0.0', 8],
  ['private (RFC 1918)', '10.0.0.0', 8],
  ['private (RFC 1918)', '172.16.0.0', 12],
  ['private (RFC 1918)', '192.168.0.0', 16],
  ['shared (CGNAT)', '100.64.0.0', 10],
  ['link-local', '169.254.0.0', 16],
  ['reserved', '192.0.0.0', 24],
  ['documentation', '192.0.2.0', 24],
  ['benchmarking', '198.18.0.0', 15],
  ['documentation', '198.51.100.0', 24],
  ['documentation', '203.0.113.0', 24],
  ['multicast', '224.0.0.0', 4],
  ['reserved', '240.0.0.0', 4],
  ['loopback', '::1', 128],
  ['unspecified', '::', 128],
  ['IPv4-compatible', '::', 96],
  ['NAT64', '64:ff9b::', 96],
  ['NAT64', '64:ff9b:1::', 48],
  ['discard', '100::', 64],
  ['IETF protocol (Teredo)', '2001::', 23],
  ['documentation', '2001:db8::', 32],
  ['6to4', '2002::', 16],
  ['unique local (ULA)', 'fc00::', 7],
  ['link-local', 'fe80::', 10],
  ['multicast', 'ff00::', 8],
];

const RANGE_LISTS = RANGES.map(([label, network, prefix]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, isIP(network) === 6 ? 'ipv6' : 'ipv4');
  return { label, list };
});

/** Names of the metadata service, refused before any DNS look-up (some resolve only inside the cloud). */
export const METADATA_HOSTNAMES: ReadonlySet<string> = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

/** Why an address is not public (`loopback`, `cloud metadata`, ...), or undefined for a public address. */
export function restrictedRange(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return RANGE_LISTS.find(({ list }) => list.check(address, type))?.label;
}
