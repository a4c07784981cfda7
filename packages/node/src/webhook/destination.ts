// Where the node may send a webhook. A subscriber names the URL, and a subscriber
// is not always the node's operator (a partner's credential with alerts or DCSA
// scopes): without a guard the node would POST into its own network for them —
// a cloud metadata service at 169.254.169.254, an admin port on localhost, a
// database on 10.x (server-side request forgery). So by default only public
// addresses are reached; an operator whose receivers live on a private network
// allows that (`webhooks.allowPrivateNetworks`, TRADETWIN_WEBHOOKS_ALLOW_PRIVATE=1).
//
// The check runs where the connection is made: the HTTP request's own DNS lookup
// is the one checked, so a name that resolves to a public address when the
// subscription is made and to a private one when a delivery is sent (DNS
// rebinding) is still refused. Redirects are never followed by the senders.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface WebhookPolicy {
  /** Let webhooks reach loopback, private, link-local and other non-public addresses. */
  allowPrivateNetworks: boolean;
}

export const PRIVATE_NETWORKS_HINT =
  'set TRADETWIN_WEBHOOKS_ALLOW_PRIVATE=1 (config.json webhooks.allowPrivateNetworks) to allow private networks';

/** Address ranges that are not on the public internet (IANA special-purpose registries). */
const NOT_PUBLIC: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'a "this network" address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (cloud metadata services live here)'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['fc00::', 7, 'ipv6', 'a unique local (private) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];
const ranges = NOT_PUBLIC.map(([net, prefix, type, what]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return { list, what };
});

/** Why `address` (an IP literal) is not public, or null when it is. IPv4-mapped IPv6 is judged as IPv4. */
export function nonPublicReason(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1]! : address;
  const type = isIP(ip) === 4 ? 'ipv4' : isIP(ip) === 6 ? 'ipv6' : null;
  if (!type) return 'not an IP address';
  for (const r of ranges) if (r.list.check(ip, type)) return r.what;
  return null;
}

export class WebhookDestinationError extends Error {
  readonly code = 'webhook_destination_refused';
  constructor(message: string) {
    super(message);
    this.name = 'WebhookDestinationError';
  }
}

/** The refusal for a destination address, or null when the policy lets it through. */
export function destinationRefusal(host: string, address: string, policy: WebhookPolicy): string | null {
  if (policy.allowPrivateNetworks) return null;
  const why = nonPublicReason(address);
  if (why === null) return null;
  const named = host === address ? address : `${host} (${address})`;
  return `webhook destination ${named} is ${why}: refused; ${PRIVATE_NETWORKS_HINT}`;
}

/**
 * Checked when a subscription is made, for a clear 400: a URL whose host is an IP literal (or
 * "localhost") that the policy refuses. Names are checked again, on every delivery, where they resolve.
 */
export function literalDestinationRefusal(url: URL, policy: WebhookPolicy): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host.toLowerCase() === 'localhost' || host.toLowerCase().endsWith('.localhost'))
    return destinationRefusal(host, '127.0.0.1', policy);
  return isIP(host) ? destinationRefusal(host, host, policy) : null;
}

/** A DNS lookup for http.request that refuses (with WebhookDestinationError) any address the policy does not allow. */
function guardedLookup(policy: WebhookPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      for (const a of addresses) {
        const refusal = destinationRefusal(hostname, a.address, policy);
        if (refusal) return callback(new WebhookDestinationError(refusal), '', 0);
      }
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * A fetch for webhook senders (alerts, DCSA and EPCIS subscriptions) that connects only where the
 * policy allows. POST/GET with a string or byte body; redirects are returned, not followed.
 */
export function webhookFetch(policy: WebhookPolicy): typeof fetch {
  const lookup = guardedLookup(policy);
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal)) {
      // No lookup happens for an IP literal: check it here.
      const refusal = destinationRefusal(literal, literal, policy);
      if (refusal) throw new WebhookDestinationError(refusal);
    }
    const headers = new Headers(init.headers);
    const body =
      init.body === undefined || init.body === null
        ? undefined
        : typeof init.body === 'string'
          ? Buffer.from(init.body)
          : init.body instanceof Uint8Array
            ? Buffer.from(init.body)
            : null;
    if (body === null) throw new TypeError('webhookFetch: only a string or byte body is supported');
    if (body) headers.set('content-length', String(body.length));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TypeError(`webhookFetch: ${url.protocol} is not http(s)`);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        url,
        { method: init.method ?? 'GET', headers: Object.fromEntries(headers), lookup, signal: init.signal ?? undefined },
        resolve,
      );
      req.once('error', (err) =>
        reject(err instanceof WebhookDestinationError ? err : new TypeError('fetch failed', { cause: err })),
      );
      req.end(body);
    });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const status = res.statusCode ?? 502;
    const nullBody = status === 204 || status === 205 || status === 304;
    const responseHeaders = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (Array.isArray(v)) for (const x of v) responseHeaders.append(k, x);
      else if (v !== undefined) responseHeaders.set(k, v);
    }
    return new Response(nullBody ? null : Buffer.concat(chunks), {
      status,
      statusText: res.statusMessage,
      headers: responseHeaders,
    });
  }) as typeof fetch;
}
