// The telemetry index on PostgreSQL: one transaction per indexed batch, each
// table written with one unnest statement; the cursor moves only from `from`.
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

  async indexTelemetry(b: TelemetryIndexBatch): Promise<void> {
    await this.db.transaction(async (tx) => {
      const moved = await tx.query('UPDATE telemetry_cursor SET next_index = $2 WHERE id = 1 AND next_index = $1 RETURNING id', [
        b.from,
        b.to,
      ]);
      if (moved.length !== 1) {
        const at = await tx.query('SELECT next_index FROM telemetry_cursor WHERE id = 1');
        throw new StoreError('conflict', `telemetry index is at ${num(at[0]?.next_index)}, the batch starts at ${b.from}`);
      }
      const r = b.rows;
      if (r.length > 0)
        await tx.query(
          `INSERT INTO telemetry (idx, device, seq, signed_at, first_at, last_at, n, received_at)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::int[], $8::bigint[])`,
          [
            r.map((t) => t.index),
            r.map((t) => t.deviceId),
            r.map((t) => t.seq),
            r.map((t) => t.signedAt),
            r.map((t) => t.firstAt),
            r.map((t) => t.lastAt),
            r.map((t) => t.readings),
            r.map((t) => t.receivedAt),
          ],
        );
      if (b.deviceSeqs.size > 0) {
        const states = [...b.deviceSeqs];
        await tx.query(
          `INSERT INTO device_state (id, last_seq, last_seen, gaps)
           SELECT id, seq, seen, 0 FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS s(id, seq, seen)
           ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, last_seen = excluded.last_seen
           WHERE excluded.last_seq > device_state.last_seq`,
          [states.map(([id]) => id), states.map(([, s]) => s.seq), states.map(([, s]) => s.seenAt)],
        );
      }
      if (b.gaps.length > 0) {
        const g = b.gaps;
        await tx.query(
          `INSERT INTO seq_gaps (device, after_seq, before_seq, detected_at)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])`,
          [g.map((x) => x.deviceId), g.map((x) => x.afterSeq), g.map((x) => x.beforeSeq), g.map((x) => x.detectedAt)],
        );
        const counts = new Map<string, number>();
        for (const x of g) counts.set(x.deviceId, (counts.get(x.deviceId) ?? 0) + 1);
        await tx.query(
          `INSERT INTO device_state (id, last_seq, last_seen, gaps)
           SELECT id, 0, NULL, n FROM unnest($1::text[], $2::int[]) AS c(id, n)
           ON CONFLICT (id) DO UPDATE SET gaps = device_state.gaps + excluded.gaps`,
          [[...counts.keys()], [...counts.values()]],
        );
      }
    });
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
