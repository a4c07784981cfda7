// Token amounts as people read them: "100,000.00 tUSD" from raw base units and
// the token's decimals (read from the token contract). Pure.

/** `raw` base units of a token with `decimals` decimals, grouped by thousands, at least two decimals shown. */
export function formatAmount(raw: bigint, token: { symbol: string; decimals: number }): string {
  const negative = raw < 0n;
  const abs = negative ? -raw : raw;
  const base = 10n ** BigInt(token.decimals);
  const whole = (abs / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  let fraction = token.decimals > 0 ? (abs % base).toString().padStart(token.decimals, '0') : '';
  fraction = fraction.replace(/0+$/, '');
  if (token.decimals >= 2) fraction = fraction.padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''} ${token.symbol}`;
}
