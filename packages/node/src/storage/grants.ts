// Grants between organisations (peer/grants.ts decides what they mean): the
// ones this node's organisation issued and the ones it received, each with the
// owner's signature and its leaf in the owner's log, and its revocation if any.
// Rows only; "live" is answered here only as a query over the columns.

export type GrantScopeKind = 'shipment' | 'bizTransaction';

export interface GrantRow {
  grantId: string;
  owner: number;
  grantee: number;
  scopeKind: GrantScopeKind;
  scopeValue: string;
  /** ms: the records' window the grant covers. */
  from: number;
  to: number;
  issuedAt: number;
  /** The owner's Ed25519 signature (hex) over the statement. */
  signature: string;
  /** Its leaf in the owner's log (null until known). */
  leafIndex: number | null;
  revokedAt: number | null;
  revocationSignature: string | null;
  revocationLeafIndex: number | null;
}

export interface GrantStore {
  /** Adds a grant; the same (owner, grantId) again is ignored (returns false). */
  put(g: GrantRow): Promise<boolean>;
  /** Marks a grant revoked; false when no such grant or already revoked (the first revocation stays). */
  revoke(owner: number, grantId: string, r: { at: number; signature: string; leafIndex: number | null }): Promise<boolean>;
  get(owner: number, grantId: string): Promise<GrantRow | null>;
  /** Grants issued by `owner`, newest first. */
  issuedBy(owner: number): Promise<GrantRow[]>;
  /** Grants received by `grantee`, newest first. */
  grantedTo(grantee: number): Promise<GrantRow[]>;
  /** Unrevoked grants from owner to grantee on exactly this scope, oldest first. */
  live(owner: number, grantee: number, scopeKind: GrantScopeKind, scopeValue: string): Promise<GrantRow[]>;
  close(): Promise<void>;
}

export const GRANTS_AREA = 'grants';

/** A `grants` row as both drivers return it (column names are the same in their migrations). */
export function grantRowOf(r: Record<string, unknown>): GrantRow {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    grantId: String(r.grant_id),
    owner: Number(r.owner),
    grantee: Number(r.grantee),
    scopeKind: String(r.scope_kind) as GrantScopeKind,
    scopeValue: String(r.scope_value),
    from: Number(r.from_ms),
    to: Number(r.to_ms),
    issuedAt: Number(r.issued_at),
    signature: String(r.signature),
    leafIndex: num(r.leaf_index),
    revokedAt: num(r.revoked_at),
    revocationSignature:
      r.revocation_signature === null || r.revocation_signature === undefined ? null : String(r.revocation_signature),
    revocationLeafIndex: num(r.revocation_leaf_index),
  };
}
