import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { loadPage } from './app/pages.js';
import { parseRoute } from './lib/router.js';
import { prime } from './api/prime.js';
import { loadShipmentState, shipmentPath } from './shipment/load.js';
import './styles.css';

performance.mark('tt:main');
const route = parseRoute(location.pathname, location.search);
// A shipment's data (and then its series) load while the page's chunk downloads.
if (route.name === 'shipment') prime(shipmentPath(route.id), () => loadShipmentState(shipmentPath(route.id)));
// The first page's chunk before the first render: the page paints once, with its content.
await loadPage(route.name).catch(() => undefined);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
