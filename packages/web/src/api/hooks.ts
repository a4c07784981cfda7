// The node's status and the chain endpoint the browser reads directly.
import { useMemo } from 'react';
import { rpcUrlFor } from '../chain/rpc-url.js';
import { useApi } from '../lib/use-api.js';
import type { StatusJson } from '@tradetwin/core/wire/status';

export function useStatus() {
  return useApi<StatusJson>('/api/v1/status', { live: ['anchor', 'ingest'] });
}

/** The chain JSON-RPC URL to read from this browser (see rpcUrlFor), or undefined while the status loads. */
export function useChain(): { rpcUrl: string; rewritten: boolean; status: StatusJson } | undefined {
  const { data } = useStatus();
  return useMemo(() => {
    if (!data) return undefined;
    const r = rpcUrlFor(data.chain.rpcUrl, location);
    return { rpcUrl: r.url, rewritten: r.rewritten, status: data };
  }, [data]);
}
