// The embedded chain: a local anvil whose state lives in the data directory
// (<dataDir>/chain/anvil-state.json), so contracts, devices and anchored heads
// survive a node restart. Development and single-host demos only; a real
// network is an external endpoint (Besu QBFT).
//
// The node owns this chain for real:
//  - one chain per state file: <dataDir>/chain/anvil.lock (chain-lock.ts);
//  - anvil cannot outlive the node: it runs under a watchdog (watchdog.ts) that
//    leads its own process group and stops anvil when the node's pipe closes
//    (kill -9 included); on exit the node signals that group;
//  - when anvil dies under a running node, it is restarted on the same state
//    and port with back-off, and listeners (the anchor outbox) are told, since
//    anvil saves its state once a second and the restarted chain may have lost
//    the last blocks.
import type { ChainProcessJson } from '@tradetwin/core/wire/status';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, http, parseEther, type Address } from 'viem';
import { anvilBinary, freePort, fundAccount, rpc } from '@tradetwin/contracts/devchain';
import { ChainLock, processStart } from './chain-lock.js';

/** Accounts are topped up to this balance when below half of it (gas on the dev chain is not free). */
export const EMBEDDED_FUNDING = parseEther('1000');

const WATCHDOG = fileURLToPath(new URL('./watchdog.ts', import.meta.url));

/** Restart back-off: 250 ms doubling to 30 s; reset once a chain has run this long. */
const RESTART_MIN_MS = 250;
const RESTART_MAX_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

/** The embedded chain's process as status reports it (core/wire). */
export type ChainProcessState = ChainProcessJson;

export interface EmbeddedChain {
  rpcUrl: string;
  port: number;
  chainId: number;
  stateFile: string;
  /** The process side of chain health. */
  state(): ChainProcessState;
  /** Called after the chain came back from a death (it may have rolled back up to a second). */
  onRestart(listener: () => void): void;
  /** Stops anvil (it writes its state file on the way out) and releases the lock. */
  stop(): Promise<void>;
}

export function embeddedStateFile(dataDir: string): string {
  return join(dataDir, 'chain', 'anvil-state.json');
}

export interface EmbeddedChainOptions {
  port: number;
  chainId: number;
  fund?: readonly Address[];
  genesisTimestamp?: number;
  /** Who holds the lock (shown to a second process that is refused). */
  role?: string;
  /** Restart anvil when it dies (default true). */
  supervise?: boolean;
  log?: (line: string) => void;
}

export async function startEmbeddedChain(dataDir: string, opts: EmbeddedChainOptions): Promise<EmbeddedChain> {
  const stateFile = resolve(embeddedStateFile(dataDir));
  mkdirSync(dirname(stateFile), { recursive: true });
  const lock = await ChainLock.acquire(stateFile, opts.role ?? `tradetwin node (pid ${process.pid})`);
  const chain = new SupervisedAnvil(stateFile, lock, opts);
  try {
    await chain.start(opts.port || (await freePort()));
    const client = createPublicClient({ transport: http(chain.rpcUrl) });
    for (const address of opts.fund ?? []) {
      // The dev faucet (anvil_setBalance); only when low, so restarts leave the balance history alone.
      if ((await client.getBalance({ address })) < EMBEDDED_FUNDING / 2n)
        await fundAccount(chain.rpcUrl, address, EMBEDDED_FUNDING);
    }
  } catch (err) {
    await chain.stop();
    throw err;
  }
  return chain;
}

const live = new Set<SupervisedAnvil>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // The node is exiting (normally, or on an uncaught error): stop every chain it owns. The
  // watchdog turns SIGTERM into a state-saving anvil shutdown; the lock stays until anvil is
  // gone, so a successor waits for it rather than starting a second chain on the same state.
  process.on('exit', () => {
    for (const c of live) c.signalExit();
  });
}

class SupervisedAnvil implements EmbeddedChain {
  rpcUrl = '';
  port = 0;
  readonly chainId: number;
  private proc: ChildProcess | null = null;
  private anvilPid = 0;
  private restarts = 0;
  private lastExit: { code: number | null; at: number } | null = null;
  private nextRestartAt: number | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private startedAt = 0;
  private stopping = false;
  private readonly listeners: (() => void)[] = [];
  private readonly log: (line: string) => void;

  constructor(
    readonly stateFile: string,
    private readonly lock: ChainLock,
    private readonly opts: EmbeddedChainOptions,
  ) {
    this.chainId = opts.chainId;
    this.log = opts.log ?? (() => undefined);
  }

  state(): ChainProcessState {
    return {
      owned: true,
      running: this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null,
      pid: this.anvilPid,
      processGroup: this.proc?.pid ?? 0,
      restarts: this.restarts,
      lastExit: this.lastExit,
      nextRestartAt: this.nextRestartAt,
      lockFile: this.lock.file,
    };
  }

  onRestart(listener: () => void): void {
    this.listeners.push(listener);
  }

