// `tradetwin start`: run a node on embedded defaults (or as configured) until
// SIGINT/SIGTERM, then stop cleanly: transports, ingest flush, last anchor.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { journeyStart, runDemo } from '../demo/run.js';
import { startNode } from '../node.js';
import { COMMON, type Command, intOpt, STORE_OPTIONS, storeOverride, str } from './args.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'Run a TradeTwin node: HTTP API, MQTT broker, ingest, log, anchoring (embedded chain by default).',
  usage:
    'start [--data-dir DIR] [--database-url postgres://…] [--port N] [--mqtt-port N] [--host H] [--tls-cert PEM --tls-key PEM] [--demo]\n' +
    '      [--stop-with-parent]   stop cleanly when the parent process is gone (its stdin pipe closes): a supervisor killed with -9 leaves no node behind',
  options: {
    ...COMMON,
    ...STORE_OPTIONS,
    port: { type: 'string' },
    'mqtt-port': { type: 'string' },
    host: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    demo: { type: 'boolean' },
    'stop-with-parent': { type: 'boolean' },
  },
  async run({ values }) {
    const tlsCert = str(values, 'tls-cert');
    const tlsKey = str(values, 'tls-key');
    const config = loadConfig(str(values, 'data-dir') ?? '.tradetwin', process.env, {
      ...(tlsCert !== undefined || tlsKey !== undefined ? { tls: { certFile: tlsCert ?? '', keyFile: tlsKey ?? '' } } : {}),
      ...storeOverride(values),
    });
    if (values.port !== undefined) config.http.port = intOpt(values, 'port', config.http.port);
    if (str(values, 'host')) config.http.host = str(values, 'host')!;
    if (values['mqtt-port'] !== undefined && config.mqtt.mode === 'embedded') {
      config.mqtt.port = intOpt(values, 'mqtt-port', config.mqtt.port);
    }
    const say = (line: string) => process.stderr.write(`[tradetwin] ${line}\n`);
    // --demo on a fresh data dir: scenario S1 is played into the node once it runs (its chain starts before the journey).
    const demoStart =
      values.demo && !existsSync(join(config.dataDir, 'node.db')) && config.chain.mode === 'embedded'
        ? journeyStart(Date.now())
        : null;
    if (demoStart !== null && config.chain.mode === 'embedded') {
      config.chain.genesisTimestamp = Math.floor((demoStart - 3600_000) / 1000);
      config.orgName = 'Ocean Carrier Ltd';
    }
    const node = await startNode(config, say);
    // Stop cleanly on SIGINT/SIGTERM from now on: installed before the ready line, so a supervisor
    // (or a test) that signals as soon as it reads it gets a clean stop — chain lock released —
    // not the default kill.
    const stopped = new Promise<void>((resolve) => {
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        say('stopping…');
        node.stop().then(resolve, (err: unknown) => {
          say(`stop failed: ${String(err)}`);
          resolve();
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (values['stop-with-parent']) {
        // A parent killed with -9 sends no signal, but the kernel closes its end of our stdin: end-of-file
        // means it is gone. A reparented process is the second, independent sign (as chain/watchdog.ts).
        const parent = process.ppid;
        process.stdin.on('data', () => undefined);
        process.stdin.once('end', stop);
        process.stdin.once('error', stop);
        setInterval(() => {
          if (process.ppid !== parent) stop();
        }, 500).unref();
      }
    });
    const ready = {
      httpUrl: node.httpUrl,
      mqtt: node.mqttUrl ?? null,
      rpcUrl: node.rpcUrl,
      address: node.address,
      contracts: node.contracts,
      dataDir: config.dataDir,
    };
    if (values.json) process.stdout.write(`${JSON.stringify(ready)}\n`);
    else {
      say(`node ${node.address} listening on ${node.httpUrl} (API: ${node.httpUrl}/openapi.json)`);
      if (ready.mqtt) say(`MQTT devices publish to ${ready.mqtt} topic tradetwin/v1/devices/{deviceId}/telemetry`);
      say(`data in ${config.dataDir}; Ctrl-C stops`);
    }
    if (demoStart !== null) {
      runDemo(node, demoStart, (e) => say(`[demo ${e.kind}] ${e.text}`)).then(
        () => say(`demo shipment live: ${node.httpUrl}/api/v1/shipments`),
        (err: unknown) => say(`demo failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
    await stopped;
    return 0;
  },
};
