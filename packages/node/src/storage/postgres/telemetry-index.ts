// The telemetry index on PostgreSQL: one statement per indexed batch (unnest
// arrays in data-modifying CTEs); the cursor moves only from `from`.
import { StoreError } from '../errors.js';
import type { DeviceState, SequenceGap, TelemetryIndex, TelemetryIndexBatch, TelemetryRow } from '../telemetry-index.js';
import type { PgDatabase } from './database.js';
import { num, numOrNull, type Row } from './rows.js';

export class PgTelemetryIndex implements TelemetryIndex {
  constructor(private readonly db: PgDatabase) {}

  async telemetryCursor(): Promise<number> {
    const rows = await this.db.query('SELECT next_index FROM telemetry_cursor WHERE id = 1');
    return rows[0] ? num(rows[0].next_index) : 0;
  }

  /**
   * One statement (so one round trip, atomic): the cursor moves from `from` to `to`, and only if it
   * did are the rows, device states (last seq, last seen, gap count) and gaps written.
   */
  async indexTelemetry(b: TelemetryIndexBatch): Promise<void> {
    const r = b.rows;
    const g = b.gaps;
    // Per device: the batch's highest seq (if any) and its number of new gaps, in one upsert.
    const devices = new Map<string, { seq: number; seenAt: number | null; gaps: number }>();
    for (const [id, { seq, seenAt }] of b.deviceSeqs) devices.set(id, { seq, seenAt, gaps: 0 });
    for (const x of g) {
      const d = devices.get(x.deviceId) ?? { seq: 0, seenAt: null, gaps: 0 };
      d.gaps++;
      devices.set(x.deviceId, d);
    }
    const ds = [...devices];
    const moved = await this.db.query<{ n: number }>(
      `WITH cursor_moved AS (
         UPDATE telemetry_cursor SET next_index = $2 WHERE id = 1 AND next_index = $1 RETURNING id
       ), row_ins AS (
         INSERT INTO telemetry (idx, device, seq, signed_at, first_at, last_at, n, received_at)
         SELECT * FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::int[], $10::bigint[])
         WHERE EXISTS (SELECT 1 FROM cursor_moved)
       ), state_upsert AS (
         INSERT INTO device_state (id, last_seq, last_seen, gaps)
         SELECT * FROM unnest($11::text[], $12::bigint[], $13::bigint[], $14::int[]) WHERE EXISTS (SELECT 1 FROM cursor_moved)
         ON CONFLICT (id) DO UPDATE SET
           last_seq = GREATEST(device_state.last_seq, excluded.last_seq),
           last_seen = CASE WHEN excluded.last_seq > device_state.last_seq THEN excluded.last_seen ELSE device_state.last_seen END,
           gaps = device_state.gaps + excluded.gaps
       ), gap_ins AS (
         INSERT INTO seq_gaps (device, after_seq, before_seq, detected_at)
         SELECT * FROM unnest($15::text[], $16::bigint[], $17::bigint[], $18::bigint[]) WHERE EXISTS (SELECT 1 FROM cursor_moved)
       )
       SELECT count(*)::int AS n FROM cursor_moved`,
      [
        b.from,
        b.to,
        r.map((t) => t.index),
        r.map((t) => t.deviceId),
        r.map((t) => t.seq),
        r.map((t) => t.signedAt),
        r.map((t) => t.firstAt),
        r.map((t) => t.lastAt),
        r.map((t) => t.readings),
        r.map((t) => t.receivedAt),
        ds.map(([id]) => id),
        ds.map(([, d]) => d.seq),
        ds.map(([, d]) => d.seenAt),
        ds.map(([, d]) => d.gaps),
        g.map((x) => x.deviceId),
        g.map((x) => x.afterSeq),
        g.map((x) => x.beforeSeq),
        g.map((x) => x.detectedAt),
      ],
    );
    if (moved[0]?.n !== 1) {
      throw new StoreError('conflict', `telemetry index is at ${await this.telemetryCursor()}, the batch starts at ${b.from}`);
    }
  }

  async deviceStates(): Promise<DeviceState[]> {
    return (await this.db.query('SELECT * FROM device_state ORDER BY id')).map((r) => ({
      deviceId: String(r.id),
      lastSeq: num(r.last_seq),
      lastSeenAt: numOrNull(r.last_seen),
      gaps: num(r.gaps),
    }));
  }

  async gaps(deviceId?: string): Promise<SequenceGap[]> {
    const rows = deviceId
      ? await this.db.query('SELECT * FROM seq_gaps WHERE device = $1 ORDER BY after_seq', [deviceId])
      : await this.db.query('SELECT * FROM seq_gaps ORDER BY device, after_seq');
    return rows.map((r) => ({
      deviceId: String(r.device),
      afterSeq: num(r.after_seq),
      beforeSeq: num(r.before_seq),
      detectedAt: num(r.detected_at),
    }));
  }

  async telemetry(q: { deviceId: string; from?: number; to?: number; limit?: number }): Promise<TelemetryRow[]> {
    const rows = await this.db.query(
      `SELECT * FROM telemetry WHERE device = $1 AND last_at >= $2 AND first_at <= $3 ORDER BY first_at, idx LIMIT $4`,
      [q.deviceId, q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit ?? 1_000_000],
    );
    return rows.map(telemetryFromRow);
  }

  async telemetryAt(index: number): Promise<TelemetryRow | null> {
    const rows = await this.db.query('SELECT * FROM telemetry WHERE idx = $1', [index]);
    return rows[0] ? telemetryFromRow(rows[0]) : null;
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
