// The dossier's PDF report: what a claims handler reads and files. Policy
// terms, the excursion with its first, peak and last readings against the
// limit, the payout worked out from the on-chain terms, who attested, the
// transactions, and the verification and audit results. Pure: facts in, bytes out.
import { formatAmount } from '@tradetwin/core/money/format';
import type { DossierFacts, Organisation } from './model.js';
import { againstLimit, limitText } from './limits.js';
import { workOutPayout } from './payout-steps.js';
import { PdfWriter, type Tone } from './pdf-layout.js';

const iso = (ms: number) => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
const org = (o: Organisation | null, fallback = 'unknown') =>
  o
    ? o.orgId > 0
      ? `${o.name} (member ${o.orgId})${o.account ? `, ${o.account}` : ''}`
      : `${o.account ?? ''} (no member)`
    : fallback;
const minutes = (m: number) => `${Number(m.toFixed(1))} min`;

export function dossierTitle(f: DossierFacts): string {
  return f.subject.kind === 'policy'
    ? `Claim dossier - policy #${f.subject.policyId}, shipment ${f.shipment.id}`
    : `Excursion dossier - shipment ${f.shipment.id}`;
}

export async function renderReport(f: DossierFacts, files: readonly string[]): Promise<Uint8Array> {
  const issuer = f.issuer.org?.name ?? f.issuer.address;
  const w = await PdfWriter.create(`${dossierTitle(f)} - issued by ${issuer}, ${f.issuer.address}`);
  const x = f.excursion;
  const token = f.policy?.token;
  const money = (raw: bigint) => (token ? formatAmount(raw, token) : `${raw} token units`);

  w.title(dossierTitle(f), `Generated ${iso(f.generatedAt)} by ${org(f.issuer.org, f.issuer.address)}, chain ${f.chain.chainId}`);

  // Summary first: what happened and what was paid, in three lines.
  w.heading('Summary');
  const verified = f.bundles.filter((b) => b.report.ok && b.report.complete).length;
  w.keyValues([
    ['Shipment', `${f.shipment.id}: ${f.shipment.goods.description}`],
    [
      'Excursion',
      `${x.ruleId} on ${x.deviceId}: ${minutes(x.minutesOutside)} outside ${limitText(f.limit)}, peak ${againstLimit(f.limit, x.peak)}; ${x.breached ? 'BREACHED' : 'within tolerance'}`,
      x.breached ? 'bad' : 'normal',
    ],
    [
      'Payout',
      f.payout
        ? `${money(f.payout.amount)} paid ${iso(f.payout.paidAt)} (tx ${f.payout.txHash})`
        : 'none paid for this excursion',
      f.payout ? 'good' : 'muted',
    ],
    [
      'Evidence',
      `${verified} of ${f.bundles.length} readings verified against the chain; log audit ${f.audit.ran ? (f.audit.ok ? 'passed' : 'FAILED') : 'not run'}`,
      verified === f.bundles.length && (!f.audit.ran || f.audit.ok) ? 'good' : 'bad',
    ],
  ]);

  w.heading('Shipment');
  const s = f.shipment;
  w.keyValues([
    ['Goods', `${s.goods.description}${s.goods.gtin ? ` (GTIN ${s.goods.gtin})` : ''}`],
    ...s.legs.map((l, i): [string, string] => [
      `Leg ${i + 1} (${l.mode})`,
      `${l.from.name} -> ${l.to.name}, planned ${iso(l.plannedDeparture)} -> ${iso(l.plannedArrival)}`,
    ]),
    ...s.parties.map((p): [string, string] => [`Party: ${p.role}`, `${p.name}${p.account ? ` (${p.account})` : ''}`]),
    ...s.devices.map((d): [string, string] => [
      'Device',
      `${d.deviceId}, attached ${iso(d.from)}${d.to ? ` to ${iso(d.to)}` : ''}`,
    ]),
  ]);

  if (f.policy) {
    const p = f.policy;
    const t = p.terms;
    w.heading('Policy terms (read from the chain)');
    w.keyValues([
      ['Policy', `#${p.policyId} on ParametricCover ${p.cover}, state ${p.state}`],
      ['Insurer', org(p.insurer)],
      ['Holder', org(p.holder)],
      ['Sum insured', money(t.sumInsured)],
      ['Premium', money(t.premium)],
      ['Temperature band', `${t.minCentiC / 100}–${t.maxCentiC / 100} °C`],
      ['Tolerance', `${t.toleranceMinutes} min outside the band before anything is due`],
      [
        'Per started hour',
        `${t.payoutPerHourBps} bps (${(t.payoutPerHourBps / 100).toFixed(2)} %) of the sum insured beyond the tolerance`,
      ],
      ['Catastrophic from', `${t.catastrophicMinutes} min outside: the whole sum insured`],
      ['Bound', p.boundAt ? iso(p.boundAt) : 'not bound'],
      ['Expires', iso(Number(t.expiresAt) * 1000)],
      ['Evidence log', `published by ${t.logPublisher}`],
      ['Settlement token', `${p.token.symbol} (${p.token.decimals} decimals) at ${p.token.address}`],
    ]);
  }

  w.heading('The excursion');
  w.keyValues([
    ['Rule', `${x.ruleId}: ${x.kind === 'band' ? `${x.sensor} within ${limitText(f.limit)}` : limitText(f.limit)}`],
    ['Device', x.deviceId],
    ['Started', iso(x.startedAt)],
    ['Ended', x.endedAt !== null ? iso(x.endedAt) : `still open (last reading ${iso(x.lastObservedAt)})`],
    ['Time outside', `${minutes(x.minutesOutside)}${x.kind === 'band' ? `, ${x.direction} the band` : ''}`],
    ['Verdict', x.breached ? 'breached (beyond the rule tolerance)' : 'within tolerance', x.breached ? 'bad' : 'good'],
    ['Excursion id', x.id],
  ]);
  w.gap(4);
  w.table(
    [{ width: 50, bold: true }, { width: 120 }, { width: 70, mono: true }, { width: 255 }],
    f.keyReadings.map((k) => [
      k.role,
      iso(k.reading.t),
      k.reading.id,
      againstLimit(f.limit, k.reading.value as number),
      k.outsideBy > 0 ? 'bad' : 'good',
    ]),
    ['Reading', 'Time', 'Reading id', `Value against ${limitText(f.limit)}`],
  );

  w.heading('Payout worked out from the on-chain terms');
  if (f.policy && f.payout) {
    const t = f.policy.terms;
    const working = workOutPayout(t, f.payout.attestation.minutesOutside, money);
    w.table(
      [{ width: 24, bold: true }, { width: 140, bold: true }, { width: 331 }],
      working.steps.map((step, i) => [`${i + 1}.`, step.label, step.working]),
    );
    w.gap(4);
    const agrees = working.amount === f.payout.amount;
    w.text(
      `Paid on chain (ClaimPaid): ${money(f.payout.amount)} - ${agrees ? 'equal to the working above' : `DIFFERS from the working above (${money(working.amount)})`}${
        f.payout.contractPayoutFor !== null
          ? `; the contract's payoutFor(${f.policy.policyId}, ${f.payout.attestation.minutesOutside}) gives ${money(f.payout.contractPayoutFor)}`
          : ''
      }.`,
      { tone: agrees ? 'good' : 'bad' },
    );
    const a = f.payout.attestation;
    w.text(
      `Attested claim: excursion ${a.excursionId}, ${iso(a.startedAt * 1000)} -> ${iso(a.endedAt * 1000)}, ${a.minutesOutside} min, peak ${(a.peakCentiC / 100).toFixed(2)} °C, evidence in log ${a.logPublisher} at anchored size ${a.logSize} (root ${a.logRoot}).`,
      { tone: 'muted' },
    );
  } else if (f.policy && !(x.kind === 'band' && x.sensor === 'temp')) {
    w.text(
      `No payout: policy #${f.policy.policyId} pays for temperature excursions only; this ${x.kind} excursion (${f.limit.sensor}) is not claimable under it.`,
      { tone: 'muted' },
    );
  } else if (f.policy) {
    const t = f.policy.terms;
    const m = Math.ceil(Math.round(x.minutesOutside * 60_000) / 60_000);
    const working = workOutPayout(t, m, money);
    w.text('No payout was made for this excursion. What the terms would give for its duration:', { tone: 'muted' });
    w.table(
      [{ width: 24, bold: true }, { width: 140, bold: true }, { width: 331 }],
      working.steps.map((step, i) => [`${i + 1}.`, step.label, step.working]),
    );
  } else {
    w.text('No policy covers this shipment on this node.', { tone: 'muted' });
  }

  w.heading('Organisations that attested');
  if (f.payout && f.payout.attestedBy.length > 0) {
    for (const o of f.payout.attestedBy) w.text(`- ${org(o)}`);
    w.text(
      "Each organisation's oracle re-verified the evidence from the chain and signed the EIP-712 excursion attestation; the contract counted one signature per organisation.",
      { tone: 'muted' },
    );
  } else w.text('No attestation was submitted for this excursion.', { tone: 'muted' });

  w.heading('Transactions');
  if (f.transactions.length === 0) w.text('None.', { tone: 'muted' });
  else {
    w.table(
      [
        { width: 110, bold: true },
        { width: 385, mono: true },
      ],
      f.transactions.flatMap((t) => [
        [t.what, `${t.hash}${t.blockNumber !== null ? `  block ${t.blockNumber}` : ''}${t.at !== null ? `  ${iso(t.at)}` : ''}`],
        ...(t.url ? [['', t.url]] : []),
      ]),
    );
    if (!f.transactions.some((t) => t.url))
      w.text('No block explorer is configured for this chain (TRADETWIN_EXPLORER_TX_URL).', { tone: 'muted' });
  }

  w.heading('Verification and audit');
  w.table(
    [{ width: 90, mono: true }, { width: 405 }],
    f.bundles.map((b) => {
      const failed = b.report.checks.filter((c) => !c.ok);
      const tone: Tone = b.report.ok && b.report.complete ? 'good' : 'bad';
      return [
        b.readingId,
        b.report.ok && b.report.complete
          ? `verified: ${b.report.checks.map((c) => c.name).join(', ')}`
          : `NOT verified: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
        tone,
      ];
    }),
    ['Reading', 'Proof bundle checked against the chain'],
  );
  w.gap(4);
  if (f.audit.ran) {
    w.text(
      `Log audit: ${f.audit.ok ? 'passed' : 'FAILED'} - ${f.audit.leavesChecked} of ${f.audit.size} leaves recomputed into the signed and the ${f.audit.anchoredHeads} anchored heads; the device signatures of the ${f.audit.contentChecked} leaves holding the readings of readings.csv re-checked${f.audit.firstBad ? `; first problem: ${f.audit.firstBad}` : ''}.`,
      { tone: f.audit.ok ? 'good' : 'bad' },
    );
  } else w.text(`Log audit: not run (${f.audit.reason}).`, { tone: 'muted' });

  w.heading('How to check this package');
  w.text(
    "Every file of this package is listed with its SHA-256 in manifest.json; signature.json holds an EIP-191 signature over the manifest hash by the issuing node's account, and log-receipt.json the transparency-log leaf that records it with an inclusion proof to a signed tree head.",
  );
  w.text('tradetwin claim verify-dossier <this.zip>    checks the hashes, the signature, the log receipt and the proof bundles', {
    mono: true,
    size: 8,
  });
  w.text('tradetwin verify bundles/<file>.json --rpc <URL>    checks one reading against the chain itself', {
    mono: true,
    size: 8,
  });
  w.gap(4);
  w.text(`Files: ${files.join(', ')}`, { tone: 'muted', size: 8 });

  return w.save({
    title: dossierTitle(f),
    author: issuer,
    subject: `Excursion ${x.id} of shipment ${f.shipment.id}`,
    at: new Date(f.generatedAt),
  });
}
