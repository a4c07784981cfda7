// A token amount shown with the token's own symbol and decimals: as the node's
// API formatted it (MoneyJson), or from raw units with the token read from the
// cover contract on chain. Raw units stay in data-amount.
import { useEffect, useState } from 'react';
import { formatAmount } from '@tradetwin/core/money/format';
import type { MoneyJson } from '@tradetwin/core/wire/money';
import type { Hex } from '@tradetwin/core/wire/status';
import { useChain } from '../api/hooks.js';
import type { TokenInfo } from '../chain/payouts.js';

export function useCoverToken(cover: Hex | undefined, known = false): TokenInfo | undefined {
  const chain = useChain();
  const [token, setToken] = useState<TokenInfo>();
  useEffect(() => {
    if (!chain || !cover || known) return;
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
  }, [chain?.rpcUrl, cover, known]);
  return token;
}

export function TokenAmount({
  cover,
  amount,
  money,
  testId,
}: {
  cover: Hex;
  /** Raw token units. */
  amount: string | bigint;
  /** The node's formatted amount, when it gave one. */
  money?: MoneyJson;
  testId?: string;
}) {
  const token = useCoverToken(cover, money !== undefined);
  const text = money ? money.formatted : token ? formatAmount(amount, token) : `${amount.toString()} raw units`;
  return (
    <span data-testid={testId} data-amount={amount.toString()} className="mono" title={`${amount.toString()} raw units`}>
      {text}
    </span>
  );
}
