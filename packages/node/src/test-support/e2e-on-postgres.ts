// The second pass of `npm test`: the end-to-end tests (ingest, faults, kill -9,
// EPCIS, audit, verify, the demo, its claim dossier, alerts, DCSA, commands, sharing between nodes, shipment documents) again, each node on a fresh PostgreSQL database
// (TRADETWIN_TEST_STORE=postgres; see test-support/node-fixture.ts). The storage
// conformance suite runs on both drivers in the first pass already. Without the
// machine's PostgreSQL (TRADETWIN_CI_SERVICES unset) it says so and passes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropPostgresDatabase, postgresTestDatabases } from '../storage/test-support.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..');

/** End-to-end files whose nodes run on PostgreSQL in this pass. */
export const E2E_ON_POSTGRES = [
  'ingest/http.test.ts',
  'hostile.test.ts',
  'crash.test.ts',
  'epcis/capture.test.ts',
  'epcis/trace.test.ts',
  'cli/audit.test.ts',
  'cli/verify.test.ts',
  'demo/demo.test.ts',
  'claims/dossier/dossier.test.ts',
  'alerts/alerts.test.ts',
  'dcsa/dcsa.test.ts',
  'dcsa/subscriptions.test.ts',
  'commands/commands.test.ts',
  'peer/peer.test.ts',
  'peer/documents.test.ts',
  'documents/documents.test.ts',
];

if (process.env.TRADETWIN_CI_SERVICES !== '1') {
  console.log(
    '# end-to-end tests on PostgreSQL: SKIPPED — set TRADETWIN_CI_SERVICES=1 with PostgreSQL at 127.0.0.1:5432 (CI does)',
  );
  process.exit(0);
}
const files = E2E_ON_POSTGRES.map((f) => join(SRC, f));
const missing = files.filter((f) => !existsSync(f));
if (missing.length) {
  console.error(`end-to-end files listed for PostgreSQL are missing: ${missing.map((f) => relative(SRC, f)).join(', ')}`);
  process.exit(1);
}
console.log(`# end-to-end tests on PostgreSQL (TRADETWIN_TEST_STORE=postgres): ${E2E_ON_POSTGRES.join(' ')}`);
const before = new Set(await postgresTestDatabases());
// Two files at a time, as the first pass (CI's time limit); each node has its own database.
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TRADETWIN_TEST_STORE: 'postgres' },
});
// Databases of nodes a test stopped without disposing (a killed node, a restart check): dropped here,
// so runs do not pile them up on the server.
const left = (await postgresTestDatabases()).filter((name) => !before.has(name));
for (const name of left) await dropPostgresDatabase(name);
if (left.length) console.log(`# dropped ${left.length} test database(s) left by this pass`);
process.exit(run.status ?? 1);
