// Policies and payouts as people read them: amounts with their token's symbol
// and decimals (raw units kept beside them), accounts with their organisation's
// name. What the chain does not answer is left out; the raw fields remain.
import type { Hex } from 'viem';
import { moneyJson } from '@tradetwin/core/money/format';
import type { MoneyJson, PayoutJson, PolicyJson } from '@tradetwin/core/wire/shipments';
import type { ChainDirectory } from '../chain/directory.js';
import type { PayoutRecord, PolicyRecord } from '../storage/shipments.js';

const isRaw = (v: unknown): v is string => typeof v === 'string' && /^\d+$/.test(v);

export async function readablePolicy(p: PolicyRecord, names: ChainDirectory | undefined): Promise<PolicyJson> {
  const out: PolicyJson = { ...p };
  if (!names) return out;
  const holder = p.terms.holder;
  const [token, holderOrg] = await Promise.all([
    names.coverToken(p.cover),
    typeof holder === 'string' ? names.org(holder) : Promise.resolve(undefined),
  ]);
  if (token) {
    out.token = token;
    const money: { sumInsured?: MoneyJson; premium?: MoneyJson } = {};
    if (isRaw(p.terms.sumInsured)) money.sumInsured = moneyJson(p.terms.sumInsured, token);
    if (isRaw(p.terms.premium)) money.premium = moneyJson(p.terms.premium, token);
    out.money = money;
  }
  if (holderOrg) out.holderOrg = holderOrg;
  return out;
}

/** A payout; `policies` names the cover (and so the token) of each policy id. */
export async function readablePayout(
  p: PayoutRecord,
  policies: readonly Pick<PolicyRecord, 'policyId' | 'cover'>[],
  names: ChainDirectory | undefined,
): Promise<PayoutJson> {
  const out: PayoutJson = { ...p, excursionId: p.excursionId as Hex, txHash: p.txHash as Hex, signers: p.signers as Hex[] };
  if (!names) return out;
  const cover = policies.find((q) => q.policyId === p.policyId)?.cover;
  const [token, signerOrgs] = await Promise.all([
    cover ? names.coverToken(cover) : Promise.resolve(null),
    Promise.all(p.signers.map((s) => names.org(s))),
  ]);
  if (token && isRaw(p.amount)) out.money = moneyJson(p.amount, token);
  out.signerOrgs = signerOrgs;
  return out;
}
