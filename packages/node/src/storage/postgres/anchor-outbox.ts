// The anchoring outbox on PostgreSQL.
import { type AnchorOutbox, type AnchorPatch, type AnchorRecord, type AnchorStatus, anchorColumn } from '../anchor-outbox.js';
import type { PgDatabase } from './database.js';
import { buf } from './log.js';
import { bytes, num, numOrNull, type Row, strOrNull } from './rows.js';

export class PgAnchorOutbox implements AnchorOutbox {
  constructor(private readonly db: PgDatabase) {}

  async enqueueAnchor(a: { size: number; root: Uint8Array; timestamp: number }): Promise<void> {
    await this.db.query(
      `INSERT INTO anchor_outbox (size, root, ts, status, attempts, enqueued_at) VALUES ($1, $2, $3, 'pending', 0, $4)
       ON CONFLICT (size) DO NOTHING`,
      [a.size, buf(a.root), a.timestamp, Date.now()],
    );
  }

  async anchors(status?: AnchorStatus): Promise<AnchorRecord[]> {
    const rows = status
      ? await this.db.query('SELECT * FROM anchor_outbox WHERE status = $1 ORDER BY size', [status])
      : await this.db.query('SELECT * FROM anchor_outbox ORDER BY size');
    return rows.map(anchorFromRow);
  }

  async updateAnchor(size: number, patch: AnchorPatch): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const sets = entries.map(([k], i) => `${anchorColumn(k)} = $${i + 1}`);
    await this.db.query(`UPDATE anchor_outbox SET ${sets.join(', ')} WHERE size = $${entries.length + 1}`, [
      ...entries.map(([, v]) => v),
      size,
    ]);
  }

  async latestConfirmedAnchor(): Promise<AnchorRecord | null> {
    const rows = await this.db.query(`SELECT * FROM anchor_outbox WHERE status = 'confirmed' ORDER BY size DESC LIMIT 1`);
    return rows[0] ? anchorFromRow(rows[0]) : null;
  }
}

function anchorFromRow(r: Row): AnchorRecord {
  return {
    size: num(r.size),
    root: bytes(r.root, `anchor_outbox.root at size ${num(r.size)}`),
    timestamp: num(r.ts),
    status: String(r.status) as AnchorStatus,
    txHash: strOrNull(r.tx_hash),
    blockNumber: numOrNull(r.block),
    attempts: num(r.attempts),
    lastError: strOrNull(r.last_error),
    enqueuedAt: num(r.enqueued_at),
    confirmedAt: numOrNull(r.confirmed_at),
  };
}
