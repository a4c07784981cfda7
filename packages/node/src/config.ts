// Node configuration: embedded defaults, overridden by <dataDir>/config.json,
// then by TRADETWIN_* environment variables, then by CLI flags. Pointing the
// node at PostgreSQL, an external MQTT broker or an external EVM network
// (Besu QBFT) is configuration only.
import type { GenesisOptions } from './chain/deploy.js';
import type { PeerResolver } from './tlog/peers.js';
import type { DisplayJson } from '@tradetwin/core/wire/status';
import { parseCorsOrigins } from './access/headers.js';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { AnchorPolicy } from './anchor/anchorer.js';
import type { IngestLimits } from './ingest/pipeline.js';
import type { AdmissionLimits } from './ingest/admission.js';
import type { WebhookPolicy } from './webhook/destination.js';

/** The CBV version whose event-hash rules name captured EPCIS events (CBV 2.0 unless configured). */
export type EpcisHashCbv = '2.0' | '2.1';

export type StoreConfig = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

export type MqttConfig =
  | { mode: 'embedded'; host: string; port: number }
  | { mode: 'external'; url: string; shareGroup?: string; username?: string; password?: string; clientId?: string }
  | { mode: 'off' };

export type ChainSettings =
  | {
      mode: 'embedded';
      port: number;
      chainId: number;
      /** Genesis time of a fresh embedded chain, seconds (the demo starts its chain in the past). */
      genesisTimestamp?: number;
    }
  | {
      mode: 'external';
      rpcUrl: string;
      chainId: number;
      /** Contract addresses; when absent the node deploys them (a fresh private network). */
      addresses?: {
        memberRegistry: `0x${string}`;
        deviceRegistry: `0x${string}`;
        logAnchor: `0x${string}`;
        /** NodeDirectory (TRADETWIN_NODE_DIRECTORY): without it the node registers no endpoint and has no peers. */
        nodeDirectory?: `0x${string}`;
        /** ConsortiumGovernance (TRADETWIN_GOVERNANCE), for the governance API and CLI. */
        governance?: `0x${string}`;
      };
      /** 0 for Besu QBFT free-gas networks; 'auto' uses the network's fee market. */
      gasPrice: 'auto' | number;
      pollingIntervalMs: number;
    };

/** PEM files: when set, the HTTP API is served over HTTPS and the embedded broker over MQTTS. */
export interface TlsConfig {
  certFile: string;
  keyFile: string;
}

