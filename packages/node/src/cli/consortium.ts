// `tradetwin consortium up|demo|besu-config`: one node per member organisation.
// The work lives in consortium/; this file parses flags and prints.
import { existsSync, readdirSync } from 'node:fs';
import { COMMON, CliError, type Command, EXIT, intOpt, printJson, requireStr, str } from './args.js';

/** --orgs as a number, refused (usage) outside what a consortium can be. */
async function orgsOpt(values: Record<string, unknown>, fallback: number, min?: number): Promise<number> {
  const { MIN_ORGS, MAX_ORGS } = await import('../consortium/orgs.js');
  const n = intOpt(values, 'orgs', fallback);
  const lo = Math.max(MIN_ORGS, min ?? MIN_ORGS);
  if (n < lo || n > MAX_ORGS) throw new CliError(`--orgs must be from ${lo} to ${MAX_ORGS}, got ${n}`, EXIT.usage, 'bad_orgs');
  return n;
}

export const besuConfigCommand: Command = {
  name: 'consortium besu-config',
  summary:
    'Write what operators need to run the consortium on Hyperledger Besu with QBFT: genesis (one validator per organisation), node keys, Besu and TradeTwin configurations, a compose file.',
  usage: 'consortium besu-config --orgs N --out DIR [--chain-id N] [--json]',
  options: { ...COMMON, orgs: { type: 'string' }, out: { type: 'string' }, 'chain-id': { type: 'string' } },
  async run({ values }) {
    const orgs = await orgsOpt(values, 4);
    const out = requireStr(values, 'out');
    if (existsSync(out) && readdirSync(out).length > 0)
      throw new CliError(`${out} is not empty: besu-config writes fresh keys into a new directory`, EXIT.usage, 'out_not_empty');
    const chainId = intOpt(values, 'chain-id', 1337);
    if (chainId < 1) throw new CliError('--chain-id must be ≥ 1');
    const { besuConsortium, writeBesuConsortium } = await import('../consortium/besu.js');
    const c = besuConsortium({ orgs, chainId });
    writeBesuConsortium(out, c);
    const summary = {
      dir: out,
      chainId: c.chainId,
      members: c.members.map((m) => ({
        org: m.name,
        slug: m.slug,
        validator: m.validator,
        enode: m.enode,
        account: m.account,
        rpcUrl: `http://${m.besu.ip}:${m.besu.rpcPort}`,
        httpPort: m.tradetwin.httpPort,
      })),
      files: c.files.map((f) => f.path),
    };
    if (values.json) printJson(summary);
    else {
      process.stdout.write(`Besu QBFT consortium of ${orgs} organisations (chain ${c.chainId}) written to ${out}\n`);
      for (const m of summary.members)
        process.stdout.write(`  ${m.slug.padEnd(10)} validator ${m.validator}  account ${m.account}\n`);
      process.stdout.write('Next: docker compose up in that directory (see README "A consortium: one node per organisation").\n');
    }
    return EXIT.ok;
  },
};

/** Errors of consortium/ as the CLI's (main.ts knows the node's own modules by name). */
function asConsortiumError(err: unknown): never {
  if (err instanceof Error && err.name === 'ConsortiumError') throw new CliError(err.message, EXIT.refused, 'consortium_refused');
  if (err instanceof Error && err.name === 'ConsortiumUnreachable')
    throw new CliError(err.message, EXIT.unreachable, 'chain_unavailable');
  throw err;
}

function gasPriceOpt(values: Record<string, unknown>): 'auto' | number {
  const v = str(values, 'gas-price');
  if (v === undefined || v === 'auto') return 'auto';
  if (!/^\d+$/.test(v)) throw new CliError(`--gas-price must be "auto" or a whole number of wei, got "${v}"`);
  return Number(v);
}

function basePortOpt(values: Record<string, unknown>): number | undefined {
  if (values['base-port'] === undefined) return undefined;
  const p = intOpt(values, 'base-port', 0);
  if (p < 1 || p > 65000) throw new CliError(`--base-port must be from 1 to 65000, got ${p}`);
  return p;
}

const UP_OPTIONS = {
  ...COMMON,
  orgs: { type: 'string' },
  rpc: { type: 'string' },
  'gas-price': { type: 'string' },
  'base-port': { type: 'string' },
} as const;

