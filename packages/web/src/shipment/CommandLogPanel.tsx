// The shipment's command log: every signed actuator command the node accepted
// for it, newest first — who signed it and as what (the authorisation, the
// co-signature and the rule that asked for it), when it was logged and
// delivered, and what the device reported doing (its own signed effect report).
import type { CommandJson, CommandPageJson } from '@tradetwin/core/wire/commands';
import { ApiError } from '../api/client.js';
import { Badge, Card, ErrorNote, Hash, Loading, type Tone } from '../app/ui.js';
import { formatTime } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';

export function describeAction(a: Record<string, unknown>): string {
  switch (a.kind) {
    case 'setpoint':
      return `setpoint ${String(a.celsius)} °C`;
    case 'door':
      return `door ${String(a.state)}`;
    case 'valve':
      return `valve ${String(a.state)}`;
    default:
      return JSON.stringify(a);
  }
}

const TONE: Record<CommandJson['status'], Tone> = { applied: 'ok', refused: 'bad', delivered: 'warn' };

function CommandRow({ c }: { c: CommandJson }) {
  const a = c.authorisation;
  return (
    <li data-testid="command" data-status={c.status} data-command={c.id}>
      <div className="row">
        <strong>{describeAction(c.action)}</strong>{' '}
        <span className="muted small">
          {c.deviceId}, seq {c.seq}
        </span>{' '}
        <Badge tone={TONE[c.status]}>{c.status}</Badge>
      </div>
      <dl className="kv small" style={{ marginTop: 4 }}>
        <dt>Authorised</dt>
        <dd data-testid="command-authorisation">
          {a.issuer.as} (org {a.issuer.orgId}, <Hash value={a.issuer.account} />)
          {a.cosigner ? (
            <>
              {' '}
              + co-signed by {a.cosigner.as} (org {a.cosigner.orgId}, <Hash value={a.cosigner.account} />)
            </>
          ) : (
            ' — one signature'
          )}
          <div className="muted">
            {a.cosignatureRequired ? 'co-signature required: ' : ''}
            {a.rule}
          </div>
        </dd>
        <dt>Delivery</dt>
        <dd>
          logged at leaf {c.leafIndex} {formatTime(c.receivedAt)}, then published to the device; valid until{' '}
          {formatTime(c.expiresAt)}
        </dd>
        <dt>Effect</dt>
        <dd data-testid="command-effect">
          {c.effect
            ? c.effect.outcome === 'applied'
              ? `applied ${c.effect.state ? JSON.stringify(c.effect.state) : ''} at ${formatTime(c.effect.at)} (signed report, leaf ${c.effect.leafIndex})`
              : `refused: ${c.effect.reason ?? ''}${c.effect.detail ? ` — ${c.effect.detail}` : ''} (signed report, leaf ${c.effect.leafIndex})`
            : 'no report from the device yet'}
        </dd>
      </dl>
    </li>
  );
}

export function CommandLogPanel({ shipmentId }: { shipmentId: string }) {
  const log = useApi<CommandPageJson>(`/api/v1/commands?shipment=${encodeURIComponent(shipmentId)}&limit=20`, {
    live: ['ingest'],
  });
  const denied = log.error instanceof ApiError && log.error.status === 403;
  return (
    <Card title="Command log" testId="command-log">
      {denied && (
        <p className="note" data-testid="command-log-denied">
          Your access does not include the command log (scope commands:read, operators and above).
        </p>
      )}
      {log.error && !denied && <ErrorNote error={log.error} />}
      {!log.data && !log.error && <Loading what="commands" />}
      {log.data && log.data.commands.length === 0 && <p className="empty">No command was sent for this shipment.</p>}
      {log.data && log.data.commands.length > 0 && (
        <ul className="command-log">
          {log.data.commands.map((c) => (
            <CommandRow key={c.id} c={c} />
          ))}
        </ul>
      )}
    </Card>
  );
}
