// The telemetry index on SQLite: rows, device state, gaps and the follower's
// cursor, one IMMEDIATE transaction per indexed batch.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreError } from '../errors.js';
import type { DeviceState, SequenceGap, TelemetryIndex, TelemetryIndexBatch, TelemetryRow } from '../telemetry-index.js';
import { num, numOrNull, type Row } from './rows.js';

export class SqliteTelemetryIndex implements TelemetryIndex {
  private readonly s: Record<
    'cursor' | 'setCursor' | 'insRow' | 'upsertState' | 'insGap' | 'bumpGaps' | 'states' | 'gapsAll' | 'gapsBy' | 'query' | 'at',
    StatementSync
  >;

  constructor(private readonly db: DatabaseSync) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      cursor: p('SELECT next_index FROM telemetry_cursor WHERE id = 1'),
      setCursor: p(
        'INSERT INTO telemetry_cursor (id, next_index) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET next_index = excluded.next_index',
      ),
      insRow: p(
        'INSERT INTO telemetry (idx, device, seq, signed_at, first_at, last_at, n, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      upsertState: p(`INSERT INTO device_state (id, last_seq, last_seen, gaps) VALUES (?, ?, ?, 0)
        ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq, last_seen = excluded.last_seen
        WHERE excluded.last_seq > device_state.last_seq`),
      insGap: p('INSERT INTO seq_gaps (device, after_seq, before_seq, detected_at) VALUES (?, ?, ?, ?)'),
      bumpGaps: p(`INSERT INTO device_state (id, last_seq, last_seen, gaps) VALUES (?, 0, NULL, 1)
        ON CONFLICT(id) DO UPDATE SET gaps = gaps + 1`),
      states: p('SELECT * FROM device_state ORDER BY id'),
      gapsAll: p('SELECT * FROM seq_gaps ORDER BY device, after_seq'),
      gapsBy: p('SELECT * FROM seq_gaps WHERE device = ? ORDER BY after_seq'),
      query: p(`SELECT * FROM telemetry WHERE device = ? AND last_at >= ? AND first_at <= ?
        ORDER BY first_at, idx LIMIT ?`),
      at: p('SELECT * FROM telemetry WHERE idx = ?'),
    };
  }

  private storedCursor(): number {
    const r = this.s.cursor.get() as Row | undefined;
    return r ? num(r.next_index) : 0;
  }

  async telemetryCursor(): Promise<number> {
    return this.storedCursor();
  }

  async indexTelemetry(b: TelemetryIndexBatch): Promise<void> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const cursor = this.storedCursor();
      if (cursor !== b.from) throw new StoreError('conflict', `telemetry index is at ${cursor}, the batch starts at ${b.from}`);
      for (const t of b.rows)
        this.s.insRow.run(t.index, t.deviceId, t.seq, t.signedAt, t.firstAt, t.lastAt, t.readings, t.receivedAt);
      for (const [id, { seq, seenAt }] of b.deviceSeqs) this.s.upsertState.run(id, seq, seenAt);
      for (const g of b.gaps) {
        this.s.insGap.run(g.deviceId, g.afterSeq, g.beforeSeq, g.detectedAt);
        this.s.bumpGaps.run(g.deviceId);
      }
      this.s.setCursor.run(b.to);
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      if (err instanceof StoreError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new StoreError(/UNIQUE|constraint/i.test(msg) ? 'conflict' : 'io', `telemetry index failed: ${msg}`, { cause: err });
    }
  }

  async deviceStates(): Promise<DeviceState[]> {
    return (this.s.states.all() as Row[]).map((r) => ({
      deviceId: String(r.id),
      lastSeq: num(r.last_seq),
      lastSeenAt: numOrNull(r.last_seen),
      gaps: num(r.gaps),
    }));
  }

  async gaps(deviceId?: string): Promise<SequenceGap[]> {
    const rows = (deviceId ? this.s.gapsBy.all(deviceId) : this.s.gapsAll.all()) as Row[];
    return rows.map((r) => ({
      deviceId: String(r.device),
      afterSeq: num(r.after_seq),
      beforeSeq: num(r.before_seq),
      detectedAt: num(r.detected_at),
    }));
  }

  async telemetry(q: { deviceId: string; from?: number; to?: number; limit?: number }): Promise<TelemetryRow[]> {
    const rows = this.s.query.all(q.deviceId, q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit ?? 1_000_000) as Row[];
    return rows.map(telemetryFromRow);
  }

  async telemetryAt(index: number): Promise<TelemetryRow | null> {
    const r = this.s.at.get(index) as Row | undefined;
    return r ? telemetryFromRow(r) : null;
  }
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
