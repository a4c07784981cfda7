// GS1 mod-10 check digit (GS1 General Specifications §7.9.1). EPC URNs leave
// the check digit out, GS1 keys in Digital Link URIs carry it, so converting
// between the two recomputes (or verifies) it.

/** Check digit for a run of digits: weights 3,1,3,… from the rightmost digit. */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = digits.length - 1, w = 3; i >= 0; i--, w = 4 - w) sum += (digits.charCodeAt(i) - 48) * w;
  return String((10 - (sum % 10)) % 10);
}

/** True when the last digit of an all-digit key is its check digit. */
export function hasValidCheckDigit(key: string): boolean {
  return /^\d{2,}$/.test(key) && gs1CheckDigit(key.slice(0, -1)) === key.slice(-1);
}
