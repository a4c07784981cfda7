// Devices: registered or revoked (the node's view of DeviceRegistry, checked
// here against the chain), when each was last heard from, and the sequence
// numbers it skipped (messages the node never received).
import { Fragment, useEffect, useState } from 'react';
import { keccak256, stringToBytes } from 'viem';
import { useChain } from '../api/hooks.js';
import type { DeviceDetailJson, DeviceJson } from '@tradetwin/core/wire/devices';
import { chainReaders } from '../chain/verify-readers.js';
import { Badge, Card, ErrorNote, Hash, Loading } from '../app/ui.js';
import { formatAgo, formatTime } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';
import { useDocumentTitle } from '../app/title.js';

export default function DevicesPage() {
  const devices = useApi<DeviceJson[]>('/api/v1/devices', { live: ['ingest'] });
  const [open, setOpen] = useState<string | null>(null);
  useDocumentTitle('Devices');
  return (
    <div className="stack" data-testid="devices-page">
      <div className="page-head">
        <div>
          <h1>Devices</h1>
          <p className="muted">
            Signing devices known to this node. Registration and revocation live in DeviceRegistry on chain; the last column reads
            it from this browser.
          </p>
        </div>
      </div>
      <Card>
        {devices.error && <ErrorNote error={devices.error} />}
        {!devices.data && !devices.error && <Loading what="devices" />}
        {devices.data && devices.data.length === 0 && <p className="empty">No devices registered.</p>}
        {devices.data && devices.data.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Device</th>
                  <th>Status</th>
                  <th>Last seen</th>
                  <th className="num">Last seq</th>
                  <th className="num">Seq gaps</th>
                  <th>On chain</th>
                </tr>
              </thead>
              <tbody>
                {devices.data.map((d) => (
                  <Fragment key={d.deviceId}>
                    <tr data-device={d.deviceId}>
                      <td>
                        <strong>{d.deviceId}</strong>
                        <div className="small muted">
                          {d.keyType} · org {d.ownerOrg} · <Hash value={d.publicKey} keep={5} />
                        </div>
                      </td>
                      <td>
                        {d.status === 'active' ? <Badge tone="ok">registered</Badge> : <Badge tone="bad">revoked</Badge>}
                        <div className="small muted">
                          {d.revokedAt ? `from ${formatTime(d.revokedAt)}` : `since ${formatTime(d.registeredAt)}`}
                        </div>
                      </td>
                      <td className="small">
                        {formatAgo(d.lastSeenAt)}
                        <div className="muted">{formatTime(d.lastSeenAt)}</div>
                      </td>
                      <td className="num">{d.lastSeq}</td>
                      <td className="num" data-testid="gaps">
                        {d.gaps > 0 ? (
                          <button
                            type="button"
                            className="button"
                            onClick={() => setOpen(open === d.deviceId ? null : d.deviceId)}
                          >
                            {d.gaps}
                          </button>
                        ) : (
                          0
                        )}
                      </td>
                      <td>
                        <ChainCheck device={d} />
                      </td>
                    </tr>
                    {open === d.deviceId && (
                      <tr>
                        <td colSpan={6}>
                          <Gaps deviceId={d.deviceId} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

function Gaps({ deviceId }: { deviceId: string }) {
  const d = useApi<DeviceDetailJson>(`/api/v1/devices/${encodeURIComponent(deviceId)}`);
  if (d.error) return <ErrorNote error={d.error} />;
  if (!d.data) return <Loading what="gaps" />;
  return (
    <ul className="small">
      {d.data.sequenceGaps.map((g) => (
        <li key={`${g.afterSeq}-${g.beforeSeq}`}>
          missing seq {g.afterSeq + 1}
          {g.beforeSeq - 1 > g.afterSeq + 1 ? `–${g.beforeSeq - 1}` : ''} ({g.beforeSeq - g.afterSeq - 1} messages)
        </li>
      ))}
    </ul>
  );
}

/** DeviceRegistry.device(keccak256(id)) from this browser: the same key, the same revocation? */
function ChainCheck({ device }: { device: DeviceJson }) {
  const chain = useChain();
  const [state, setState] = useState<{ tone: 'ok' | 'bad' | 'warn'; text: string }>();
  useEffect(() => {
    if (!chain) return;
    let live = true;
    const idHash = keccak256(stringToBytes(device.deviceId));
    chainReaders(chain.rpcUrl)
      .readDevice({ deviceId: device.deviceId, idHash, deviceRegistry: chain.status.chain.deviceRegistry })
      .then((reg) => {
        if (!live) return;
        if (!reg) return setState({ tone: 'bad', text: 'not registered' });
        if (reg.publicKey.toLowerCase() !== device.publicKey.toLowerCase())
          return setState({ tone: 'bad', text: 'different key' });
        if ((reg.revokedAt ?? null) !== (device.revokedAt ?? null))
          return setState({
            tone: 'warn',
            text: reg.revokedAt ? `revoked ${formatTime(reg.revokedAt)}` : 'not revoked on chain',
          });
        setState({ tone: 'ok', text: reg.revokedAt ? 'revocation matches' : 'key matches' });
      })
      .catch(
        (e: unknown) =>
          live &&
          setState({ tone: 'warn', text: `chain unreachable: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` }),
      );
    return () => {
      live = false;
    };
  }, [chain?.rpcUrl, device.deviceId, device.publicKey, device.revokedAt]);
  return state ? <Badge tone={state.tone}>{state.text}</Badge> : <span className="muted small">reading…</span>;
}
