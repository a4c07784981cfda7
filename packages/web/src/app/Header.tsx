import { useLive } from '../live/feed.js';
import { paths, type Route } from '../lib/router.js';
import { DisplayMenu } from './DisplayMenu.js';
import { Link } from './Link.js';

const LINKS: { href: string; label: string; match: Route['name'][] }[] = [
  { href: paths.overview(), label: 'Overview', match: ['overview', 'shipment'] },
  { href: paths.devices(), label: 'Devices', match: ['devices'] },
  { href: paths.members(), label: 'Members', match: ['members'] },
  { href: '/verify', label: 'Verify', match: ['verify'] },
];

export function Header({ route, publicPage }: { route: Route; publicPage: boolean }) {
  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Link className="brand" href={publicPage ? '/verify' : '/'}>
          <img src="/favicon.svg" alt="" />
          TradeTwin
        </Link>
        {!publicPage && (
          <nav className="nav" aria-label="Main">
            {LINKS.map((l) => (
              <Link key={l.href} href={l.href} aria-current={l.match.includes(route.name) ? 'page' : undefined}>
                {l.label}
              </Link>
            ))}
          </nav>
        )}
        {!publicPage && <LiveIndicator />}
        <DisplayMenu />
      </div>
    </header>
  );
}

function LiveIndicator() {
  const live = useLive();
  const label = live.status === 'open' ? 'live' : live.status === 'connecting' ? 'connecting…' : 'offline';
  return (
    <span className="live" data-status={live.status} data-testid="live-status" title="Updates from the node (Server-Sent Events)">
      {label}
    </span>
  );
}
