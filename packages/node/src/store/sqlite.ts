// Embedded store on node:sqlite (built into Node 24: no native addon to build).
// WAL journal; synchronous=FULL by default so that an acknowledged append
// survives power loss, not only a killed process. Appends are group-committed
// by the ingest path, so one fsync covers thousands of readings.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  type AnchorRecord,
  type AnchorStatus,
  type AppendBatch,
  type DeviceRecord,
  type DeviceState,
  type NodeStore,
  type SequenceGap,
  type SignedTreeHead,
  type StoredLeaf,
  StoreError,
  type TelemetryRow,
  type TileHash,
} from './types.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /** 'FULL' (default) survives power loss; 'NORMAL' survives a killed process only. */
  synchronous?: 'FULL' | 'NORMAL';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log_leaves (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log_tiles (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log_heads (size INTEGER PRIMARY KEY, root BLOB NOT NULL, ts INTEGER NOT NULL,
  signature BLOB NOT NULL, signer TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS anchor_outbox (size INTEGER PRIMARY KEY, root BLOB NOT NULL, ts INTEGER NOT NULL,
  status TEXT NOT NULL, tx_hash TEXT, block INTEGER, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
  enqueued_at INTEGER NOT NULL, confirmed_at INTEGER);
CREATE INDEX IF NOT EXISTS anchor_outbox_status ON anchor_outbox(status, size);
CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, key_type INTEGER NOT NULL, public_key BLOB NOT NULL,
  owner_org INTEGER NOT NULL, metadata_hash TEXT NOT NULL, registered_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS device_state (id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, last_seen INTEGER,
  gaps INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS seq_gaps (device TEXT NOT NULL, after_seq INTEGER NOT NULL, before_seq INTEGER NOT NULL,
  detected_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS seq_gaps_device ON seq_gaps(device);
CREATE TABLE IF NOT EXISTS telemetry (idx INTEGER PRIMARY KEY, device TEXT NOT NULL, seq INTEGER NOT NULL,
  signed_at INTEGER NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, n INTEGER NOT NULL,
  received_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS telemetry_device_time ON telemetry(device, first_at);
DROP INDEX IF EXISTS telemetry_device_seq;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

type Row = Record<string, unknown>;

const bytes = (v: unknown, column = 'column'): Uint8Array => {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new StoreError('corrupt', `${column} holds ${sqlType(v)}, expected a BLOB`);
};
/** The SQLite storage class a value came back as (a row whose type was changed shows here). */
function sqlType(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `TEXT (${JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}…` : v)})`;
  if (typeof v === 'number') return Number.isInteger(v) ? `INTEGER (${v})` : `REAL (${v})`;
  if (typeof v === 'bigint') return `INTEGER (${v})`;
  return typeof v;
}
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class SqliteStore implements NodeStore {
  readonly kind = 'sqlite' as const;
  private readonly db: DatabaseSync;
  private readonly stmts: Record<string, StatementSync>;
  private cachedSize: number;
  /**
   * Last stored telemetry seq per device (device_state, read on first use), kept after each commit.
   * append refuses a telemetry leaf whose seq does not exceed it: per device, seqs strictly increase
   * in log order, which is the ingest path's own rule and implies (device, seq) is unique, without
   * a unique index to maintain on every insert.
   */
  private readonly lastSeqs = new Map<string, number>();

  constructor(opts: SqliteStoreOptions) {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    this.db = new DatabaseSync(opts.path);
    this.db.exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=${opts.synchronous ?? 'FULL'}; PRAGMA busy_timeout=5000;`);
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.stmts = {
      insLeaf: p('INSERT INTO log_leaves (idx, hash, data) VALUES (?, ?, ?)'),
      insTelemetry: p(
        'INSERT INTO telemetry (idx, device, seq, signed_at, first_at, last_at, n, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insTile: p('INSERT INTO log_tiles (idx, hash) VALUES (?, ?)'),
      stateSeq: p('SELECT last_seq FROM device_state WHERE id = ?'),
      upsertState: p(`INSERT INTO device_state (id, last_seq, last_seen, gaps) VALUES (?, ?, ?, 0)
        ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq, last_seen = excluded.last_seen
        WHERE excluded.last_seq > device_state.last_seq`),
      insGap: p('INSERT INTO seq_gaps (device, after_seq, before_seq, detected_at) VALUES (?, ?, ?, ?)'),
      bumpGaps: p('UPDATE device_state SET gaps = gaps + 1 WHERE id = ?'),
      size: p('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM log_leaves'),
      leaf: p('SELECT idx, hash, data FROM log_leaves WHERE idx = ?'),
      leafHashes: p('SELECT idx, hash FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx'),
      leaves: p('SELECT idx, hash, data FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx'),
      tiles: p('SELECT idx, hash FROM log_tiles ORDER BY idx'),
      saveHead: p('INSERT OR IGNORE INTO log_heads (size, root, ts, signature, signer) VALUES (?, ?, ?, ?, ?)'),
      latestHead: p('SELECT * FROM log_heads ORDER BY size DESC LIMIT 1'),
      head: p('SELECT * FROM log_heads WHERE size = ?'),
      heads: p('SELECT * FROM log_heads ORDER BY size DESC LIMIT ?'),
      enqueue: p(`INSERT OR IGNORE INTO anchor_outbox (size, root, ts, status, attempts, enqueued_at)
        VALUES (?, ?, ?, 'pending', 0, ?)`),
      anchorsAll: p('SELECT * FROM anchor_outbox ORDER BY size'),
      anchorsBy: p('SELECT * FROM anchor_outbox WHERE status = ? ORDER BY size'),
      latestConfirmed: p(`SELECT * FROM anchor_outbox WHERE status = 'confirmed' ORDER BY size DESC LIMIT 1`),
      upsertDevice: p(`INSERT INTO devices (id, key_type, public_key, owner_org, metadata_hash, registered_at, revoked_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET key_type = excluded.key_type,
        public_key = excluded.public_key, owner_org = excluded.owner_org, metadata_hash = excluded.metadata_hash,
        registered_at = excluded.registered_at, revoked_at = excluded.revoked_at`),
      device: p('SELECT * FROM devices WHERE id = ?'),
      devices: p('SELECT * FROM devices ORDER BY id'),
      states: p('SELECT * FROM device_state ORDER BY id'),
      gapsAll: p('SELECT * FROM seq_gaps ORDER BY device, after_seq'),
      gapsBy: p('SELECT * FROM seq_gaps WHERE device = ? ORDER BY after_seq'),
      telemetry: p(`SELECT * FROM telemetry WHERE device = ? AND last_at >= ? AND first_at <= ?
        ORDER BY first_at, idx LIMIT ?`),
      telemetryAt: p('SELECT * FROM telemetry WHERE idx = ?'),
      getSetting: p('SELECT value FROM settings WHERE key = ?'),
      setSetting: p('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
    this.cachedSize = num((this.stmts.size!.get() as Row).n);
  }

  private storedLastSeq(deviceId: string): number {
    let seq = this.lastSeqs.get(deviceId);
    if (seq === undefined) {
      const r = this.s('stateSeq').get(deviceId) as Row | undefined;
      seq = r ? num(r.last_seq) : 0;
      this.lastSeqs.set(deviceId, seq);
    }
    return seq;
  }

  private s(name: string): StatementSync {
    return this.stmts[name]!;
  }

  async append(batch: AppendBatch): Promise<{ firstIndex: number }> {
    const firstIndex = this.cachedSize;
    // The seq rule first, so a refused batch writes nothing.
    const seqs = new Map<string, { seq: number; seenAt: number }>();
    for (const { telemetry: t } of batch.leaves) {
      if (!t) continue;
      const last = seqs.get(t.deviceId)?.seq ?? this.storedLastSeq(t.deviceId);
      if (!(t.seq > last)) {
        throw new StoreError('conflict', `append failed: telemetry seq ${t.seq} of ${t.deviceId} does not exceed ${last}`);
      }
      seqs.set(t.deviceId, { seq: t.seq, seenAt: t.receivedAt });
    }
    this.db.exec('BEGIN IMMEDIATE');
    let idx = firstIndex;
    try {
      const insLeaf = this.s('insLeaf');
      const insTel = this.s('insTelemetry');
      for (const leaf of batch.leaves) {
        insLeaf.run(idx, leaf.hash, leaf.data);
        const t = leaf.telemetry;
        if (t) insTel.run(idx, t.deviceId, t.seq, t.signedAt, t.firstAt, t.lastAt, t.readings, t.receivedAt);
        idx++;
      }
      for (const tile of batch.tiles) this.s('insTile').run(tile.index, tile.hash);
      for (const [id, { seq, seenAt }] of batch.deviceSeqs) this.s('upsertState').run(id, seq, seenAt);
      // device_state holds every device's last seq (the rule above reads it after a restart), even one the caller left out.
      for (const [id, { seq, seenAt }] of seqs) if (!batch.deviceSeqs.has(id)) this.s('upsertState').run(id, seq, seenAt);
      for (const g of batch.gaps) {
        this.s('insGap').run(g.deviceId, g.afterSeq, g.beforeSeq, g.detectedAt);
        this.s('bumpGaps').run(g.deviceId);
      }
      this.db.exec('COMMIT');
      this.cachedSize = idx;
    } catch (err) {
      this.db.exec('ROLLBACK');
      const msg = err instanceof Error ? err.message : String(err);
      throw new StoreError(/UNIQUE|constraint/i.test(msg) ? 'conflict' : 'io', `append failed: ${msg}`);
    }
    for (const [id, { seq }] of seqs) this.lastSeqs.set(id, seq);
    return { firstIndex };
  }

  async size(): Promise<number> {
    return this.cachedSize;
  }

  async leaf(index: number): Promise<StoredLeaf | null> {
    const r = this.s('leaf').get(index) as Row | undefined;
    return r
      ? {
          index: num(r.idx),
          hash: bytes(r.hash, `log_leaves.hash of leaf ${index}`),
          data: bytes(r.data, `log_leaves.data of leaf ${index}`),
        }
      : null;
  }

  async leafHashes(start: number, end: number): Promise<Uint8Array[]> {
    const rows = this.s('leafHashes').all(start, end) as Row[];
    if (rows.length !== end - start) {
      throw new StoreError('corrupt', `log leaves [${start}, ${end}) are incomplete: found ${rows.length}`);
    }
    return rows.map((r) => bytes(r.hash));
  }

  async leaves(start: number, end: number): Promise<StoredLeaf[]> {
    return (this.s('leaves').all(start, end) as Row[]).map((r) => ({
      index: num(r.idx),
      hash: bytes(r.hash, `log_leaves.hash of leaf ${num(r.idx)}`),
      data: bytes(r.data, `log_leaves.data of leaf ${num(r.idx)}`),
    }));
  }

  async tiles(): Promise<TileHash[]> {
    return (this.s('tiles').all() as Row[]).map((r) => ({
      index: num(r.idx),
      hash: bytes(r.hash, `log_tiles.hash of tile ${num(r.idx)}`),
    }));
  }

  async saveHead(h: SignedTreeHead): Promise<void> {
    this.s('saveHead').run(h.size, h.root, h.timestamp, h.signature, h.signer);
  }

  async latestHead(): Promise<SignedTreeHead | null> {
    const r = this.s('latestHead').get() as Row | undefined;
    return r ? headFromRow(r) : null;
  }

  async head(size: number): Promise<SignedTreeHead | null> {
    const r = this.s('head').get(size) as Row | undefined;
    return r ? headFromRow(r) : null;
  }

  async heads(limit = 1000): Promise<SignedTreeHead[]> {
    return (this.s('heads').all(limit) as Row[]).map(headFromRow);
  }

  async enqueueAnchor(a: { size: number; root: Uint8Array; timestamp: number }): Promise<void> {
    this.s('enqueue').run(a.size, a.root, a.timestamp, Date.now());
  }

  async anchors(status?: AnchorStatus): Promise<AnchorRecord[]> {
    const rows = (status ? this.s('anchorsBy').all(status) : this.s('anchorsAll').all()) as Row[];
    return rows.map(anchorFromRow);
  }

  async updateAnchor(size: number, patch: Partial<Omit<AnchorRecord, 'size' | 'root' | 'timestamp'>>): Promise<void> {
    const cols: Record<string, string> = {
      status: 'status',
      txHash: 'tx_hash',
      blockNumber: 'block',
      attempts: 'attempts',
      lastError: 'last_error',
      enqueuedAt: 'enqueued_at',
      confirmedAt: 'confirmed_at',
    };
    const sets: string[] = [];
    const vals: (string | number | null)[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const col = cols[k];
      if (!col) throw new StoreError('corrupt', `unknown anchor field ${k}`);
      sets.push(`${col} = ?`);
      vals.push(v as string | number | null);
    }
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE anchor_outbox SET ${sets.join(', ')} WHERE size = ?`).run(...vals, size);
  }

  async latestConfirmedAnchor(): Promise<AnchorRecord | null> {
    const r = this.s('latestConfirmed').get() as Row | undefined;
    return r ? anchorFromRow(r) : null;
  }

  async upsertDevice(d: DeviceRecord): Promise<void> {
    this.s('upsertDevice').run(d.deviceId, d.keyType, d.publicKey, d.ownerOrg, d.metadataHash, d.registeredAt, d.revokedAt);
  }

  async device(deviceId: string): Promise<DeviceRecord | null> {
    const r = this.s('device').get(deviceId) as Row | undefined;
    return r ? deviceFromRow(r) : null;
  }

  async devices(): Promise<DeviceRecord[]> {
    return (this.s('devices').all() as Row[]).map(deviceFromRow);
  }

  async deviceStates(): Promise<DeviceState[]> {
    return (this.s('states').all() as Row[]).map((r) => ({
      deviceId: String(r.id),
      lastSeq: num(r.last_seq),
      lastSeenAt: numOrNull(r.last_seen),
      gaps: num(r.gaps),
    }));
  }

  async gaps(deviceId?: string): Promise<SequenceGap[]> {
    const rows = (deviceId ? this.s('gapsBy').all(deviceId) : this.s('gapsAll').all()) as Row[];
    return rows.map((r) => ({
      deviceId: String(r.device),
      afterSeq: num(r.after_seq),
      beforeSeq: num(r.before_seq),
      detectedAt: num(r.detected_at),
    }));
  }

  async telemetry(q: { deviceId: string; from?: number; to?: number; limit?: number }): Promise<TelemetryRow[]> {
    const rows = this.s('telemetry').all(q.deviceId, q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit ?? 1_000_000) as Row[];
    return rows.map(telemetryFromRow);
  }

  async telemetryAt(index: number): Promise<TelemetryRow | null> {
    const r = this.s('telemetryAt').get(index) as Row | undefined;
    return r ? telemetryFromRow(r) : null;
  }

  async getSetting(key: string): Promise<string | null> {
    const r = this.s('getSetting').get(key) as Row | undefined;
    return r ? String(r.value) : null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.s('setSetting').run(key, value);
  }

  /**
   * Run `read` on one consistent snapshot of the database: a read transaction on this
   * connection, begun with a first read so SQLite fixes the WAL snapshot now and holds it until
   * the end, while other connections keep committing. The audit reads leaves, heads, tiles,
   * devices and anchors through it, so they all describe the same moment.
   */
  async readSnapshot<T>(read: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN');
    try {
      this.cachedSize = num((this.s('size').get() as Row).n);
      return await read();
    } finally {
      this.db.exec('COMMIT');
      this.cachedSize = num((this.s('size').get() as Row).n);
    }
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  /** Raw access for the audit's tamper tests and maintenance tools only. */
  unsafeDatabase(): DatabaseSync {
    return this.db;
  }
}

function headFromRow(r: Row): SignedTreeHead {
  return {
    size: num(r.size),
    root: bytes(r.root, `log_heads.root at size ${num(r.size)}`),
    timestamp: num(r.ts),
    signature: bytes(r.signature, `log_heads.signature at size ${num(r.size)}`),
    signer: String(r.signer),
  };
}

function anchorFromRow(r: Row): AnchorRecord {
  return {
    size: num(r.size),
    root: bytes(r.root, `anchor_outbox.root at size ${num(r.size)}`),
    timestamp: num(r.ts),
    status: String(r.status) as AnchorStatus,
    txHash: r.tx_hash === null ? null : String(r.tx_hash),
    blockNumber: numOrNull(r.block),
    attempts: num(r.attempts),
    lastError: r.last_error === null ? null : String(r.last_error),
    enqueuedAt: num(r.enqueued_at),
    confirmedAt: numOrNull(r.confirmed_at),
  };
}

function deviceFromRow(r: Row): DeviceRecord {
  return {
    deviceId: String(r.id),
    keyType: num(r.key_type) as 1 | 2,
    publicKey: bytes(r.public_key),
    ownerOrg: num(r.owner_org),
    metadataHash: String(r.metadata_hash),
    registeredAt: num(r.registered_at),
    revokedAt: numOrNull(r.revoked_at),
  };
}

function telemetryFromRow(r: Row): TelemetryRow {
  return {
    index: num(r.idx),
    deviceId: String(r.device),
    seq: num(r.seq),
    signedAt: num(r.signed_at),
    firstAt: num(r.first_at),
    lastAt: num(r.last_at),
    readings: num(r.n),
    receivedAt: num(r.received_at),
  };
}
