// ISO 6346 container identification: owner code (3 letters), category (U, J or Z),
// 6-digit serial, check digit. The check digit is Σ value(c_i)·2^i over the first
// ten characters, mod 11, mod 10 — letters valued from A=10 upwards skipping the
// multiples of 11. Pure.

const ISO_SHAPE = /^[A-Z]{3}[UJZ]\d{7}$/;

function letterValue(c: string): number {
  let v = 10;
  for (let code = 65; code < c.charCodeAt(0); code++) {
    v++;
    if (v % 11 === 0) v++;
  }
  return v;
}

/** The check digit of the first ten characters of a container number (owner, category, serial). */
export function iso6346CheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const c = first10[i]!;
    const value = c >= '0' && c <= '9' ? Number(c) : letterValue(c);
    sum += value * 2 ** i;
  }
  return (sum % 11) % 10;
}

/** Whether the reference has the ISO 6346 shape (4 letters, the 4th U/J/Z, 7 digits). */
export function looksLikeIso6346(ref: string): boolean {
  return ISO_SHAPE.test(ref);
}

/**
 * Why an ISO-6346-shaped container number is wrong (its check digit), or null when it is right or
 * is not ISO-shaped at all (the spec allows non-ISO equipment references, SMDG Recommendation #2).
 */
export function iso6346Problem(ref: string): string | null {
  if (!looksLikeIso6346(ref)) return null;
  const want = iso6346CheckDigit(ref.slice(0, 10));
  const got = Number(ref[10]);
  return want === got ? null : `container number ${ref} fails the ISO 6346 check digit: ${got} given, ${want} computed`;
}
