// The owner's side of sharing: issue and revoke grants (signed with the node's
// RFC 9421 key, the one its organisation published in NodeDirectory, and
// appended to its log as "grant" leaves), and decide, default deny, whether a
// calling organisation may see a scope.
import { randomBytes } from 'node:crypto';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import {
  encodeStatementLeafBody,
  GRANT_LEAF_KIND,
  type GrantScope,
  type GrantStatement,
  GrantFormatError,
  type RevocationStatement,
  type SignedStatement,
  signStatement,
} from '@tradetwin/core/peer/grant';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { GrantRow, GrantScopeKind, GrantStore } from '../storage/grants.js';
import { PeerError } from './errors.js';

export interface GrantServiceDeps {
  orgId: number;
  grants: GrantStore;
  log: TransparencyLog;
  secretKey: Uint8Array;
  onAppended?: () => void;
  now?: () => number;
}

export class GrantError extends Error {
  constructor(
    readonly code: 'bad_grant' | 'no_such_grant' | 'already_revoked',
    message: string,
  ) {
    super(message);
    this.name = 'GrantError';
  }
}

export class GrantService {
  constructor(private readonly deps: GrantServiceDeps) {}

  get orgId(): number {
    return this.deps.orgId;
  }

  /** Grant `grantee` the records of `scope` in [from, to] (defaults: from now-less 0 to far future). */
  async issue(g: { grantee: number; scope: GrantScope; from?: number; to?: number }): Promise<GrantRow> {
    const now = (this.deps.now ?? Date.now)();
    const statement: GrantStatement = {
      type: 'grant',
      grantId: randomBytes(16).toString('hex'),
      owner: this.deps.orgId,
      grantee: g.grantee,
      scope: g.scope,
      from: g.from ?? 0,
      to: g.to ?? 253_402_300_799_000, // 9999-12-31: open-ended
      issuedAt: now,
    };
    let signed: SignedStatement<GrantStatement>;
    try {
      signed = signStatement(statement, this.deps.secretKey);
    } catch (err) {
      if (err instanceof GrantFormatError) throw new GrantError('bad_grant', err.message);
      throw err;
    }
    const leafIndex = await this.append(signed, now);
    const row = rowOf(signed, leafIndex);
    await this.deps.grants.put(row);
    return row;
  }

  async revoke(grantId: string): Promise<GrantRow> {
    const existing = await this.deps.grants.get(this.deps.orgId, grantId);
    if (!existing) throw new GrantError('no_such_grant', `no grant ${grantId} issued by this organisation`);
    if (existing.revokedAt !== null) throw new GrantError('already_revoked', `grant ${grantId} was revoked already`);
    const now = (this.deps.now ?? Date.now)();
    const statement: RevocationStatement = { type: 'revoke', grantId, owner: this.deps.orgId, issuedAt: now };
    const signed = signStatement(statement, this.deps.secretKey);
    const leafIndex = await this.append(signed, now);
    await this.deps.grants.revoke(this.deps.orgId, grantId, { at: now, signature: signed.signature, leafIndex });
    return (await this.deps.grants.get(this.deps.orgId, grantId))!;
  }

  issued(): Promise<GrantRow[]> {
    return this.deps.grants.issuedBy(this.deps.orgId);
  }

  received(): Promise<GrantRow[]> {
    return this.deps.grants.grantedTo(this.deps.orgId);
  }

  /**
   * The live grant letting `caller` see this scope, or PeerError not_found — the same error as a
   * record that does not exist (default deny, no existence leak).
   */
  async require(caller: number, kind: GrantScopeKind, value: string): Promise<GrantRow> {
    const [live] = await this.deps.grants.live(this.deps.orgId, caller, kind, value);
    if (!live) throw new PeerError('not_found', 'no such record');
    return live;
  }

  private async append(signed: SignedStatement, at: number): Promise<number> {
    const data = encodeLeaf({ kind: GRANT_LEAF_KIND, receivedAt: at, body: encodeStatementLeafBody(signed) });
    const { firstIndex } = await this.deps.log.append([{ data }]);
    this.deps.onAppended?.();
    return firstIndex;
  }
}

export function rowOf(signed: SignedStatement<GrantStatement>, leafIndex: number | null): GrantRow {
  const s = signed.statement;
  const [scopeKind, scopeValue] =
    'shipment' in s.scope ? ['shipment' as const, s.scope.shipment] : ['bizTransaction' as const, s.scope.bizTransaction];
  return {
    grantId: s.grantId,
    owner: s.owner,
    grantee: s.grantee,
    scopeKind,
    scopeValue,
    from: s.from,
    to: s.to,
    issuedAt: s.issuedAt,
    signature: signed.signature,
    leafIndex,
    revokedAt: null,
    revocationSignature: null,
    revocationLeafIndex: null,
  };
}

/** The signed statements of a stored grant (and its revocation), as the owner signed them. */
export function signedOf(row: GrantRow): {
  grant: SignedStatement<GrantStatement>;
  revocation: SignedStatement<RevocationStatement> | null;
} {
  const scope: GrantScope = row.scopeKind === 'shipment' ? { shipment: row.scopeValue } : { bizTransaction: row.scopeValue };
  return {
    grant: {
      statement: {
        type: 'grant',
        grantId: row.grantId,
        owner: row.owner,
        grantee: row.grantee,
        scope,
        from: row.from,
        to: row.to,
        issuedAt: row.issuedAt,
      },
      signature: row.signature,
    },
    revocation:
      row.revokedAt !== null && row.revocationSignature
        ? {
            statement: { type: 'revoke', grantId: row.grantId, owner: row.owner, issuedAt: row.revokedAt },
            signature: row.revocationSignature,
          }
        : null,
  };
}
