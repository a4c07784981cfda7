// CBV §8.9 numbers: no trailing zeros, no decimal point for whole numbers, no
// quotes. XML carries every value as text, so the reference implementation reads
// any value that parses as a number as one; JSON strings like "12.50" therefore
// become "12.5" too, or an event would hash differently in XML and JSON.
// The 2026 reference reads numbers as exact decimals (Python's Decimal), never
// through binary floating point: whole numbers keep their digits ("1E+3" stays in
// Decimal's scientific form), fractions are written out in full ("0.00001").

const NUMERIC = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A JSON number as Python's float repr spells it (what the reference reads):
 * the shortest round-trip digits, in exponent form from 1e16 and below 1e-4.
 */
function floatRepr(n: number): string {
  const a = Math.abs(n);
  return a !== 0 && (a >= 1e16 || a < 1e-4) ? n.toExponential() : String(n);
}

export function canonicalNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return canonicalNumericString(floatRepr(n)) ?? String(n);
}

/** The canonical spelling of a numeric string, or null when the string is not a number. */
export function canonicalNumericString(text: string): string | null {
  const m = NUMERIC.exec(text);
  if (!m) return null;
  const [, rawSign = '', int = '', frac = '', exp = '0'] = m;
  if (int === '' && frac === '') return null;
  const sign = rawSign === '-' ? '-' : '';
  // value = coefficient × 10^exponent, as a decimal keeps it
  let coefficient = (int + frac).replace(/^0+(?=\d)/, '');
  let exponent = Number(exp) - frac.length;
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 10_000) return null;
  const zeroFraction = exponent < 0 && /^0*$/.test(coefficient.slice(Math.max(0, coefficient.length + exponent)));
  if (exponent >= 0 || zeroFraction) {
    if (exponent < 0) {
      coefficient = coefficient.slice(0, coefficient.length + exponent).replace(/^0+(?=\d)/, '') || '0';
      exponent = 0;
    }
    return sign + scientific(coefficient, exponent);
  }
  // A fraction: trailing zeros dropped, written in plain positional notation.
  while (coefficient.endsWith('0')) {
    coefficient = coefficient.slice(0, -1);
    exponent++;
  }
  const point = coefficient.length + exponent;
  const digits =
    point > 0 ? `${coefficient.slice(0, point)}.${coefficient.slice(point)}` : `0.${'0'.repeat(-point)}${coefficient}`;
  return sign + digits;
}

/** A whole decimal as Python's str(Decimal) writes it: plain when the exponent is 0, else scientific. */
function scientific(coefficient: string, exponent: number): string {
  if (exponent === 0) return coefficient;
  const adjusted = exponent + coefficient.length - 1;
  const mantissa = coefficient.length > 1 ? `${coefficient[0]}.${coefficient.slice(1)}` : coefficient;
  return `${mantissa}E+${adjusted}`;
}
