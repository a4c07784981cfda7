// UN/LOCODE format: 2 letters of ISO 3166-1 country code, then 3 characters of
// A–Z or 2–9 (TNT 3.0's UNLocationCode description). The format only: whether
// the code is in the UNECE list is not checked here. Pure.

const UNLOCODE = /^[A-Z]{2}[A-Z2-9]{3}$/;

export function unLocodeProblem(code: string): string | null {
  return UNLOCODE.test(code) ? null : `"${code}" is not a UN/LOCODE: 2 letters (country) then 3 of A-Z or 2-9, e.g. GBSOU`;
}
