// Shipments, their excursions, and the policies and payouts that settle them:
// rows only. Which excursion counts and when a policy pays is decided in
// shipments/ and oracle/; the log knows nothing of shipments, shipments only read it.
import type { ShipmentDefinition } from '../shipments/definition.js';

export interface StoredExcursion {
  id: string;
  shipmentId: string;
  /** The excursion as the rules engine reports it (JSON). */
  record: Record<string, unknown>;
  updatedAt: number;
}

export interface PolicyRecord {
  policyId: number;
  shipmentId: string;
  cover: `0x${string}`;
  terms: Record<string, unknown>;
  state: 'offered' | 'bound' | 'paid' | 'expired' | 'cancelled';
  boundTx?: string;
}

export interface PayoutRecord {
  policyId: number;
  excursionId: string;
  amount: string;
  txHash: string;
  paidAt: number;
  signers: string[];
}

export interface ShipmentStore {
  /** Adds a shipment; StoreError `conflict` when its id exists. */
  putShipment(s: ShipmentDefinition, createdAt: number): Promise<void>;
  shipment(id: string): Promise<ShipmentDefinition | null>;
  /** Every shipment, oldest first (ties by id). */
  shipments(): Promise<ShipmentDefinition[]>;
  /** Adds or replaces (by id) an excursion's record. */
  putExcursion(e: StoredExcursion): Promise<void>;
  /** Excursions (of one shipment), by last update then id. */
  excursions(shipmentId?: string): Promise<StoredExcursion[]>;
  /** Adds a policy, or moves a known one (cover, policyId) to p.state; a bound tx once set is kept. */
  putPolicy(p: PolicyRecord): Promise<void>;
  /** Policies (of one shipment), by policy id. */
  policies(shipmentId?: string): Promise<PolicyRecord[]>;
  /** Records a payout; the same tx hash again is ignored (a payout is paid once). */
  putPayout(p: PayoutRecord): Promise<void>;
  /** Payouts (of one policy), oldest first. */
  payouts(policyId?: number): Promise<PayoutRecord[]>;
  close(): Promise<void>;
}

export const SHIPMENTS_AREA = 'shipments';
