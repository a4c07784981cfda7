// `tradetwin consortium up`: N member nodes on one machine over one chain.
// One chain (the embedded anvil, its state in <root>/chain, or an external
// RPC), the contracts deployed once with the N organisations as members, then
// one `tradetwin start` PROCESS per organisation — each its own data dir
// (<root>/<slug>), account key, HTTP and MQTT ports, store and log file
// (<root>/<slug>/node.log) — pointed at the shared chain (chain mode external,
// the deployed addresses). Each node announces itself in NodeDirectory on
// chain (endpoint, RFC 9421 request key, log origin and checkpoint key); the
// nodes find, authenticate and witness each other from there alone — nothing
// secret passes between organisations. <root>/consortium.json remembers all of
// it: a second `up` resumes on the same chain, contracts, keys and ports.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Address, Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { fundAccount, freePort, rpc } from '@tradetwin/contracts/devchain';
import { type ChainClients, createChainClients } from '../chain/clients.js';
import { type ContractAddresses, deployContracts } from '../chain/deploy.js';
import { EMBEDDED_FUNDING, type EmbeddedChain, startEmbeddedChain } from '../chain/embedded.js';
import { ROLES } from '../chain/members.js';
import type { NodeConfig } from '../config.js';
import { type ConsortiumOrg, ConsortiumError, consortiumOrgs } from './orgs.js';

export const STATE_FILE = 'consortium.json';
const TRADETWIN_BIN = fileURLToPath(new URL('../../bin/tradetwin.js', import.meta.url));

export type ChainPlan =
  | { mode: 'embedded'; port: number; chainId: number }
  | { mode: 'external'; rpcUrl: string; chainId: number; gasPrice: 'auto' | number };

export interface MemberState extends ConsortiumOrg {
  address: Address;
  orgId: number;
  /** Relative to the consortium's root. */
  dataDir: string;
  httpPort: number;
  mqttPort: number;
}

export interface ConsortiumState {
  version: 1;
  chain: ChainPlan;
  contracts: ContractAddresses;
  members: MemberState[];
}

export class ConsortiumUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsortiumUnreachable';
  }
}

export interface UpOptions {
  root: string;
  /** Members on a fresh root (a resumed root keeps its own; a different number is refused). */
  orgs?: number;
  /** An external EVM endpoint instead of the embedded chain. */
  rpcUrl?: string;
  gasPrice?: 'auto' | number;
  /** HTTP port of the first member; member i gets basePort+2i (HTTP) and basePort+2i+1 (MQTT). Default: free ports. */
  basePort?: number;
  /** Genesis time of a fresh embedded chain, seconds (the demo starts it before its journey). */
  genesisTimestamp?: number;
  log?: (line: string) => void;
}

export interface RunningMember extends MemberState {
  httpUrl: string;
  mqttUrl: string | null;
  /** Absolute data dir. */
  dir: string;
  pid: number;
  adminToken: string;
}

/** The chain and the deployment, before any node runs (the demo sets up its scenario here). */
export interface PreparedConsortium {
  root: string;
  state: ConsortiumState;
  rpcUrl: string;
  fresh: boolean;
  /** Chain clients with a member's key (nothing else sends from it while no node runs). */
  clientsOf(slug: string): ChainClients;
  keyOf(slug: string): Hex;
  /** Write member `slug`'s config.json again with `extra` merged in. */
  configure(slug: string, extra: Partial<NodeConfig>): void;
  start(): Promise<RunningConsortium>;
  /** Stop the embedded chain (when no node was started). */
  stop(): Promise<void>;
}

export interface RunningConsortium {
  root: string;
  state: ConsortiumState;
  rpcUrl: string;
  members: RunningMember[];
  member(slug: string): RunningMember;
  /** Stop one member's node (SIGTERM), the others and the chain running on: a partner down. */
  stopMember(slug: string): Promise<void>;
  /** Stop every node (SIGTERM: each flushes, anchors and exits), then the chain. */
  stop(): Promise<void>;
}

