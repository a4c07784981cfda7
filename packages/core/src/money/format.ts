// Token amounts for people: raw units (bigint, never a float) shown with the
// token's decimals and symbol. Exact: digits beyond the second decimal are
// kept when they are not zero, so no amount is rounded away.
import type { MoneyJson } from '../wire/money.js';

export interface TokenUnits {
  symbol: string;
  decimals: number;
}

/** Parse raw units: a bigint, or a decimal string of digits (optionally negative). */
export function rawUnits(amount: bigint | string): bigint {
  if (typeof amount === 'bigint') return amount;
  if (!/^-?\d+$/.test(amount)) throw new RangeError(`not an amount in raw units: ${JSON.stringify(amount)}`);
  return BigInt(amount);
}

/** 100000000000 with 6 decimals → "100,000.00"; 1 → "0.000001". Grouped in thousands with ",", "." before the fraction. */
export function formatUnits(amount: bigint | string, decimals: number, minFractionDigits = 2): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) throw new RangeError(`bad token decimals ${decimals}`);
  const v = rawUnits(amount);
  const abs = v < 0n ? -v : v;
  const unit = 10n ** BigInt(decimals);
  const whole = (abs / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  let frac = decimals > 0 ? (abs % unit).toString().padStart(decimals, '0') : '';
  frac = frac.replace(/0+$/, '');
  const keep = Math.min(minFractionDigits, decimals);
  if (frac.length < keep) frac = frac.padEnd(keep, '0');
  return `${v < 0n ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** "100,000.00 tUSD". */
export function formatAmount(amount: bigint | string, token: TokenUnits): string {
  return `${formatUnits(amount, token.decimals)} ${token.symbol}`;
}

/** The JSON form: raw units kept as such, beside symbol, decimals and the formatted amount. */
export function moneyJson(amount: bigint | string, token: TokenUnits): MoneyJson {
  return {
    raw: rawUnits(amount).toString(),
    decimals: token.decimals,
    symbol: token.symbol,
    formatted: formatAmount(amount, token),
  };
}
