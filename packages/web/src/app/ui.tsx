// Small shared pieces: cards, badges, loading and error notes, hashes.
import type { ReactNode } from 'react';
import { shortHex } from '../lib/format.js';

export function Card({
  title,
  actions,
  children,
  testId,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className="card" data-testid={testId}>
      {title !== undefined && (
        <h2>
          <span>{title}</span>
          {actions}
        </h2>
      )}
      {children}
    </section>
  );
}

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'plain';

export function Badge({ tone = 'plain', children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

export function Loading({ what }: { what: string }) {
  return <p className="muted small">Loading {what}…</p>;
}

export function ErrorNote({ error }: { error: Error | string }) {
  return <p className="note bad">{typeof error === 'string' ? error : error.message}</p>;
}

/** A hash shortened for reading, whole in the title and on copy. */
export function Hash({ value, keep = 6, full = false }: { value: string | null | undefined; keep?: number; full?: boolean }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <span className={full ? 'hash' : 'hash short'} title={value} data-value={value}>
      {full ? value : shortHex(value, keep)}
    </span>
  );
}

export function statusTone(status: string): Tone {
  if (status === 'arrived' || status === 'paid' || status === 'active' || status === 'confirmed') return 'ok';
  if (status === 'revoked' || status === 'breach' || status === 'cancelled') return 'bad';
  if (status === 'in_transit' || status === 'bound' || status === 'pending' || status === 'sent') return 'info';
  return 'plain';
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={statusTone(status)}>{status.replaceAll('_', ' ')}</Badge>;
}

/**
 * A shipment's status read with its conditions: "arrived" is good news only when nothing was
 * breached, so a shipment with breaches never shows green ("arrived · 3 breached", in red).
 */
export function ShipmentStatusBadge({ status, breached }: { status: string; breached: number }) {
  const tone: Tone = breached > 0 ? 'bad' : statusTone(status);
  const text = status.replaceAll('_', ' ');
  return (
    <span className={`badge ${tone}`} data-testid="shipment-status" data-status={status} data-tone={tone}>
      {breached > 0 ? `${text} · ${breached} breached` : text}
    </span>
  );
}
