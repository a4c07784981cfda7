// The node under attack for bench/flood.ts, in its own process so its RSS is its own:
// startNode on a fresh temp data dir (embedded anvil, SQLite, MQTT off); prints where it listens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../packages/node/src/config.js';
import { startNode } from '../packages/node/src/node.js';

const dir = mkdtempSync(join(tmpdir(), 'tt-flood-'));
const cfg = loadConfig(join(dir, 'node'), {});
cfg.http.port = 0;
cfg.mqtt = { mode: 'off' };
cfg.ingest.verifyWorkers = Number(process.env.FLOOD_WORKERS ?? 2);
const node = await startNode(cfg, () => undefined);
process.stdout.write(`${JSON.stringify({ httpUrl: node.httpUrl, adminToken: node.adminToken, pid: process.pid })}\n`);
process.on('SIGTERM', () => {
  void node.stop().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
