// The shell: header, and the page for the current path (./pages.ts loads
// each page's chunk on demand).
import { useRoute } from '../lib/router.js';
import { Header } from './Header.js';
import { Link } from './Link.js';
import { usePage } from './pages.js';
import { LoginPage, useSession } from './Login.js';
import { useDocumentTitle } from './title.js';
import { useEffect } from 'react';
import { useStatus } from '../api/hooks.js';
import { adoptNodeDefault, useDisplaySettings } from '../lib/display.js';

export function App() {
  const route = useRoute();
  const Page = usePage(route.name);
  const publicPage = route.name === 'verify';
  const [session, setSession] = useSession();
  // Every time on the page is formatted in the display zone: a new choice re-renders the page.
  useDisplaySettings();
  const signIn = !publicPage && session.kind === 'out';
  useDocumentTitle(signIn ? 'Sign in' : route.name === 'not-found' ? 'Not found' : undefined);
  // Everything but the public verify page needs a member's session.
  if (!publicPage && session.kind !== 'in') {
    return (
      <>
        <Header route={route} publicPage={true} />
        <main>{session.kind === 'out' ? <LoginPage onIn={setSession} /> : <p className="muted">Loading…</p>}</main>
      </>
    );
  }
  return (
    <>
      {!publicPage && <NodeDisplayDefault />}
      <Header route={route} publicPage={publicPage} />
      <main>
        {route.name === 'not-found' ? (
          <div className="card">
            <h1>Not found</h1>
            <p>
              Nothing at <code>{route.path}</code>. <Link href="/">Back to the overview</Link>.
            </p>
          </div>
        ) : !Page ? (
          <p className="muted">Loading…</p>
        ) : route.name === 'shipment' ? (
          <Page key={route.id} id={route.id} />
        ) : route.name === 'verify' ? (
          <Page
            readingId={route.readingId}
            bundleParam={route.bundle}
            rpcParam={route.rpc}
            eventId={route.eventId}
            eventParam={route.event}
          />
        ) : (
          <Page />
        )}
      </main>
    </>
  );
}

/** The node's display zone and locale (its configuration), for a member who has not chosen in this browser. */
function NodeDisplayDefault() {
  const display = useStatus().data?.display;
  useEffect(() => adoptNodeDefault(display), [display]);
  return null;
}
