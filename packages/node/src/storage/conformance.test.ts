// The storage conformance suite (conformance.ts) on both drivers: SQLite
// everywhere, PostgreSQL where TRADETWIN_CI_SERVICES=1 (each check on its own
// fresh database, opened through openStorage as a node opens it).
import { storageConformance } from './conformance.js';
import { forEachDriver } from './test-support.js';

forEachDriver('storage conformance', storageConformance);
