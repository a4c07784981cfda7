// How CLI commands reach a running node: --node URL, or the node.json a node
// started on the same data dir wrote; admin calls carry the data dir's token.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRuntimeInfo } from '../node.js';
import { CliError, EXIT, str } from './args.js';

export interface NodeClient {
  url: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  /** POST JSON, answer as bytes (a file the node builds, e.g. a claim dossier). */
  postForBytes(path: string, body: unknown): Promise<{ bytes: Uint8Array; headers: Headers }>;
  del(path: string): Promise<void>;
  /** POST raw bytes (a signed command bundle, a document), answer as JSON. */
  postBytes<T>(path: string, bytes: Uint8Array, contentType: string): Promise<T>;
  /** GET a file (a document's content), as bytes with the response headers. */
  getBytes(path: string): Promise<{ bytes: Uint8Array; headers: Headers }>;
}

export function nodeClient(values: Record<string, unknown>): NodeClient {
  const dataDir = resolve(str(values, 'data-dir') ?? '.tradetwin');
  const url = str(values, 'node') ?? readRuntimeInfo(dataDir)?.httpUrl;
  if (!url)
    throw new CliError(
      `no running node found in ${dataDir}: start one with "tradetwin start" or pass --node URL`,
      EXIT.unreachable,
      'no_node',
    );
  const tokenFile = join(dataDir, 'admin-token');
  const token = str(values, 'token') ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  const send = async (
    method: string,
    path: string,
    body?: unknown,
    raw?: { bytes: Uint8Array; type: string },
  ): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(new URL(path, url), {
        method,
        headers: {
          ...(raw ? { 'content-type': raw.type } : body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: raw ? Buffer.from(raw.bytes) : body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new CliError(`cannot reach the node at ${url}: ${(err as Error).message}`, EXIT.unreachable, 'node_unreachable');
    }
    if (res.ok) return res;
    const text = await res.text();
    let detail = text;
    let reason = `http_${res.status}`;
    try {
      const p = JSON.parse(text) as { detail?: string; type?: string };
      detail = `${p.detail ?? text} (${p.type ?? res.status})`;
      // The problem type's last segment (https://tradetwin.dev/problems/<reason>) is the stable code.
      if (p.type) reason = p.type.slice(p.type.lastIndexOf('/') + 1);
    } catch {
      // not a problem body
    }
    // 503: the node cannot reach its store or chain now (retryable), as if it could not be reached.
    const exit = res.status === 503 ? EXIT.unreachable : EXIT.refused;
    throw new CliError(`${method} ${path}: HTTP ${res.status}: ${detail}`, exit, reason);
  };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const text = await (await send(method, path, body)).text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return {
    url,
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    del: (p) => call<void>('DELETE', p),
    postBytes: async <T>(p: string, bytes: Uint8Array, type: string) =>
      JSON.parse(await (await send('POST', p, undefined, { bytes, type })).text()) as T,
    getBytes: async (p) => {
      const res = await send('GET', p);
      return { bytes: new Uint8Array(await res.arrayBuffer()), headers: res.headers };
    },
    postForBytes: async (p, b) => {
      const res = await send('POST', p, b);
      return { bytes: new Uint8Array(await res.arrayBuffer()), headers: res.headers };
    },
  };
}
