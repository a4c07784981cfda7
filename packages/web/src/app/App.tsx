// The shell: header, and the page for the current path. Pages are loaded on
// demand, so the public verify page (opened from a QR code on a phone) loads
// the verifier without the dashboard's charts and map.
import { lazy, Suspense } from 'react';
import { useRoute } from '../lib/router.js';
import { Header } from './Header.js';
import { Link } from './Link.js';

const OverviewPage = lazy(() => import('../overview/OverviewPage.js'));
const ShipmentPage = lazy(() => import('../shipment/ShipmentPage.js'));
const DevicesPage = lazy(() => import('../devices/DevicesPage.js'));
const MembersPage = lazy(() => import('../members/MembersPage.js'));
const VerifyPage = lazy(() => import('../verify/VerifyPage.js'));

export function App() {
  const route = useRoute();
  const publicPage = route.name === 'verify';
  return (
    <>
      <Header route={route} publicPage={publicPage} />
      <main>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {route.name === 'overview' && <OverviewPage />}
          {route.name === 'shipment' && <ShipmentPage id={route.id} />}
          {route.name === 'devices' && <DevicesPage />}
          {route.name === 'members' && <MembersPage />}
          {route.name === 'verify' && <VerifyPage readingId={route.readingId} bundleParam={route.bundle} rpcParam={route.rpc} />}
          {route.name === 'not-found' && (
            <div className="card">
              <h1>Not found</h1>
              <p>
                Nothing at <code>{route.path}</code>. <Link href="/">Back to the overview</Link>.
              </p>
            </div>
          )}
        </Suspense>
      </main>
    </>
  );
}
