// base64url (RFC 4648 §5, no padding) of UTF-8 text, as the verify page's links carry a bundle or proof.
export function encodeBase64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
