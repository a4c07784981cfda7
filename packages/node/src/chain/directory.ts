// What the chain says about the things the API shows by address: a cover
// contract's settlement token (symbol, decimals) and the member organisation
// an account belongs to (MemberRegistry names). Read once and kept: a token's
// symbol and decimals never change, and names change only by admission. A
// lookup the chain does not answer in time is left out (null), never fatal:
// the API still answers with the raw units and the address.
import type { Address } from 'viem';
import { parametricCoverAbi, settlementTokenAbi } from '@tradetwin/contracts/generated/index';
import type { TokenJson } from '@tradetwin/core/wire/money';
import type { OrgRefJson } from '@tradetwin/core/wire/orgs';
import { orgRef } from '@tradetwin/core/names/org';
import type { ChainClients } from './clients.js';
import { orgOf, readMember } from './members.js';

/** How long one lookup may hold an API answer up. */
const LOOKUP_MS = 2_000;
/** A non-member account is asked about again after this long (it may be admitted). */
const NOT_A_MEMBER_TTL_MS = 60_000;

export class ChainDirectory {
  private readonly tokens = new Map<string, Promise<TokenJson>>();
  private readonly orgs = new Map<string, { at: number; org: Promise<{ orgId: number; name: string } | null> }>();

  constructor(
    private readonly clients: ChainClients,
    private readonly memberRegistry: Address,
    private readonly now: () => number = Date.now,
  ) {}

  /** The settlement token of a ParametricCover contract; null when the chain does not say. */
  async coverToken(cover: string): Promise<TokenJson | null> {
    const key = cover.toLowerCase();
    let p = this.tokens.get(key);
    if (!p) {
      p = this.readCoverToken(cover as Address);
      this.tokens.set(key, p);
      p.catch(() => this.tokens.delete(key));
    }
    return within(p).catch(() => null);
  }

  /** The account with its organisation's name when it is a member's. */
  async org(account: string): Promise<OrgRefJson> {
    const key = account.toLowerCase();
    let hit = this.orgs.get(key);
    if (!hit || (hit.at + NOT_A_MEMBER_TTL_MS < this.now() && (await hit.org.catch(() => null)) === null)) {
      const org = this.readOrg(account as Address);
      hit = { at: this.now(), org };
      this.orgs.set(key, hit);
      org.catch(() => this.orgs.delete(key));
    }
    return orgRef(account, await within(hit.org).catch(() => null));
  }

  private async readCoverToken(cover: Address): Promise<TokenJson> {
    const c = this.clients.publicClient;
    const address = await c.readContract({ address: cover, abi: parametricCoverAbi, functionName: 'token' });
    const [symbol, decimals] = await Promise.all([
      c.readContract({ address, abi: settlementTokenAbi, functionName: 'symbol' }),
      c.readContract({ address, abi: settlementTokenAbi, functionName: 'decimals' }),
    ]);
    return { address, symbol, decimals: Number(decimals) };
  }

  private async readOrg(account: Address): Promise<{ orgId: number; name: string } | null> {
    const orgId = await orgOf(this.clients, this.memberRegistry, account);
    if (orgId === 0) return null;
    const m = await readMember(this.clients, this.memberRegistry, orgId);
    return m ? { orgId, name: m.name } : null;
  }
}

function within<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the chain did not answer in time')), LOOKUP_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
