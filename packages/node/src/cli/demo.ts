// `tradetwin demo`: scenario S1 (vaccine cold chain with parametric cover) on a
// fresh node, printed as it happens; --json ends with one summary object.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { type DemoEvent, journeyStart, runDemo } from '../demo/run.js';
import { startNode } from '../node.js';
import { openStorage } from '../storage/index.js';
import { COMMON, CliError, type Command, EXIT, intOpt, printJson, STORE_OPTIONS, storeOverride, str } from './args.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run scenario S1 end to end: cold-chain breach at Mombasa, 2-of-n oracle attestations, automatic payout.',
  usage: 'demo [--headless] [--json] [--data-dir DIR] [--database-url postgres://…] [--port N]',
  options: { ...COMMON, ...STORE_OPTIONS, headless: { type: 'boolean' }, port: { type: 'string' } },
  async run({ values }) {
    const given = str(values, 'data-dir');
    const dataDir = given ?? mkdtempSync(join(tmpdir(), 'tradetwin-demo-'));
    if (given && existsSync(join(given, 'node.db')))
      throw new CliError(`${given} already holds a node: the demo needs a fresh --data-dir`);
    const start = journeyStart(Date.now());
    const config = loadConfig(dataDir, process.env, storeOverride(values));
    if (config.store.kind === 'postgres') {
      // The demo plays its scenario into an empty node: a database that already holds a log is someone's data.
      const storage = await openStorage({ dataDir, store: config.store }).catch((err: Error) => {
        throw new CliError(err.message, EXIT.unreachable, 'store_unavailable');
      });
      const size = await storage.log.size().finally(() => storage.close());
      if (size > 0)
        throw new CliError(
          `${storage.location} already holds a node's log (${size} leaves): the demo needs a fresh database`,
          EXIT.usage,
          'database_in_use',
        );
    }
    config.http.port = intOpt(values, 'port', values.headless ? 0 : config.http.port);
    if (config.mqtt.mode === 'embedded') config.mqtt.port = values.headless ? 0 : config.mqtt.port;
    if (config.chain.mode !== 'embedded') throw new CliError('the demo runs on the embedded chain (it sets the chain clock)');
    config.chain.genesisTimestamp = Math.floor((start - 3600_000) / 1000);
    config.orgName = 'Ocean Carrier Ltd';
    const json = Boolean(values.json);
    const print = (e: DemoEvent) => {
      const line = `[${e.kind}] ${e.text}\n`;
      if (json) process.stderr.write(line);
      else process.stdout.write(line);
    };
    const node = await startNode(config);
    print({
      at: Date.now(),
      kind: 'node',
      text: `node ${node.address} at ${node.httpUrl}, chain ${node.rpcUrl}, data in ${dataDir}`,
    });
    try {
      const result = await runDemo(node, start, print);
      if (json) printJson(result);
      if (!values.headless) {
        print({
          at: Date.now(),
          kind: 'node',
          text: `the node keeps running at ${node.httpUrl} (try ${node.httpUrl}/api/v1/shipments); Ctrl-C stops`,
        });
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
      }
      return result.payouts.length > 0 && result.audit.ok && result.proof.ok ? 0 : 1;
    } finally {
      await node.stop();
      if (!given) rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