  async start(port: number): Promise<void> {
    this.port = port;
    this.rpcUrl = `http://127.0.0.1:${port}`;
    installExitHook();
    live.add(this);
    await this.spawnOnce(this.opts.genesisTimestamp);
  }

  /** Spawn watchdog + anvil and wait until the RPC answers with the right chain id. */
  private async spawnOnce(genesisTimestamp?: number): Promise<void> {
    const args = ['--host', '127.0.0.1', '--port', String(this.port), '--chain-id', String(this.chainId), '--quiet'];
    // Genesis time only matters for a fresh chain; a restart loads it from the state.
    if (genesisTimestamp !== undefined && !existsSync(this.stateFile)) args.push('--timestamp', String(genesisTimestamp));
    args.push('--state', this.stateFile, '--state-interval', '1');
    const proc = spawn(process.execPath, [WATCHDOG, anvilBinary(), ...args], {
      detached: true, // the watchdog leads a process group: the node can signal the whole chain
      stdio: ['pipe', 'pipe', 'pipe'], // stdin stays open: its end-of-file tells the watchdog the node died
    });
    this.proc = proc;
    this.startedAt = Date.now();
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      const m = /watchdog: anvil pid (\d+)/.exec(output);
      if (m && Number(m[1]) !== this.anvilPid && proc === this.proc) {
        this.anvilPid = Number(m[1]);
        this.lock.update({
          watchdogPid: proc.pid,
          watchdogStart: processStart(proc.pid ?? 0),
          anvilPid: this.anvilPid,
          anvilStart: processStart(this.anvilPid),
        });
      }
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.stdin?.on('error', () => undefined);
    let exited = false;
    proc.once('exit', (code, signal) => {
      exited = true;
      this.onExit(proc, code ?? (signal ? -1 : null), output);
    });
    proc.once('error', () => undefined);

    const deadline = Date.now() + 20_000;
    for (;;) {
      if (exited) throw new Error(`anvil exited during start: ${output.trim().slice(-500)}`);
      try {
        const id = await rpc<string>(this.rpcUrl, 'eth_chainId', [], 1000);
        if (Number(id) !== this.chainId)
          throw new Error(`anvil on ${this.rpcUrl} answered chain id ${Number(id)}, expected ${this.chainId}`);
        return;
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('anvil on')) throw err;
        if (Date.now() > deadline)
          throw new Error(`anvil did not answer on ${this.rpcUrl} in time: ${output.trim().slice(-500)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private onExit(proc: ChildProcess, code: number | null, output: string): void {
    if (proc !== this.proc) return;
    this.lastExit = { code, at: Date.now() };
    // Whatever is left of the group (anvil, if the watchdog itself was killed) goes with it.
    if (proc.pid) signalGroup(proc.pid, 'SIGKILL');
    if (this.stopping) return;
    if (this.opts.supervise === false) {
      this.log(`embedded chain exited (${code}); not restarted (unsupervised)`);
      return;
    }
    this.failures = Date.now() - this.startedAt >= STABLE_AFTER_MS ? 0 : this.failures + 1;
    const delay = Math.min(RESTART_MIN_MS * 2 ** Math.max(0, this.failures - 1), RESTART_MAX_MS);
    this.log(`embedded chain exited (${code}); restarting in ${delay} ms: ${output.trim().split('\n').slice(-2).join(' | ')}`);
    this.scheduleRestart(delay);
  }

  private scheduleRestart(delay: number): void {
    this.nextRestartAt = Date.now() + delay;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.spawnOnce().then(
        () => {
          this.restarts++;
          this.nextRestartAt = null;
          this.log(`embedded chain restarted (restart ${this.restarts}) on ${this.rpcUrl}`);
          for (const l of this.listeners) l();
        },
        (err: unknown) => {
          // spawnOnce's exit handler has scheduled the next attempt if the process died;
          // if it is alive but mute, kill it and let that handler do so.
          this.log(`embedded chain restart failed: ${err instanceof Error ? err.message : String(err)}`);
          if (this.stopping) return;
          if (this.proc?.pid && this.proc.exitCode === null) signalGroup(this.proc.pid, 'SIGKILL');
        },
      );
    }, delay);
  }

  /** From process 'exit' (synchronous): ask the watchdog to stop anvil gracefully. */
  signalExit(): void {
    this.stopping = true;
    if (this.proc?.pid && this.proc.exitCode === null) {
      try {
        process.kill(this.proc.pid, 'SIGTERM');
      } catch {
        // gone already
      }
    } else this.lock.release();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const proc = this.proc;
    if (proc?.pid && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      try {
        process.kill(proc.pid, 'SIGTERM'); // the watchdog: anvil saves its state and exits, then it does
      } catch {
        // gone already
      }
      const timer = setTimeout(() => signalGroup(proc.pid!, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(this);
    this.lock.release();
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // nobody left in the group
  }
}
