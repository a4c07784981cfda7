// A token amount in base units shown with the token's own symbol and decimals,
// read from the cover contract on chain.
import { useEffect, useState } from 'react';
import { useChain } from '../api/hooks.js';
import type { Hex } from '@tradetwin/core/wire/status';
import type { TokenInfo } from '../chain/payouts.js';
import { formatUnits } from '../lib/format.js';

export function useCoverToken(cover: Hex | undefined): TokenInfo | undefined {
  const chain = useChain();
  const [token, setToken] = useState<TokenInfo>();
  useEffect(() => {
    if (!chain || !cover) return;
    let live = true;
    import('../chain/payouts.js')
      .then((m) => m.coverToken(chain.rpcUrl, cover))
      .then(
        (t) => live && setToken(t),
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [chain?.rpcUrl, cover]);
  return token;
}

export function TokenAmount({ cover, amount, testId }: { cover: Hex; amount: string | bigint; testId?: string }) {
  const token = useCoverToken(cover);
  return (
    <span data-testid={testId} data-amount={amount.toString()} className="mono">
      {token ? `${formatUnits(amount, token.decimals)} ${token.symbol}` : `${amount.toString()} (base units)`}
    </span>
  );
}
