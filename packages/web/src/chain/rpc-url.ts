// Which chain JSON-RPC URL a browser should use (no viem here: it is on every page's path).

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0']);

/**
 * The RPC URL this browser should use. The node reports the URL it uses itself; an embedded
 * chain's is a loopback address, which only works in a browser on the same machine. A page
 * reached over the LAN (a phone) asks the same host instead — which needs the chain to listen
 * there too — and says so (`rewritten`).
 */
export function rpcUrlFor(reported: string, page: { hostname: string }): { url: string; rewritten: boolean } {
  let u: URL;
  try {
    u = new URL(reported);
  } catch {
    return { url: reported, rewritten: false };
  }
  if (LOOPBACK.has(u.hostname) && !LOOPBACK.has(page.hostname)) {
    u.hostname = page.hostname;
    return { url: u.toString().replace(/\/$/, ''), rewritten: true };
  }
  return { url: reported, rewritten: false };
}
