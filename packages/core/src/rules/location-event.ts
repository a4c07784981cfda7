// What the location rules report: plain JSON with what a later DCSA / claim
// layer needs — the zone (id, name, UN/LOCODE), start and end times, positions,
// and the signed fixes (reading ids, leaves, times) that prove each event.
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { LatLon } from '../telemetry/payload.js';
import type { Hex } from './excursion.js';

/** One signed GPS fix, as evidence. */
export interface FixRef {
  readingId: string;
  leafIndex: number;
  /** ms since epoch. */
  t: number;
  position: LatLon;
  /** As reported by the device, metres; null when it reported none. */
  accuracyM: number | null;
}

export interface ZoneRef {
  id: string;
  name: string;
  unlocode: string | null;
}

/** A confirmed crossing of a fence. */
export interface Crossing {
  /** Time of the first fix on the new side (the crossing happened between `after` and this). */
  at: number;
  position: LatLon;
  /** The fixes that confirmed it, in order: the first ones of the streak and the one that completed it. */
  fixes: FixRef[];
  /** The last believed fix before the streak (still on the old side or in the dead band); null: none. */
  after: FixRef | null;
}

interface LocationEventBase {
  /** Deterministic: see locationEventId. */
  id: Hex;
  shipmentId: string;
  ruleId: string;
  deviceId: string;
  /** ms since epoch. */
  startedAt: number;
  /** ms since epoch; null while open. */
  endedAt: number | null;
  /** Latest time the event is known to have lasted to. */
  lastObservedAt: number;
  open: boolean;
  /** lastObservedAt − startedAt, minutes. */
  durationMinutes: number;
  evidence: {
    /** Smallest and largest leaf index among the fixes from start to end. */
    firstLeafIndex: number;
    lastLeafIndex: number;
    /** Every fix named in the event, in time order, without repeats. */
    readingIds: string[];
  };
}

/** A stay in a zone: entry (null when already inside at the device's first believed fixes) and exit (null while inside). */
export interface GeofenceEvent extends LocationEventBase {
  kind: 'geofence';
  zone: ZoneRef;
  entry: Crossing | null;
  exit: Crossing | null;
}

/** Farther than the rule's maxDistanceKm from the planned route for at least its minMinutes. */
export interface CorridorEvent extends LocationEventBase {
  kind: 'corridor';
  maxDistanceKm: number;
  /** First fix beyond the corridor, the farthest one (with its distance), the last one, and the first back inside (null while open). */
  first: FixRef;
  peak: FixRef & { distanceM: number };
  last: FixRef;
  end: FixRef | null;
}

/** Slower than the rule's slowerThanKmh for at least its minMinutes, outside every allowed zone. */
export interface StopEvent extends LocationEventBase {
  kind: 'stop';
  /** Where the vehicle stood: the first slow fix. */
  position: LatLon;
  first: FixRef;
  last: FixRef;
  /** First fix moving again; null while still stopped. */
  end: FixRef | null;
}

export type LocationEvent = GeofenceEvent | CorridorEvent | StopEvent;

/**
 * keccak256 of the UTF-8 JSON array
 * `["tradetwin.location.v1", shipmentId, ruleId, deviceId, zoneId, startRef]`
 * (zoneId null except for geofences; startRef the reading id of the event's
 * first fix). Like excursion ids, it depends only on where the event starts,
 * so it is stable while an open event grows and equal across oracles.
 */
export function locationEventId(
  shipmentId: string,
  ruleId: string,
  deviceId: string,
  zoneId: string | null,
  startRef: string,
): Hex {
  const text = JSON.stringify(['tradetwin.location.v1', shipmentId, ruleId, deviceId, zoneId, startRef]);
  return `0x${bytesToHex(keccak_256(utf8ToBytes(text)))}`;
}