export interface NodeConfig {
  dataDir: string;
  /** Who may call the HTTP API from where (access/): CORS allow-list, session cookie flags. */
  access: { corsOrigins: string[]; secureCookies: boolean; sessionTtlMs: number };
  tls?: TlsConfig;
  store: StoreConfig;
  mqtt: MqttConfig;
  chain: ChainSettings;
  /** The node's account key (signs tree heads and transactions). Generated into the data dir when absent. */
  signerKey?: `0x${string}`;
  /** Organisation name used when the embedded node admits itself on a fresh chain. */
  orgName: string;
  /**
   * Genesis of a consortium this node deploys (config.json): the other founding members, voting
   * settings and oracle threshold. After genesis, admission is by member vote only.
   */
  genesis?: GenesisOptions;
  /** Ingest limits (pipeline.ts) and admission bounds (admission.ts: envelopes and bytes per request, slices, unknown-device lookups). */
  ingest: Partial<IngestLimits> & Partial<AdmissionLimits> & { verifyWorkers: number };
  /** Largest request body of the JSON APIs, bytes (EPCIS capture and telemetry have their own). */
  http: { host: string; port: number; maxBodyBytes?: number };
  anchor: Partial<AnchorPolicy>;
  /** EPCIS repository: which CBV event-hash profile names captured events (`TRADETWIN_EPCIS_HASH_CBV`). */
  epcis: { hashCbv: EpcisHashCbv };
  /** A block explorer for the node's chain: a transaction's page, `{tx}` standing for its hash (`TRADETWIN_EXPLORER_TX_URL`). */
  explorer?: { txUrl: string };
  /**
   * How the dashboard shows times until a person chooses otherwise in it: an IANA time zone and a
   * BCP 47 locale (null: ISO-like dates) — `TRADETWIN_DISPLAY_TIMEZONE`, `TRADETWIN_DISPLAY_LOCALE`.
   */
  display: DisplayJson;
  /** Alerts (alerts/): the SMTP relay for e-mail, and when a device counts as silent and anchoring as stalled (ms; 0: off). */
  alerts: AlertsConfig;
  /**
   * Where webhooks (alerts, DCSA and EPCIS subscriptions) may go (webhook/destination.ts): public
   * addresses only unless `allowPrivateNetworks` (TRADETWIN_WEBHOOKS_ALLOW_PRIVATE=1) — a subscriber is
   * not always the operator, and must not make the node call into its own network.
   */
  webhooks: WebhookPolicy;
  /**
   * Signed actuator commands (commands/): when a second organisation must co-sign — a setpoint move
   * above `setpointStepC` (TRADETWIN_COMMAND_COSIGN_STEP_C, default 2 °C) and every action in `alwaysCosign`.
   */
  commands?: { setpointStepC: number; alwaysCosign: ('setpoint' | 'door' | 'valve')[] };
  /**
   * C2SP log and witnessing (tlog/): the checkpoint origin (default tradetwin.invalid/<account>), the peers
   * to witness and be witnessed by (a NodeDirectory resolver; absent: RunningNode.tlog.peers, set at run
   * time), how often the log is looked at for a new checkpoint and peers are polled, ms.
   */
  tlog?: {
    origin?: string;
    peers?: PeerResolver;
    pushIntervalMs?: number;
    pollIntervalMs?: number;
    /** Demonstrations only (`TRADETWIN_DEMO_FORK=1`): POST /api/v1/admin/tlog/fork makes this node equivocate. */
    allowFork?: boolean;
  };
  /**
   * Between member nodes (peer/): the base URL other members reach this node at, published in
   * NodeDirectory (TRADETWIN_PUBLIC_URL; default the URL it listens on) with the log's origin and key (tlog).
   */
  peer?: { publicUrl?: string };
  /**
   * Consortium membership (consortium/, written by `tradetwin consortium up`): serve this organisation's
   * oracle to the other members at POST /peer/v1/oracle/attest (signed requests); settle the claims of a
   * cover with the oracles of the members NodeDirectory lists.
   */
  consortium?: { oracle?: boolean; claims?: { cover: `0x${string}`; threshold: number } };
}

