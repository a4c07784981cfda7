// `tradetwin demo` on PostgreSQL plays into a fresh database only: one that
// already holds a log is refused before anything is written (exit 2), and an
// unreachable server is exit 4 with a JSON error under --json.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openStorage } from '../storage/index.js';
import { freshPostgresDatabase, postgresForTests, POSTGRES_SKIP_MESSAGE } from '../storage/test-support.js';
import { runCli } from '../test-support/cli.js';

it('an unreachable PostgreSQL: exit 4, the server named in a JSON error', async () => {
  const r = await runCli(['demo', '--headless', '--json', '--database-url', 'postgres://tt:secret@127.0.0.1:1/none']);
  assert.equal(r.code, 4);
  const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
  assert.equal(error.code, 'store_unavailable');
  assert.match(error.message, /cannot reach PostgreSQL at postgres:\/\/tt:\*\*\*@127\.0\.0\.1:1\/none/);
});

it('a database that holds a node already: refused, nothing written', {
  skip: postgresForTests() ? false : POSTGRES_SKIP_MESSAGE,
}, async () => {
  const db = await freshPostgresDatabase('tt_demo');
  try {
    const storage = await openStorage({ dataDir: '/nonexistent', store: { kind: 'postgres', url: db.url } });
    await storage.log.append([{ data: Uint8Array.of(1), hash: new Uint8Array(32).fill(1) }], []);
    await storage.close();
    const r = await runCli(['demo', '--headless', '--json', '--database-url', db.url]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /"code":"database_in_use".*already holds a node's log \(1 leaves\): the demo needs a fresh database/);
    const again = await openStorage({ dataDir: '/nonexistent', store: { kind: 'postgres', url: db.url } });
    assert.equal(await again.log.size(), 1, 'nothing was written');
    assert.equal((await again.shipments.shipments()).length, 0);
    await again.close();
  } finally {
    await db.drop();
  }
});
