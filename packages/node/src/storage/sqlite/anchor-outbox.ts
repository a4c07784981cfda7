// The anchoring outbox on SQLite.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { type AnchorOutbox, type AnchorPatch, type AnchorRecord, type AnchorStatus, anchorColumn } from '../anchor-outbox.js';
import { bytes, num, numOrNull, type Row, strOrNull } from './rows.js';

export class SqliteAnchorOutbox implements AnchorOutbox {
  private readonly enqueue: StatementSync;
  private readonly all: StatementSync;
  private readonly byStatus: StatementSync;
  private readonly latestConfirmed: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.enqueue = db.prepare(`INSERT OR IGNORE INTO anchor_outbox (size, root, ts, status, attempts, enqueued_at)
      VALUES (?, ?, ?, 'pending', 0, ?)`);
    this.all = db.prepare('SELECT * FROM anchor_outbox ORDER BY size');
    this.byStatus = db.prepare('SELECT * FROM anchor_outbox WHERE status = ? ORDER BY size');
    this.latestConfirmed = db.prepare(`SELECT * FROM anchor_outbox WHERE status = 'confirmed' ORDER BY size DESC LIMIT 1`);
  }

  async enqueueAnchor(a: { size: number; root: Uint8Array; timestamp: number }): Promise<void> {
    this.enqueue.run(a.size, a.root, a.timestamp, Date.now());
  }

  async anchors(status?: AnchorStatus): Promise<AnchorRecord[]> {
    return ((status ? this.byStatus.all(status) : this.all.all()) as Row[]).map(anchorFromRow);
  }

  async updateAnchor(size: number, patch: AnchorPatch): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const sets = entries.map(([k]) => `${anchorColumn(k)} = ?`);
    this.db
      .prepare(`UPDATE anchor_outbox SET ${sets.join(', ')} WHERE size = ?`)
      .run(...entries.map(([, v]) => v as string | number | null), size);
  }

  async latestConfirmedAnchor(): Promise<AnchorRecord | null> {
    const r = this.latestConfirmed.get() as Row | undefined;
    return r ? anchorFromRow(r) : null;
  }
}

export function anchorFromRow(r: Row): AnchorRecord {
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
