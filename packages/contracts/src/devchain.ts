// A local development chain: anvil (from the @foundry-rs/anvil npm package) on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { Address, Hex } from 'viem';

const require = createRequire(import.meta.url);

export interface DevChainOptions {
  /** TCP port on 127.0.0.1; 0 or absent = a free port. */
  port?: number;
  /** Chain state file: loaded if present, written every second and on stop(). */
  stateFile?: string;
  /** Default 31337. */
  chainId?: number;
  /** Mine a block every N seconds; absent = mine one block per transaction (automine). */
  blockTimeSec?: number;
  /** How long to wait for the RPC to answer, ms (default 15000). */
  startTimeoutMs?: number;
  /** Genesis block timestamp, seconds (a fresh chain only): a demo can start its chain in the past. */
  genesisTimestamp?: number;
}

export interface DevChain {
  rpcUrl: string;
  port: number;
  chainId: number;
  /** The anvil process id. */
  pid: number;
  /** SIGTERM (anvil then writes the state file), SIGKILL after 10 s. Idempotent. */
  stop(): Promise<void>;
}

/** Anvil's default mnemonic ("test test … junk"): the private keys of accounts 0–4. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
export const DEV_ACCOUNTS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
] as const satisfies readonly Hex[];

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/**
 * The anvil executable: `$ANVIL_BIN` if set, else the binary of the platform package that
 * `@foundry-rs/anvil` installs as an optional dependency.
 */
export function anvilBinary(): string {
  const fromEnv = process.env.ANVIL_BIN;
  if (fromEnv) return fromEnv;
  const key = `${process.platform}-${process.arch}`;
  const pkg = PLATFORM_PACKAGES[key];
  if (!pkg) throw new Error(`anvil: no @foundry-rs/anvil binary for ${key}; set ANVIL_BIN`);
  const file = process.platform === 'win32' ? 'bin/anvil.exe' : 'bin/anvil';
  // The platform package is hoisted next to @foundry-rs/anvil, or nested inside it.
  const requires = [require];
  try {
    requires.push(createRequire(require.resolve('@foundry-rs/anvil/package.json')));
  } catch {
    // @foundry-rs/anvil itself not resolvable: rely on the hoisted platform package.
  }
  for (const r of requires) {
    try {
      const path = r.resolve(`${pkg}/${file}`);
      if (existsSync(path)) return path;
    } catch {
      // try the next
    }
  }
  throw new Error(`anvil: cannot find ${pkg}/${file}; install @foundry-rs/anvil or set ANVIL_BIN`);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolvePort(port) : reject(new Error('freePort: no port'))));
    });
  });
}

/** One JSON-RPC call to the dev chain (including anvil_* and evm_* methods viem does not wrap). */
export async function rpc<T>(rpcUrl: string, method: string, params: unknown[] = [], timeoutMs = 5000): Promise<T> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`${method}: HTTP ${res.status}`);
  const body = (await res.json()) as { result?: T; error?: { code: number; message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message} (${body.error.code})`);
  return body.result as T;
}

/** Sets `address`'s balance to `weiAmount` (anvil_setBalance). */
export async function fundAccount(rpcUrl: string, address: Address, weiAmount: bigint): Promise<void> {
  if (weiAmount < 0n) throw new RangeError('fundAccount: negative amount');
  await rpc(rpcUrl, 'anvil_setBalance', [address, `0x${weiAmount.toString(16)}`]);
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave an orphaned anvil behind if the caller forgot stop().
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts anvil and resolves once it answers eth_chainId. */
export async function startDevChain(opts: DevChainOptions = {}): Promise<DevChain> {
  const attempts = opts.port ? 1 : 3; // a free port can be taken between probe and bind: retry
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(opts, opts.port || (await freePort()));
    } catch (err) {
      lastError = err;
      if (!(err instanceof AnvilExitedError)) break;
    }
  }
  throw lastError;
}

class AnvilExitedError extends Error {}

async function startOnce(opts: DevChainOptions, port: number): Promise<DevChain> {
  const chainId = opts.chainId ?? 31337;
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--quiet'];
  if (opts.blockTimeSec !== undefined) args.push('--block-time', String(opts.blockTimeSec));
  if (opts.genesisTimestamp !== undefined) args.push('--timestamp', String(opts.genesisTimestamp));
  if (opts.stateFile) {
    const stateFile = resolve(opts.stateFile);
    mkdirSync(dirname(stateFile), { recursive: true });
    args.push('--state', stateFile, '--state-interval', '1');
  }
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  installExitHook();
  running.add(child);

  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((r) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      running.delete(child);
      r();
    });
    child.once('error', (err) => {
      spawnError = err;
      running.delete(child);
      r();
    });
  });

  const rpcUrl = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitCode !== undefined || spawnError) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  for (;;) {
    if (spawnError) throw new Error(`anvil: ${spawnError.message}`);
    if (exitCode !== undefined) throw new AnvilExitedError(`anvil exited with ${exitCode}: ${output.trim()}`);
    try {
      const id = await rpc<string>(rpcUrl, 'eth_chainId', [], 1000);
      if (Number(id) !== chainId) {
        await stop();
        throw new Error(`anvil on ${rpcUrl} answered chain id ${Number(id)}, expected ${chainId}`);
      }
      break;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('anvil on')) throw err;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`anvil did not answer on ${rpcUrl} in time: ${output.trim()}`);
      }
      await sleep(50);
    }
  }
  return { rpcUrl, port, chainId, pid: child.pid ?? 0, stop };
}