/**
 * The deployment of a fresh consortium: contracts with every organisation a genesis member, then
 * admission handed to ConsortiumGovernance (later members are admitted by vote).
 */
export async function deployConsortium(
  founder: ChainClients,
  members: { account: Address; name: string; roles: number }[],
): Promise<{ addresses: ContractAddresses; orgIds: number[] }> {
  const [first, ...rest] = members;
  if (!first) throw new ConsortiumError('a consortium needs members');
  const d = await deployContracts(founder, first.name, first.roles, { members: rest });
  return { addresses: d.addresses, orgIds: d.genesisOrgs };
}

export async function prepareConsortium(opts: UpOptions): Promise<PreparedConsortium> {
  const root = resolve(opts.root);
  const log = opts.log ?? (() => undefined);
  mkdirSync(root, { recursive: true });
  const stateFile = join(root, STATE_FILE);
  const existing = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as ConsortiumState) : null;
  if (existing && opts.orgs !== undefined && opts.orgs !== existing.members.length)
    throw new ConsortiumError(
      `${root} holds a consortium of ${existing.members.length} organisations, not ${opts.orgs}: use a new --data-dir`,
    );
  if (existing && opts.rpcUrl && (existing.chain.mode !== 'external' || existing.chain.rpcUrl !== opts.rpcUrl))
    throw new ConsortiumError(`${root} holds a consortium on another chain: use a new --data-dir for ${opts.rpcUrl}`);
  const orgs = existing ?? null;
  const plannedOrgs = orgs ? orgs.members : consortiumOrgs(opts.orgs ?? 3);

  // Ports first: a taken port fails before anything is deployed.
  const ports = existing
    ? existing.members.map((m) => ({ http: m.httpPort, mqtt: m.mqttPort }))
    : await allocatePorts(plannedOrgs.length, opts.basePort);
  for (const [i, p] of ports.entries()) {
    for (const port of [p.http, p.mqtt])
      if (!(await portFree(port)))
        throw new ConsortiumError(`port ${port} (${plannedOrgs[i]!.slug}) is taken: stop what uses it, or choose --base-port`);
  }

  // Keys: one account per organisation, in its data dir (the node reads node-key there).
  const keys = new Map<string, Hex>();
  for (const o of plannedOrgs) {
    const dir = join(root, o.slug);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'node-key');
    if (!existsSync(file)) writeFileSync(file, `${generatePrivateKey()}\n`, { mode: 0o600 });
    keys.set(o.slug, readFileSync(file, 'utf8').trim() as Hex);
  }
  const accounts = plannedOrgs.map((o) => privateKeyToAccount(keys.get(o.slug)!).address);

  // The chain.
  let chain: EmbeddedChain | null = null;
  let rpcUrl: string;
  let plan: ChainPlan;
  if (opts.rpcUrl ?? (existing?.chain.mode === 'external' ? existing.chain.rpcUrl : undefined)) {
    rpcUrl = (opts.rpcUrl ?? (existing!.chain as { rpcUrl: string }).rpcUrl)!;
    let id: string;
    try {
      id = await rpc<string>(rpcUrl, 'eth_chainId', [], 5000);
    } catch (err) {
      throw new ConsortiumUnreachable(`no EVM endpoint answers at ${rpcUrl}: ${(err as Error).message}`);
    }
    plan = { mode: 'external', rpcUrl, chainId: Number(id), gasPrice: opts.gasPrice ?? 'auto' };
  } else {
    const chainId = existing?.chain.chainId ?? 31337;
    const port = existing?.chain.mode === 'embedded' ? existing.chain.port : await freePort();
    chain = await startEmbeddedChain(root, {
      port,
      chainId,
      fund: accounts,
      genesisTimestamp: opts.genesisTimestamp,
      role: `tradetwin consortium (pid ${process.pid})`,
      log,
    });
    rpcUrl = chain.rpcUrl;
    plan = { mode: 'embedded', port: chain.port, chainId };
  }
  const stopChain = async () => {
    await chain?.stop();
    chain = null;
  };

  const clientsOf = (slug: string) =>
    createChainClients({
      rpcUrl,
      chainId: plan.chainId,
      signerKey: keys.get(slug)!,
      gasPrice: plan.mode === 'external' ? plan.gasPrice : 'auto',
      pollingIntervalMs: plan.mode === 'embedded' ? 50 : 500,
    });

  let state: ConsortiumState;
  try {
    if (existing) {
      // Resume: the contracts must still be there (the chain's state survived).
      const code = await clientsOf(plannedOrgs[0]!.slug).publicClient.getCode({ address: existing.contracts.memberRegistry });
      if (!code || code === '0x')
        throw new ConsortiumError(`the chain at ${rpcUrl} no longer holds the consortium's contracts (was it reset?)`);
      state = { ...existing, chain: plan };
    } else {
      log(`deploying the contracts with ${plannedOrgs.length} member organisations`);
      const d = await deployConsortium(
        clientsOf(plannedOrgs[0]!.slug),
        plannedOrgs.map((o, i) => ({ account: accounts[i]!, name: o.name, roles: o.roles })),
      );
      state = {
        version: 1,
        chain: plan,
        contracts: d.addresses,
        members: plannedOrgs.map((o, i) => ({
          slug: o.slug,
          name: o.name,
          roles: o.roles,
          address: accounts[i]!,
          orgId: d.orgIds[i]!,
          dataDir: o.slug,
          httpPort: ports[i]!.http,
          mqttPort: ports[i]!.mqtt,
        })),
      };
    }
    writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  } catch (err) {
    await stopChain();
    throw err;
  }

  const extras = new Map<string, Partial<NodeConfig>>();
  const writeConfig = (m: MemberState) => {
    const dir = join(root, m.dataDir);
    const file = join(dir, 'config.json');
    // What an earlier run configured on top (the demo's claims) is kept on resume.
    const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<NodeConfig>) : {};
    const cfg: Partial<NodeConfig> = {
      ...before,
      orgName: m.name,
      http: { host: '127.0.0.1', port: m.httpPort },
      mqtt: { mode: 'embedded', host: '127.0.0.1', port: m.mqttPort },
      chain: {
        mode: 'external',
        rpcUrl,
        chainId: plan.chainId,
        addresses: state.contracts,
        gasPrice: plan.mode === 'external' ? plan.gasPrice : 'auto',
        pollingIntervalMs: plan.mode === 'embedded' ? 100 : 1000,
      },
      // Several nodes share the machine's cores.
      ingest: { verifyWorkers: 1 },
      consortium: { ...before.consortium, oracle: (m.roles & ROLES.ORACLE) !== 0 },
      ...extras.get(m.slug),
    };
    writeFileSync(file, `${JSON.stringify(cfg, null, 2)}\n`);
  };
  for (const m of state.members) writeConfig(m);

  return {
    root,
    state,
    rpcUrl,
    fresh: !existing,
    clientsOf,
    keyOf: (slug) => keys.get(slug)!,
    configure(slug, extra) {
      extras.set(slug, { ...extras.get(slug), ...extra });
      writeConfig(state.members.find((m) => m.slug === slug)!);
    },
    stop: stopChain,
    async start() {
      // Fund again on resume (an external chain is funded by its operators, or gas is free).
      if (plan.mode === 'embedded')
        for (const a of accounts) await fundAccount(rpcUrl, a, EMBEDDED_FUNDING).catch(() => undefined);
      const procs: ChildProcess[] = [];
      const procOf = new Map<string, ChildProcess>();
      const stopNodes = async () => {
        await Promise.all(procs.map((p) => stopProcess(p)));
      };
      const killOnExit = () => {
        for (const p of procs) if (p.exitCode === null && p.pid) p.kill('SIGTERM');
      };
      process.on('exit', killOnExit);
      // Interrupted while the nodes start: exit, and the exit hooks stop the nodes and the chain.
      const interrupted = () => process.exit(130);
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
      let members: RunningMember[];
      try {
        members = await Promise.all(
          state.members.map(async (m) => {
            const dir = join(root, m.dataDir);
            const { proc, ready } = spawnNode(dir);
            procs.push(proc);
            procOf.set(m.slug, proc);
            const r = await ready;
            await waitHealthy(r.httpUrl);
            log(`${m.name} (org ${m.orgId}, ${m.address}) at ${r.httpUrl}`);
            return {
              ...m,
              dir,
              httpUrl: r.httpUrl,
              mqttUrl: r.mqtt,
              pid: proc.pid!,
              adminToken: readFileSync(join(dir, 'admin-token'), 'utf8').trim(),
            };
          }),
        );
        // Each node announced itself in NodeDirectory at start (endpoint, RFC 9421 key, log origin and
        // checkpoint key): that is how the others find, authenticate and witness it. No credential is exchanged.
      } catch (err) {
        process.off('SIGINT', interrupted);
        process.off('SIGTERM', interrupted);
        await stopNodes();
        process.off('exit', killOnExit);
        await stopChain();
        throw err;
      }
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      return {
        root,
        state,
        rpcUrl,
        members,
        member: (slug) => {
          const m = members.find((x) => x.slug === slug);
          if (!m) throw new ConsortiumError(`no member ${slug}`);
          return m;
        },
        async stopMember(slug) {
          const p = procOf.get(slug);
          if (!p) throw new ConsortiumError(`no member ${slug}`);
          await stopProcess(p);
        },
        async stop() {
          await stopNodes();
          process.off('exit', killOnExit);
          await stopChain();
        },
      };
    },
  };
}

