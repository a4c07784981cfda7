// Sharing by grant, default deny. A grant says: owner organisation O lets
// grantee organisation G see one shipment (or one EPCIS business transaction)
// over a time window; a revocation ends it. Both are signed by the owner's node
// with the Ed25519 key O published in NodeDirectory, and both are leaves of
// O's log (kind "grant"), so who was shown what is itself on the record.
// Pure and isomorphic: the statement, its canonical bytes, signing, checking.
import { ed25519 } from '@noble/curves/ed25519.js';

export const GRANT_LEAF_KIND = 'grant';
const DOMAIN = 'TradeTwin/grant/v1\n';

export type GrantScope = { shipment: string } | { bizTransaction: string };

export interface GrantStatement {
  type: 'grant';
  /** 32 lowercase hex characters, chosen by the owner. */
  grantId: string;
  owner: number;
  grantee: number;
  scope: GrantScope;
  /** ms: the records' time window the grant covers (telemetry by reading time). */
  from: number;
  to: number;
  issuedAt: number;
}

export interface RevocationStatement {
  type: 'revoke';
  grantId: string;
  owner: number;
  issuedAt: number;
}

export type SharingStatement = GrantStatement | RevocationStatement;

export interface SignedStatement<S extends SharingStatement = SharingStatement> {
  statement: S;
  /** Ed25519 over DOMAIN ‖ canonical JSON of the statement, hex without 0x. */
  signature: string;
}

export class GrantFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrantFormatError';
  }
}

/** The statement's canonical bytes: fixed key order, no whitespace. */
export function canonicalStatement(s: SharingStatement): Uint8Array {
  const ordered =
    s.type === 'grant'
      ? {
          type: s.type,
          grantId: s.grantId,
          owner: s.owner,
          grantee: s.grantee,
          scope: 'shipment' in s.scope ? { shipment: s.scope.shipment } : { bizTransaction: s.scope.bizTransaction },
          from: s.from,
          to: s.to,
          issuedAt: s.issuedAt,
        }
      : { type: s.type, grantId: s.grantId, owner: s.owner, issuedAt: s.issuedAt };
  return new TextEncoder().encode(DOMAIN + JSON.stringify(ordered));
}

export function signStatement<S extends SharingStatement>(s: S, secretKey: Uint8Array): SignedStatement<S> {
  checkStatement(s);
  return { statement: s, signature: hex(ed25519.sign(canonicalStatement(s), secretKey)) };
}

export function verifyStatement(signed: SignedStatement, ownerKey: Uint8Array): boolean {
  try {
    checkStatement(signed.statement);
    if (!/^[0-9a-f]{128}$/.test(signed.signature)) return false;
    return ed25519.verify(unhex(signed.signature), canonicalStatement(signed.statement), ownerKey);
  } catch {
    return false;
  }
}

/** The leaf body: the signed statement as canonical JSON. */
export function encodeStatementLeafBody(signed: SignedStatement): Uint8Array {
  const s = new TextDecoder().decode(canonicalStatement(signed.statement)).slice(DOMAIN.length);
  return new TextEncoder().encode(`{"statement":${s},"signature":"${signed.signature}"}`);
}

export function decodeStatementLeafBody(body: Uint8Array): SignedStatement {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new GrantFormatError('grant leaf body is not JSON');
  }
  const o = v as SignedStatement;
  if (!o || typeof o !== 'object' || typeof o.signature !== 'string')
    throw new GrantFormatError('grant leaf body has no signature');
  checkStatement(o.statement);
  return o;
}

/** Throws GrantFormatError unless `s` is a well-formed statement. */
export function checkStatement(s: SharingStatement): void {
  if (!s || typeof s !== 'object') throw new GrantFormatError('statement must be an object');
  if (typeof s.grantId !== 'string' || !/^[0-9a-f]{32}$/.test(s.grantId))
    throw new GrantFormatError('grantId must be 32 hex characters');
  if (!isOrg(s.owner)) throw new GrantFormatError('owner must be an organisation id');
  if (!isMs(s.issuedAt)) throw new GrantFormatError('issuedAt must be a time in ms');
  if (s.type === 'revoke') return;
  if (s.type !== 'grant') throw new GrantFormatError('type must be "grant" or "revoke"');
  if (!isOrg(s.grantee)) throw new GrantFormatError('grantee must be an organisation id');
  if (s.grantee === s.owner) throw new GrantFormatError('an organisation does not grant itself');
  const scope = s.scope as Record<string, unknown> | undefined;
  const keys = scope && typeof scope === 'object' ? Object.keys(scope) : [];
  const value = keys.length === 1 ? scope![keys[0]!] : undefined;
  if (
    !(keys[0] === 'shipment' || keys[0] === 'bizTransaction') ||
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 512
  ) {
    throw new GrantFormatError('scope must be {"shipment": id} or {"bizTransaction": uri}');
  }
  if (!isMs(s.from) || !isMs(s.to) || s.to < s.from) throw new GrantFormatError('from and to must be times in ms, from ≤ to');
}

const isOrg = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
const isMs = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function unhex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (x) => Number.parseInt(x, 16));
}
