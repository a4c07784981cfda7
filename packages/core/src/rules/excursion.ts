// What the engine reports. Plain JSON data: an oracle signs from it, a
// dashboard shows it, and two oracles compare it field by field.
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { LatLon } from '../telemetry/payload.js';
import type { BandSensor, LightSensor } from './definition.js';

export type Hex = `0x${string}`;

/** Where the proof is: the log leaves spanned, and the readings that matter. */
export interface ExcursionEvidence {
  /** Smallest and largest leaf index among the excursion's readings (first outside … closing reading). */
  firstLeafIndex: number;
  lastLeafIndex: number;
  /** first: first reading outside; peak: the worst; last: the closing reading back inside, or the last outside while open. */
  readingIds: { first: string; peak: string; last: string };
}

export interface GapEvidence {
  /** Leaf range of the readings on either side of the silence (null: no reading on either side). */
  firstLeafIndex: number | null;
  lastLeafIndex: number | null;
  /** Reading before the silence (null: silent since window.from) and after it (null: still silent). */
  readingIds: { first: string | null; last: string | null };
}

interface ExcursionBase {
  /** Deterministic: see excursionId. */
  id: Hex;
  shipmentId: string;
  ruleId: string;
  deviceId: string;
  /** ms since epoch. */
  startedAt: number;
  /** ms since epoch; null while open. */
  endedAt: number | null;
  /** Latest time the excursion is known to have lasted to (endedAt, or the last reading while open). */
  lastObservedAt: number;
  /** Still going: no reading back inside (yet). */
  open: boolean;
  /** Time outside counted for this excursion alone, minutes (may be fractional). */
  durationMinutes: number;
  /** What the tolerance is compared with: the duration, or for cumulative band rules the running total. */
  minutesOutside: number;
  breached: boolean;
}

export interface BandExcursion extends ExcursionBase {
  kind: 'band';
  sensor: BandSensor;
  /** The reading furthest outside the band, as measured (e.g. 14.2 °C). */
  peak: number;
  direction: 'above' | 'below';
  /** Running total of shelf life lost on this device through this excursion; null without a stability budget. */
  shelfDaysLost: number | null;
  evidence: ExcursionEvidence;
}

export interface ThresholdExcursion extends ExcursionBase {
  kind: 'threshold';
  sensor: 'shock';
  peak: number;
  evidence: ExcursionEvidence;
}

export interface LightExcursion extends ExcursionBase {
  kind: 'light';
  sensor: LightSensor;
  /** Highest lux (1 for a door). */
  peak: number;
  /** Position in force at the first reading; null: no fix yet (counts as outside every zone). */
  position: LatLon | null;
  evidence: ExcursionEvidence;
}

export interface GapExcursion extends ExcursionBase {
  kind: 'gap';
  evidence: GapEvidence;
}

export type Excursion = BandExcursion | ThresholdExcursion | LightExcursion | GapExcursion;

/**
 * keccak256 of the UTF-8 JSON array
 * `["tradetwin.excursion.v1", shipmentId, ruleId, deviceId, startRef]`, where
 * startRef is the id of the first reading (for a gap: the reading before the
 * silence, or null when silent since the window opened). It only depends on
 * where the excursion starts, so it stays the same while an open excursion
 * grows, and every oracle replaying the same log derives the same id.
 */
export function excursionId(shipmentId: string, ruleId: string, deviceId: string, startRef: string | null): Hex {
  const text = JSON.stringify(['tradetwin.excursion.v1', shipmentId, ruleId, deviceId, startRef]);
  return `0x${bytesToHex(keccak_256(utf8ToBytes(text)))}`;
}
