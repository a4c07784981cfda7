// Sharing between organisations (GET /api/v1/sharing): what this node's organisation owns and with
// whom each shipment is shared, the grants it issued and received, and its verified mirror of
// what others shared with it.
import { Link } from '../app/Link.js';
import { Badge, Card, ErrorNote, Loading } from '../app/ui.js';
import { formatTime } from '../lib/format.js';
import { paths } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

interface GrantItem {
  grantId: string;
  owner: number;
  grantee: number;
  scope: { shipment?: string; bizTransaction?: string };
  issuedAt: number;
  status: 'live' | 'revoked';
}

interface Sharing {
  org: number;
  owned: { shipmentId: string; sharedWith: number[] }[];
  sharedByMe: GrantItem[];
  sharedWithMe: GrantItem[];
  mirror: { owner: number; headSize: number; verifiedAt: number; leaves: number }[];
}

const scopeOf = (g: GrantItem) => g.scope.shipment ?? g.scope.bizTransaction ?? '?';

function GrantRow({ g, other }: { g: GrantItem; other: number }) {
  return (
    <li data-grant={g.grantId}>
      <div className="row">
        <Badge tone={g.status === 'live' ? 'ok' : 'warn'}>{g.status}</Badge>
        <span className="small">
          org {other} · {g.scope.shipment ? <Link href={paths.shipment(g.scope.shipment)}>{scopeOf(g)}</Link> : scopeOf(g)}
        </span>
      </div>
      <div className="t">{formatTime(g.issuedAt)}</div>
    </li>
  );
}

export function SharingCard() {
  const s = useApi<Sharing>('/api/v1/sharing');
  return (
    <Card title="Sharing between organisations" testId="sharing">
      {s.error && <ErrorNote error={s.error} />}
      {!s.data && !s.error && <Loading what="sharing" />}
      {s.data && (
        <>
          <p className="small">
            Org {s.data.org} owns {s.data.owned.length} shipment{s.data.owned.length === 1 ? '' : 's'}
            {s.data.owned.some((o) => o.sharedWith.length > 0) &&
              `; shared: ${s.data.owned
                .filter((o) => o.sharedWith.length > 0)
                .map((o) => `${o.shipmentId} → org ${o.sharedWith.join(', ')}`)
                .join('; ')}`}
          </p>
          <h4>Shared by this organisation</h4>
          {s.data.sharedByMe.length === 0 && <p className="empty">Nothing shared.</p>}
          <ul className="alerts">
            {s.data.sharedByMe.map((g) => (
              <GrantRow key={g.grantId} g={g} other={g.grantee} />
            ))}
          </ul>
          <h4>Shared with this organisation</h4>
          {s.data.sharedWithMe.length === 0 && <p className="empty">Nothing shared with it.</p>}
          <ul className="alerts">
            {s.data.sharedWithMe.map((g) => (
              <GrantRow key={`${g.owner}:${g.grantId}`} g={g} other={g.owner} />
            ))}
          </ul>
          {s.data.mirror.map((m) => (
            <p key={m.owner} className="small" data-mirror={m.owner}>
              Mirror of org {m.owner}: {m.leaves} records verified against its anchored head {m.headSize} (
              {formatTime(m.verifiedAt)})
            </p>
          ))}
        </>
      )}
    </Card>
  );
}