/** Prepare and start in one go. */
export async function consortiumUp(opts: UpOptions): Promise<RunningConsortium> {
  return (await prepareConsortium(opts)).start();
}

async function allocatePorts(n: number, base?: number): Promise<{ http: number; mqtt: number }[]> {
  const out: { http: number; mqtt: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (base !== undefined) out.push({ http: base + 2 * i, mqtt: base + 2 * i + 1 });
    else out.push({ http: await freePort(), mqtt: await freePort() });
  }
  const all = out.flatMap((p) => [p.http, p.mqtt]);
  if (new Set(all).size !== all.length) return allocatePorts(n, base); // the OS handed out one twice: again
  if (all.some((p) => p < 1 || p > 65535)) throw new ConsortiumError(`ports ${all[0]}–${all.at(-1)} are out of range`);
  return out;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/** A member node: `tradetwin start --json` in its data dir; its log to node.log; ready when it prints its URLs. */
function spawnNode(dir: string): { proc: ChildProcess; ready: Promise<{ httpUrl: string; mqtt: string | null }> } {
  // The node's configuration is its config.json: the caller's TRADETWIN_* settings (one database, one
  // RPC…) would make every member the same node.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TRADETWIN_')));
  const logFile = createWriteStream(join(dir, 'node.log'), { flags: 'a' });
  const proc = spawn(process.execPath, [TRADETWIN_BIN, 'start', '--data-dir', dir, '--json', '--stop-with-parent'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'], // stdin stays open: its end-of-file tells the node the consortium is gone
    detached: true, // its own process group: a terminal's Ctrl-C reaches the consortium, which stops each node once
  });
  proc.stderr?.pipe(logFile);
  const ready = new Promise<{ httpUrl: string; mqtt: string | null }>((res, rej) => {
    let out = '';
    const timer = setTimeout(
      () => rej(new ConsortiumError(`the node in ${dir} did not start within 90 s (see node.log)`)),
      90_000,
    );
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        try {
          res(JSON.parse(line) as { httpUrl: string; mqtt: string | null });
        } catch (err) {
          rej(err);
        }
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      const tail = existsSync(join(dir, 'node.log'))
        ? readFileSync(join(dir, 'node.log'), 'utf8').trim().split('\n').slice(-3).join(' | ')
        : '';
      rej(new ConsortiumError(`the node in ${dir} exited (${code}) during start: ${tail}`));
    });
  });
  ready.catch(() => undefined);
  return { proc, ready };
}

async function waitHealthy(httpUrl: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${httpUrl}/api/v1/status`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new ConsortiumError(`${httpUrl} is not healthy`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    p.kill('SIGTERM');
  });
}