export interface AlertsConfig {
  /** TRADETWIN_SMTP_URL (smtp://user:pass@host:port, smtps://…) and TRADETWIN_SMTP_FROM; absent: no e-mail alerts. */
  smtp?: { url: string; from: string };
  /** TRADETWIN_ALERT_DEVICE_SILENT_MINUTES (default 60). */
  deviceSilentMs: number;
  /** TRADETWIN_ALERT_ANCHOR_STALLED_MINUTES (default 15). */
  anchoringStalledMs: number;
  /** Delivery: one attempt's deadline, first retry delay and its cap (defaults 10 s, 1 s, 5 min; config.json or tests). */
  timeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** The From address of e-mail alerts when TRADETWIN_SMTP_FROM is not set. */
export const DEFAULT_ALERT_FROM = 'TradeTwin alerts <alerts@tradetwin.invalid>';

export function defaultConfig(dataDir = '.tradetwin'): NodeConfig {
  return {
    dataDir: resolve(dataDir),
    http: { host: '127.0.0.1', port: 8080 },
    access: { corsOrigins: [], secureCookies: false, sessionTtlMs: 8 * 3_600_000 },
    store: { kind: 'sqlite' },
    mqtt: { mode: 'embedded', host: '127.0.0.1', port: 1884 },
    chain: { mode: 'embedded', port: 0, chainId: 31337 },
    orgName: 'Local operator',
    // One verify worker per core: P-256 verification is the CPU cost of ingest.
    ingest: { verifyWorkers: Math.max(1, availableParallelism()) },
    anchor: {},
    epcis: { hashCbv: '2.0' },
    display: { timeZone: 'UTC', locale: null },
    alerts: { deviceSilentMs: 60 * 60_000, anchoringStalledMs: 15 * 60_000 },
    webhooks: { allowPrivateNetworks: false },
  };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Build the configuration for a data directory. */
export function loadConfig(dataDir: string, env: Env = process.env, overrides: Partial<NodeConfig> = {}): NodeConfig {
  const cfg = defaultConfig(dataDir);
  const file = join(cfg.dataDir, 'config.json');
  if (existsSync(file)) {
    let fromFile: Partial<NodeConfig>;
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Partial<NodeConfig>;
    } catch (err) {
      throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    Object.assign(cfg, fromFile, { dataDir: cfg.dataDir });
  }
  applyEnv(cfg, env);
  Object.assign(cfg, overrides);
  validate(cfg);
  return cfg;
}

function applyEnv(cfg: NodeConfig, env: Env): void {
  const int = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v)) throw new ConfigError(`${name} must be a whole number, got "${v}"`);
    return Number(v);
  };
  if (env.TRADETWIN_HTTP_HOST) cfg.http.host = env.TRADETWIN_HTTP_HOST;
  if (env.TRADETWIN_LOG_ORIGIN) cfg.tlog = { ...cfg.tlog, origin: env.TRADETWIN_LOG_ORIGIN };
  if (env.TRADETWIN_DEMO_FORK === '1') cfg.tlog = { ...cfg.tlog, allowFork: true };
  const allowPrivate = env.TRADETWIN_WEBHOOKS_ALLOW_PRIVATE;
  if (allowPrivate !== undefined && allowPrivate !== '') {
    if (!['1', '0', 'true', 'false'].includes(allowPrivate))
      throw new ConfigError(`TRADETWIN_WEBHOOKS_ALLOW_PRIVATE must be 1 or 0, got "${allowPrivate}"`);
    cfg.webhooks = { allowPrivateNetworks: allowPrivate === '1' || allowPrivate === 'true' };
  }
  const port = int('TRADETWIN_HTTP_PORT');
  if (port !== undefined) cfg.http.port = port;
  if (env.TRADETWIN_CORS_ORIGINS !== undefined) {
    try {
      cfg.access.corsOrigins = parseCorsOrigins(env.TRADETWIN_CORS_ORIGINS);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
  }
  if (env.TRADETWIN_SECURE_COOKIES) cfg.access.secureCookies = env.TRADETWIN_SECURE_COOKIES === '1';
  const ttl = int('TRADETWIN_SESSION_TTL_MS');
  if (ttl !== undefined) cfg.access.sessionTtlMs = ttl;
  if (env.TRADETWIN_TLS_CERT || env.TRADETWIN_TLS_KEY) {
    cfg.tls = { certFile: env.TRADETWIN_TLS_CERT ?? '', keyFile: env.TRADETWIN_TLS_KEY ?? '' };
  }
  if (env.TRADETWIN_DATABASE_URL) cfg.store = { kind: 'postgres', url: env.TRADETWIN_DATABASE_URL };
  if (env.TRADETWIN_MQTT_URL === 'off') cfg.mqtt = { mode: 'off' };
  else if (env.TRADETWIN_MQTT_URL) {
    cfg.mqtt = {
      mode: 'external',
      url: env.TRADETWIN_MQTT_URL,
      shareGroup: env.TRADETWIN_MQTT_SHARE_GROUP,
      username: env.TRADETWIN_MQTT_USERNAME,
      password: env.TRADETWIN_MQTT_PASSWORD,
    };
  } else {
    const mqttPort = int('TRADETWIN_MQTT_PORT');
    if (mqttPort !== undefined && cfg.mqtt.mode === 'embedded') cfg.mqtt.port = mqttPort;
  }
  if (env.TRADETWIN_RPC_URL) {
    const chainId = int('TRADETWIN_CHAIN_ID');
    if (chainId === undefined) throw new ConfigError('TRADETWIN_CHAIN_ID is required with TRADETWIN_RPC_URL');
    const a = env.TRADETWIN_MEMBER_REGISTRY;
    const d = env.TRADETWIN_DEVICE_REGISTRY;
    const l = env.TRADETWIN_LOG_ANCHOR;
    cfg.chain = {
      mode: 'external',
      rpcUrl: env.TRADETWIN_RPC_URL,
      chainId,
      addresses:
        a && d && l
          ? {
              memberRegistry: hexAddr(a),
              deviceRegistry: hexAddr(d),
              logAnchor: hexAddr(l),
              ...(env.TRADETWIN_NODE_DIRECTORY ? { nodeDirectory: hexAddr(env.TRADETWIN_NODE_DIRECTORY) } : {}),
              ...(env.TRADETWIN_GOVERNANCE ? { governance: hexAddr(env.TRADETWIN_GOVERNANCE) } : {}),
            }
          : undefined,
      gasPrice:
        env.TRADETWIN_GAS_PRICE === undefined || env.TRADETWIN_GAS_PRICE === 'auto' ? 'auto' : Number(env.TRADETWIN_GAS_PRICE),
      pollingIntervalMs: int('TRADETWIN_POLLING_MS') ?? 1000,
    };
  }
  if (env.TRADETWIN_PUBLIC_URL) {
    const u = URL.canParse(env.TRADETWIN_PUBLIC_URL) ? new URL(env.TRADETWIN_PUBLIC_URL) : null;
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash) {
      throw new ConfigError(
        `TRADETWIN_PUBLIC_URL must be an http(s) base URL such as https://node.carrier.example, got "${env.TRADETWIN_PUBLIC_URL}"`,
      );
    }
    cfg.peer = { ...cfg.peer, publicUrl: env.TRADETWIN_PUBLIC_URL.replace(/\/+$/, '') };
  }
  if (env.TRADETWIN_SIGNER_KEY) cfg.signerKey = hexKey(env.TRADETWIN_SIGNER_KEY);
  const workers = int('TRADETWIN_VERIFY_WORKERS');
  if (workers !== undefined) cfg.ingest.verifyWorkers = workers;
  // Flood bounds (ingest/admission.ts); each a whole number ≥ 1 (validate()).
  const admission: [string, keyof AdmissionLimits][] = [
    ['TRADETWIN_INGEST_MAX_ENVELOPES', 'maxEnvelopesPerRequest'],
    ['TRADETWIN_INGEST_MAX_BODY_BYTES', 'maxBodyBytes'],
    ['TRADETWIN_INGEST_SLICE', 'sliceSize'],
    ['TRADETWIN_INGEST_LOOKUPS_PER_REQUEST', 'lookupsPerRequest'],
    ['TRADETWIN_INGEST_LOOKUPS_PER_SECOND', 'lookupsPerSecond'],
    ['TRADETWIN_INGEST_LOOKUP_BURST', 'lookupBurst'],
  ];
  for (const [name, key] of admission) {
    const v = int(name);
    if (v !== undefined) cfg.ingest[key] = v;
  }
  const maxMessage = int('TRADETWIN_INGEST_MAX_MESSAGE_BYTES');
  if (maxMessage !== undefined) cfg.ingest.maxMessageBytes = maxMessage;
  const apiBody = int('TRADETWIN_HTTP_MAX_BODY_BYTES');
  if (apiBody !== undefined) cfg.http.maxBodyBytes = apiBody;
  const everyMs = int('TRADETWIN_ANCHOR_EVERY_MS');
  if (everyMs !== undefined) cfg.anchor.everyMs = everyMs;
  const everyLeaves = int('TRADETWIN_ANCHOR_EVERY_LEAVES');
  if (everyLeaves !== undefined) cfg.anchor.everyLeaves = everyLeaves;
  if (env.TRADETWIN_DISPLAY_TIMEZONE) cfg.display = { ...cfg.display, timeZone: env.TRADETWIN_DISPLAY_TIMEZONE };
  if (env.TRADETWIN_DISPLAY_LOCALE !== undefined) cfg.display = { ...cfg.display, locale: env.TRADETWIN_DISPLAY_LOCALE || null };
  if (env.TRADETWIN_SMTP_URL) {
    if (!/^smtps?:\/\/[^/]+/.test(env.TRADETWIN_SMTP_URL))
      throw new ConfigError('TRADETWIN_SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://…');
    cfg.alerts = { ...cfg.alerts, smtp: { url: env.TRADETWIN_SMTP_URL, from: env.TRADETWIN_SMTP_FROM || DEFAULT_ALERT_FROM } };
  }
  const silent = int('TRADETWIN_ALERT_DEVICE_SILENT_MINUTES');
  if (silent !== undefined) cfg.alerts = { ...cfg.alerts, deviceSilentMs: silent * 60_000 };
  const stalled = int('TRADETWIN_ALERT_ANCHOR_STALLED_MINUTES');
  if (stalled !== undefined) cfg.alerts = { ...cfg.alerts, anchoringStalledMs: stalled * 60_000 };
  const step = env.TRADETWIN_COMMAND_COSIGN_STEP_C;
  if (step !== undefined && step !== '') {
    const c = Number(step);
    if (!Number.isFinite(c) || c < 0)
      throw new ConfigError(`TRADETWIN_COMMAND_COSIGN_STEP_C must be a number ≥ 0, got "${step}"`);
    cfg.commands = { alwaysCosign: ['valve'], ...cfg.commands, setpointStepC: c };
  }
  const cbv = env.TRADETWIN_EPCIS_HASH_CBV;
  if (cbv !== undefined && cbv !== '') {
    if (cbv !== '2.0' && cbv !== '2.1') throw new ConfigError(`TRADETWIN_EPCIS_HASH_CBV must be 2.0 or 2.1, got "${cbv}"`);
    cfg.epcis = { ...cfg.epcis, hashCbv: cbv };
  }
  const explorer = env.TRADETWIN_EXPLORER_TX_URL;
  if (explorer !== undefined && explorer !== '') {
    if (!/^https?:\/\/\S+$/.test(explorer) || !explorer.includes('{tx}'))
      throw new ConfigError(`TRADETWIN_EXPLORER_TX_URL must be an http(s) URL holding {tx}, got "${explorer}"`);
    cfg.explorer = { txUrl: explorer };
  }
}