export const upCommand: Command = {
  name: 'consortium up',
  summary:
    'Start one node process per member organisation on this machine, over one chain (embedded, or --rpc URL); Ctrl-C stops them all. A second up on the same --data-dir resumes.',
  usage: 'consortium up [--orgs N] [--data-dir DIR] [--rpc URL] [--gas-price auto|WEI] [--base-port N] [--json]',
  options: UP_OPTIONS,
  async run({ values }) {
    const root = str(values, 'data-dir') ?? '.tradetwin-consortium';
    const orgs = values.orgs === undefined ? undefined : await orgsOpt(values, 3);
    const rpcUrl = str(values, 'rpc');
    if (rpcUrl !== undefined && !/^https?:\/\/\S+$/.test(rpcUrl))
      throw new CliError(`--rpc must be an http(s) URL, got "${rpcUrl}"`);
    const say = (line: string) => process.stderr.write(`[consortium] ${line}\n`);
    const { consortiumUp } = await import('../consortium/cluster.js');
    const c = await consortiumUp({
      root,
      orgs,
      rpcUrl,
      gasPrice: gasPriceOpt(values),
      basePort: basePortOpt(values),
      log: say,
    }).catch(asConsortiumError);
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        say('stopping every node…');
        c.stop().then(resolve, (err: unknown) => {
          say(`stop failed: ${String(err)}`);
          resolve();
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    const rows = c.members.map((m) => ({
      org: m.name,
      orgId: m.orgId,
      address: m.address,
      httpUrl: m.httpUrl,
      mqttUrl: m.mqttUrl,
      dataDir: m.dir,
    }));
    if (values.json) process.stdout.write(`${JSON.stringify({ rpcUrl: c.rpcUrl, contracts: c.state.contracts, nodes: rows })}\n`);
    else {
      const head = ['org', 'address', 'HTTP', 'MQTT', 'data dir'];
      const table = [head, ...rows.map((r) => [r.org, r.address, r.httpUrl, r.mqttUrl ?? '-', r.dataDir])];
      const widths = head.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
      for (const row of table)
        process.stdout.write(
          `${row
            .map((cell, i) => cell.padEnd(widths[i]!))
            .join('  ')
            .trimEnd()}\n`,
        );
      process.stdout.write(`chain ${c.rpcUrl}; Ctrl-C stops every node\n`);
    }
    await stopped;
    return EXIT.ok;
  },
};

export const demoCommand: Command = {
  name: 'consortium demo',
  summary:
    "Scenario S1 across the member nodes, each organisation in its own process: the carrier's node ingests and grants the shipment to the shipper's and the insurer's organisations, their oracles attest from their verified mirrors, the payout needs two organisations other than the holder. --fork: the carrier's log equivocates and the witnesses catch it; --partner-down: the carrier's node is stopped before the claim (4 organisations).",
  usage: 'consortium demo [--headless] [--json] [--orgs N] [--data-dir DIR] [--fork | --partner-down]',
  options: {
    ...COMMON,
    orgs: { type: 'string' },
    headless: { type: 'boolean' },
    fork: { type: 'boolean' },
    'partner-down': { type: 'boolean' },
  },
  async run({ values }) {
    const partnerDown = Boolean(values['partner-down']);
    if (partnerDown && values.fork) throw new CliError('--fork and --partner-down are separate demonstrations: choose one');
    const orgs = await orgsOpt(values, partnerDown ? 4 : 3, partnerDown ? 4 : 3);
    const root = str(values, 'data-dir');
    if (root && existsSync(root) && readdirSync(root).length > 0)
      throw new CliError(`${root} is not empty: the demo needs a fresh --data-dir`, EXIT.usage, 'data_dir_not_empty');
    const json = Boolean(values.json);
    const say = (line: string) => (json ? process.stderr : process.stdout).write(`[consortium demo] ${line}\n`);
    const { runConsortiumDemo } = await import('../consortium/demo.js');
    const fork = Boolean(values.fork);
    const result = await runConsortiumDemo({ orgs, root, log: say, fork, partnerDown }).catch(asConsortiumError);
    if (json) printJson(result);
    const ok =
      result.nodes.every((n) => n.audit.ok) &&
      result.payouts.length > 0 &&
      result.payouts.every((p) => p.signers.length >= 2 && p.signers.every((s) => s.address !== p.holder.address)) &&
      // --fork: every other node caught the equivocation with a proof that verifies.
      (!fork || result.fork?.detectedBy.every((d) => d.ms !== null && d.verified) === true);
    return ok ? EXIT.ok : EXIT.refused;
  },
};

export const deployCommand: Command = {
  name: 'consortium deploy',
  summary:
    "Deploy the contracts for a network besu-config wrote: the first organisation's account deploys them and admits every member of members.json; every TradeTwin config.json gets the addresses.",
  usage: 'consortium deploy --dir DIR --rpc URL [--gas-price auto|WEI] [--json]',
  options: { ...COMMON, dir: { type: 'string' }, rpc: { type: 'string' }, 'gas-price': { type: 'string' } },
  async run({ values }) {
    const dir = requireStr(values, 'dir');
    const rpcUrl = requireStr(values, 'rpc');
    if (!/^https?:\/\/\S+$/.test(rpcUrl)) throw new CliError(`--rpc must be an http(s) URL, got "${rpcUrl}"`);
    const { deployBesuConsortium } = await import('../consortium/besu.js');
    const d = await deployBesuConsortium(dir, { rpcUrl, gasPrice: gasPriceOpt(values) }).catch(asConsortiumError);
    if (values.json) printJson(d);
    else {
      process.stdout.write(
        `contracts on chain ${d.chainId}: ${JSON.stringify(d.addresses)}; members admitted as orgs ${d.orgIds.join(', ')}\n`,
      );
      process.stdout.write(`every tradetwin/<org>/config.json in ${dir} now names them\n`);
    }
    return EXIT.ok;
  },
};

export const consortiumCommands: Command[] = [besuConfigCommand, upCommand, demoCommand, deployCommand];
