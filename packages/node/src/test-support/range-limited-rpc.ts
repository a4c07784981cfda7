// A JSON-RPC proxy in front of the test chain that refuses eth_getLogs over more
// than `maxRange` blocks, as Besu does (--rpc-max-logs-range, 5,000 by default)
// and as public endpoints do: readers of long chains must read in chunks.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface RpcRequest {
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

export interface RangeLimitedRpc {
  url: string;
  /** eth_getLogs calls refused for their range. */
  refused: number;
  close(): Promise<void>;
}

export async function startRangeLimitedRpc(upstream: string, maxRange: number): Promise<RangeLimitedRpc> {
  const forward = async (body: unknown): Promise<unknown> => {
    const res = await fetch(upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.json();
  };
  const blockOf = async (tag: unknown): Promise<number> => {
    if (typeof tag === 'string' && tag.startsWith('0x')) return Number.parseInt(tag, 16);
    if (tag === 'earliest') return 0;
    const head = (await forward({ jsonrpc: '2.0', id: 0, method: 'eth_blockNumber', params: [] })) as { result: string };
    return Number.parseInt(head.result, 16);
  };
  const state = { refused: 0 };
  const one = async (req: RpcRequest): Promise<unknown> => {
    if (req.method === 'eth_getLogs') {
      const filter = (Array.isArray(req.params) ? req.params[0] : {}) as { fromBlock?: unknown; toBlock?: unknown };
      const from = await blockOf(filter.fromBlock ?? 'latest');
      const to = await blockOf(filter.toBlock ?? 'latest');
      if (to - from + 1 > maxRange) {
        state.refused++;
        return {
          jsonrpc: '2.0',
          id: req.id,
          error: { code: -32005, message: `Requested range exceeds maximum RPC range limit (${maxRange})` },
        };
      }
    }
    return forward(req);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RpcRequest | RpcRequest[];
        const answer = Array.isArray(body) ? await Promise.all(body.map(one)) : await one(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      })().catch((err: unknown) => res.writeHead(502).end(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