/** A time zone and locale the runtime knows (Intl throws a RangeError for others). */
function validateDisplay(d: DisplayJson): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: d.timeZone });
  } catch {
    throw new ConfigError(`display time zone "${d.timeZone}" is not an IANA time zone (e.g. UTC, Africa/Nairobi)`);
  }
  if (d.locale !== null && (typeof d.locale !== 'string' || !isLocale(d.locale)))
    throw new ConfigError(`display locale "${String(d.locale)}" is not a BCP 47 locale (e.g. en-GB, de-DE)`);
}

function isLocale(l: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([l]).length > 0;
  } catch {
    return false;
  }
}

function hexAddr(v: string): `0x${string}` {
  if (!/^0x[0-9a-fA-F]{40}$/.test(v)) throw new ConfigError(`"${v}" is not a 20-byte 0x address`);
  return v as `0x${string}`;
}

function hexKey(v: string): `0x${string}` {
  if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw new ConfigError('TRADETWIN_SIGNER_KEY must be a 32-byte 0x-hex private key');
  return v as `0x${string}`;
}

function validate(cfg: NodeConfig): void {
  validateDisplay(cfg.display);
  if (cfg.tls) {
    if (!cfg.tls.certFile || !cfg.tls.keyFile) throw new ConfigError('TLS needs both a certificate and a key file');
    for (const f of [cfg.tls.certFile, cfg.tls.keyFile])
      if (!existsSync(f)) throw new ConfigError(`TLS file ${f} does not exist`);
  }
  if (cfg.http.port < 0 || cfg.http.port > 65535) throw new ConfigError(`HTTP port ${cfg.http.port} is out of range`);
  for (const key of [
    'maxEnvelopesPerRequest',
    'maxBodyBytes',
    'sliceSize',
    'lookupsPerRequest',
    'lookupsPerSecond',
    'lookupBurst',
    'maxMessageBytes',
  ] as const) {
    const v = cfg.ingest[key];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1))
      throw new ConfigError(`ingest.${key} must be a whole number ≥ 1`);
  }
  if (cfg.http.maxBodyBytes !== undefined && !(Number.isSafeInteger(cfg.http.maxBodyBytes) && cfg.http.maxBodyBytes >= 1)) {
    throw new ConfigError('http.maxBodyBytes must be a whole number ≥ 1');
  }
  if (cfg.ingest.verifyWorkers < 0 || cfg.ingest.verifyWorkers > 64) {
    throw new ConfigError('verifyWorkers must be between 0 (verify on the main thread) and 64');
  }
  if (cfg.epcis.hashCbv !== '2.0' && cfg.epcis.hashCbv !== '2.1') {
    throw new ConfigError(`epcis.hashCbv must be "2.0" or "2.1", got ${JSON.stringify(cfg.epcis.hashCbv)}`);
  }
  if (cfg.chain.mode === 'external' && cfg.chain.gasPrice !== 'auto' && !(cfg.chain.gasPrice >= 0)) {
    throw new ConfigError('gas price must be "auto" or a non-negative number of wei');
  }
}
