// How CLI commands reach a running node: --node URL, or the node.json a node
// started on the same data dir wrote; admin calls carry the data dir's token.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRuntimeInfo } from '../node.js';
import { CliError, str } from './args.js';

export interface NodeClient {
  url: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  del(path: string): Promise<void>;
}

export function nodeClient(values: Record<string, unknown>): NodeClient {
  const dataDir = resolve(str(values, 'data-dir') ?? '.tradetwin');
  const url = str(values, 'node') ?? readRuntimeInfo(dataDir)?.httpUrl;
  if (!url) throw new CliError(`no running node found in ${dataDir}: start one with "tradetwin start" or pass --node URL`);
  const tokenFile = join(dataDir, 'admin-token');
  const token = str(values, 'token') ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(new URL(path, url), {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new CliError(`cannot reach the node at ${url}: ${(err as Error).message}`, 1);
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text;
      try {
        const p = JSON.parse(text) as { detail?: string; type?: string };
        detail = `${p.detail ?? text} (${p.type ?? res.status})`;
      } catch {
        // not a problem body
      }
      throw new CliError(`${method} ${path}: HTTP ${res.status}: ${detail}`, 1);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return { url, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b), del: (p) => call<void>('DELETE', p) };
}
