// A proof bundle in a link: `/verify?bundle=<base64url(JSON)>` (RFC 4648 §5, no padding).

export function encodeBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeBase64Url(b64url: string): string {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/').replace(/\s+/g, '');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const s = atob(padded);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
