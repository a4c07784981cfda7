// An amount of a token as the API, the CLI's --json and the demo print it:
// the raw units (the chain's integer, a decimal string) named as such, with
// the token's symbol and decimals and the amount as a person reads it.

export interface MoneyJson {
  /** Token base units, decimal string (what the chain holds). */
  raw: string;
  decimals: number;
  symbol: string;
  /** "100,000.00 tUSD": exact, grouped, at least two decimals. */
  formatted: string;
}

/** The token an amount is counted in, as its contract reports it. */
export interface TokenJson {
  address: string;
  symbol: string;
  decimals: number;
}
