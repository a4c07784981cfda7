// CBV 2.0 §8.9 numbers: no trailing zeros, no decimal point for whole numbers,
// no quotes. XML carries every value as text, so the reference implementation
// reads any value that parses as a number as one; JSON strings like "12.50"
// therefore become "12.5" too, or an event would hash differently in XML and JSON.
// Formatting follows the reference (Python): whole numbers in full digits,
// others in the shortest round-trip form, exponent notation below 1e-4.

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function canonicalNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  const a = Math.abs(n);
  if (a >= 1e-4) return String(n);
  const [mant, exp] = n.toExponential().split('e') as [string, string];
  const sign = exp[0] === '-' ? '-' : '+';
  return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** The canonical spelling of a numeric string, or null when the string is not a number. */
export function canonicalNumericString(text: string): string | null {
  if (!NUMERIC.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? canonicalNumber(n) : null;
}
