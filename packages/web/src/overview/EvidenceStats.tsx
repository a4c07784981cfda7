import type { PayoutJson, ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import type { StatusJson } from '@tradetwin/core/wire/status';

export function EvidenceStats({
  status,
  shipments,
  payouts,
}: {
  status?: StatusJson;
  shipments?: ShipmentStateJson[];
  payouts?: PayoutJson[];
}) {
  const breached = shipments?.reduce((n, s) => n + s.breached, 0);
  const stats: [string, string | number | undefined, string][] = [
    ['Shipments', shipments?.length, 'stat-shipments'],
    ['Breached conditions', breached, 'stat-breaches'],
    ['Payouts', payouts?.length, 'stat-payouts'],
    ['Log size (leaves)', status?.log.size.toLocaleString('en-US'), 'stat-log-size'],
    [
      'Anchored on chain',
      status ? (status.anchor ? status.anchor.size.toLocaleString('en-US') : 'none yet') : undefined,
      'stat-anchored',
    ],
  ];
  return (
    <div className="stats">
      {stats.map(([label, v, id]) => (
        <div className="stat" key={label} data-testid={id}>
          <div className="v">{v ?? '…'}</div>
          <div className="l">{label}</div>
        </div>
      ))}
    </div>
  );
}
