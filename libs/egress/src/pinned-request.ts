import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostOf, type CheckedDestination } from './destination-policy';

/** Answers the checked address whatever the name resolves to by now: a second DNS answer cannot swap it. */
const pinnedLookup =
  (destination: CheckedDestination): LookupFunction =>
  (_hostname, options, callback) => {
    if (options.all) (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [destination]);
    else callback(null, destination.address, destination.family);
  };

export interface PinnedRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** One request to the address checkDestination answered (TLS still checks the URL's host name). */
export function sendPinned(url: URL, destination: CheckedDestination, request: PinnedRequest): Promise<IncomingMessage> {
  const { method, headers, body, signal } = request;
  const options: RequestOptions = {
    protocol: url.protocol,
    hostname: hostOf(url),
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method,
    headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup: pinnedLookup(destination),
    // A pooled socket could have been opened for another (unchecked) hop.
    agent: false,
    signal,
  };
  return new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, resolve);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
