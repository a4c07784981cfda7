// Verifying a scanned tag (scenario S6): is it the brand's, does the item
// exist, is it still in circulation, and is the same tag turning up in places
// it cannot be at once?
//
//   1. signature   the tag's signature recovers to the issuer it states;
//   2. issuer      that account belongs to an active member holding the brand
//                  role (MemberRegistry on chain; SHIPPER by default: TradeTwin
//                  has no BRAND role, and a brand owner is the party that ships its
//                  goods into the network — configurable);
//   3. history     the item's EPC has events in this node's EPCIS repository
//                  (none: nobody recorded this item — a fake);
//   4. lifecycle   as of the scan, its last state-setting event did not end its
//                  life in the supply chain: CBV 2.0 bizStep retail_selling /
//                  disposition retail_sold or dispensed (sold), bizStep
//                  decommissioning / disposition inactive / ObjectEvent DELETE
//                  (decommissioned), bizStep destroying / disposition destroyed or
//                  disposed (destroyed), or input of a TransformationEvent
//                  (consumed). A later event with another disposition, or an
//                  ObjectEvent ADD, brings it back (a return, a re-commissioning).
//                  Events declared erroneous are shown but not used;
//   5. travel      the scan is compared with the earlier located sightings of
//                  validly signed copies of the tag: two places farther apart than
//                  minDistanceKm that would need more than maxSpeedKmh → a clone.
//                  Once a tag has been caught in two places, every later scan says so.
//
// Verdict: a bad signature or an issuer that is not an active brand member →
// unknown (not a tag anyone vouches for); else any clone finding (4 or 5) →
// suspected_clone; else no history → unknown; else genuine. Every completed
// scan is recorded as a sighting, whatever its verdict (a scan the chain could
// not be asked about is answered 503 and not recorded).
import type { Address } from 'viem';
import type { ChainClients } from '../chain/clients.js';
import { ChainError } from '../chain/errors.js';
import { orgOf, ROLES, readMember } from '../chain/members.js';
import type { EpcisRepository } from '../epcis/repository.js';
import type { RoleName } from '../epcis/types.js';
import { checkCoordinates, distanceKm, type LatLon, MAX_SURFACE_DISTANCE_KM } from './geo.js';
import { MAX_ANONYMOUS_SIGHTINGS_PER_ITEM, type Sighting, type SightingStore, type Verdict } from './sightings.js';
import { itemOf, type ParsedTag, parseTag, recoverTagSigner, TagError, type TagItem } from './tag.js';

export interface TagVerifierOptions {
  repo: EpcisRepository;
  sightings: SightingStore;
  clients: ChainClients;
  memberRegistry: Address;
  /** Role bits an issuer's organisation must hold (default ROLES.SHIPPER). */
  brandRole?: number;
  /** Fastest plausible travel between two sightings, km/h (default 1000: an airliner's ground speed). */
  maxSpeedKmh?: number;
  /** Sightings closer than this never conflict (position error, one metro area), km (default 50). */
  minDistanceKm?: number;
  /** GS1 Company Prefix length for spelling EPC URNs (default 7). */
  gcpLength?: number;
  /** How far in the future a scan time may be, ms (default 5 minutes). */
  maxClockSkewMs?: number;
  now?: () => number;
}

export interface Scan {
  /** ms since epoch (default: now). */
  at?: number;
  lat?: number;
  lon?: number;
  /** Who scanned: an app or device id, a shop's GLN (≤ 128 characters). */
  by?: string;
}

/** One event of the item's history (this node's EPCIS repository). */
export interface HistoryEntry {
  eventID: string;
  eventHashId: string;
  /** The event's leaf in the node's transparency log (its inclusion proof: GET /epcis/events/{eventID}/proof). */
  leafIndex: number;
  type: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTime: string;
  readPoint: string | null;
  bizLocation: string | null;
  /** Where the item appears in the event: epc (epcList), parent, child, input, output. */
  roles: RoleName[];
  /** Declared erroneous by a later error declaration: shown, not used. */
  erroneous: boolean;
}

export type ReasonCode =
  | 'signature_valid'
  | 'signature_invalid'
  | 'issuer_member'
  | 'issuer_not_member'
  | 'issuer_suspended'
  | 'issuer_lacks_role'
  | 'history_found'
  | 'no_history'
  | 'in_circulation'
  | 'scanned_after_sale'
  | 'scanned_after_decommissioning'
  | 'scanned_after_destruction'
  | 'scanned_after_consumption'
  | 'item_flagged'
  | 'travel_plausible'
  | 'travel_not_checked'
  | 'impossible_travel'
  | 'clone_seen_before'
  | 'unverified_scanner';

/**
 * A sighting as the public verification names it: who scanned is not disclosed,
 * and the position is rounded to 0.01° (~1 km) — enough to show two places a tag
 * cannot be in at once, not where a buyer stood (the admin sightings list keeps it exact).
 */
export interface PublicSighting {
  id: number;
  at: string;
  lat: number | null;
  lon: number | null;
}

export interface TagReason {
  code: ReasonCode;
  /** pass: the check holds; fail: it decides the verdict; warn: worth knowing, not a verdict. */
  result: 'pass' | 'fail' | 'warn';
  detail: string;
  /** The event behind a lifecycle finding. */
  event?: HistoryEntry;
  /** The two sightings that cannot both be this one item (earlier first). */
  sightings?: [PublicSighting, PublicSighting];
  distanceKm?: number;
  hours?: number;
  speedKmh?: number;
  /** For a bad signature: the account it recovers to (null: none). */
  recovered?: Address | null;
}

export interface IssuerStatus {
  address: Address;
  /** null: no member's account. */
  orgId: number | null;
  name: string | null;
  active: boolean | null;
  roles: number | null;
}

export interface TagVerification {
  verdict: Verdict;
  uri: string;
  item: string;
  epc: string;
  issuer: IssuerStatus;
  /** Every check in order: signature, issuer, history, lifecycle, travel. */
  reasons: TagReason[];
  /** The item's events, oldest first. */
  history: HistoryEntry[];
  /** This scan, as recorded. */
  sighting: PublicSighting;
}

/** The clone-indicating end states (4). */
type End = 'sold' | 'decommissioned' | 'destroyed' | 'consumed';

const END_CODE: Record<End, ReasonCode> = {
  sold: 'scanned_after_sale',
  decommissioned: 'scanned_after_decommissioning',
  destroyed: 'scanned_after_destruction',
  consumed: 'scanned_after_consumption',
};
const END_WORDS: Record<End, string> = {
  sold: 'sold to a customer',
  decommissioned: 'decommissioned',
  destroyed: 'destroyed',
  consumed: 'consumed as the input of a transformation',
};
const END_BY_STEP: Record<string, End> = { retail_selling: 'sold', decommissioning: 'decommissioned', destroying: 'destroyed' };
const END_BY_DISPOSITION: Record<string, End> = {
  retail_sold: 'sold',
  dispensed: 'sold',
  inactive: 'decommissioned',
  destroyed: 'destroyed',
  disposed: 'destroyed',
};
/** Dispositions a buyer should hear about, though the item is what it claims to be. */
const FLAGGED = new Set(['recalled', 'stolen', 'expired', 'damaged', 'non_sellable_other', 'needs_replacement']);
/** Roles in which an event's bizStep and disposition apply to the item. */
const SUBJECT: ReadonlySet<RoleName> = new Set<RoleName>(['epc', 'parent', 'child', 'output']);

const iso = (ms: number) => new Date(ms).toISOString();
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

interface TimedEntry {
  entry: HistoryEntry;
  ms: number;
}

export class TagVerifier {
  readonly brandRole: number;
  readonly maxSpeedKmh: number;
  readonly minDistanceKm: number;
  private readonly now: () => number;
  /** Per item, the last scan being judged: the next one waits for it. */
  private readonly scanning = new Map<string, Promise<void>>();

  constructor(private readonly opts: TagVerifierOptions) {
    this.brandRole = opts.brandRole ?? ROLES.SHIPPER;
    this.maxSpeedKmh = opts.maxSpeedKmh ?? 1000;
    this.minDistanceKm = opts.minDistanceKm ?? 50;
    this.now = opts.now ?? Date.now;
    if (!(this.maxSpeedKmh > 0) || !(this.minDistanceKm >= 0))
      throw new RangeError('maxSpeedKmh must be > 0 and minDistanceKm ≥ 0');
  }

  get sightings(): SightingStore {
    return this.opts.sightings;
  }

  /**
   * Verify a scanned tag and record the scan. Throws TagError (400) for a malformed tag or scan, ChainError when the chain cannot be asked.
   * `trusted`: an authenticated scanner (the HTTP route says so for a `tags:scan` credential or a member's session,
   * and gives no client time): only its sightings count in clone detection. An untrusted (anonymous) scan is
   * answered against the trusted sightings but never changes what later scanners are told; `record: false` answers
   * without keeping it (the route's rate limit for anonymous scans).
   */
  async verifyTag(input: { uri: string; scan?: Scan; trusted?: boolean; record?: boolean }): Promise<TagVerification> {
    const trusted = input.trusted === true;
    const tag = parseTag(input.uri, this.opts);
    const scan = this.checkScan(input.scan ?? {});
    const recovered = await recoverTagSigner(tag);
    const signatureValid = recovered === tag.issuer;
    const issuer = await this.issuerStatus(tag.issuer);

    // The sightings read and the new sighting's write see one state: scans of one item take turns.
    return this.oneScanAtATime(tag.item, () =>
      this.judge(tag, scan, recovered, signatureValid, issuer, trusted, input.record !== false),
    );
  }

  /** Runs fn after every earlier call for the same item has settled (the node's one writer of sightings). */
  private async oneScanAtATime<T>(item: string, fn: () => Promise<T>): Promise<T> {
    const before = this.scanning.get(item) ?? Promise.resolve();
    const run = before.then(fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.scanning.set(item, settled);
    void settled.then(() => {
      if (this.scanning.get(item) === settled) this.scanning.delete(item);
    });
    return run;
  }

  private async judge(
    tag: ParsedTag,
    scan: { at: number; pos: LatLon | null; by: string | null },
    recovered: Address | null,
    signatureValid: boolean,
    issuer: IssuerStatus,
    trusted: boolean,
    record: boolean,
  ): Promise<TagVerification> {
    const reasons: TagReason[] = [];
    reasons.push(
      signatureValid
        ? { code: 'signature_valid', result: 'pass', detail: `signed for ${tag.item} by ${tag.issuer}` }
        : {
            code: 'signature_invalid',
            result: 'fail',
            detail:
              recovered === null
                ? `the signature does not recover to any key: the tag was altered or forged`
                : `the signature over ${tag.item} recovers to ${recovered}, not to the stated issuer ${tag.issuer}: the URI was altered (e.g. its serial) or the tag forged`,
            recovered,
          },
    );
    reasons.push(this.issuerReason(issuer));

    const timed = await this.history(tag.epc);
    const history = timed.map((t) => t.entry);
    const live = timed.filter((t) => !t.entry.erroneous);
    reasons.push(
      live.length > 0
        ? {
            code: 'history_found',
            result: 'pass',
            detail: `${live.length} event${live.length === 1 ? '' : 's'} name ${tag.epc}, from ${live[0]!.entry.eventTime}`,
          }
        : {
            code: 'no_history',
            result: 'fail',
            detail: `no event in this node's EPCIS repository names ${tag.epc}: the item was never recorded in the supply chain (a fake)`,
          },
    );
    if (live.length > 0) reasons.push(...this.lifecycle(live, scan.at));

    let conflictWith: number | null = null;
    if (!scan.pos) {
      reasons.push({
        code: 'travel_not_checked',
        result: 'warn',
        detail: 'the scan has no location: travel between sightings was not checked',
      });
    } else if (signatureValid) {
      const travel = await this.travel(tag.item, scan.at, scan.pos);
      reasons.push(travel.reason);
      conflictWith = travel.conflictWith;
    }
    const seen = signatureValid ? await this.opts.sightings.firstConflict(tag.item) : null;
    if (seen) {
      const [a, b] = seen;
      reasons.push({
        code: 'clone_seen_before',
        result: 'fail',
        detail: `this tag was already seen in two places it could not be in at once (sightings ${a.id} and ${b.id}): copies of it are in circulation`,
        sightings: [publicSighting(a), publicSighting(b)],
      });
    }

    if (!trusted) {
      reasons.push({
        code: 'unverified_scanner',
        result: 'warn',
        detail:
          'an anonymous scan: answered, but it does not count in clone detection (only authenticated scanners’ sightings do)',
      });
    }
    const verdict = verdictOf(reasons);
    const sighting = {
      item: tag.item,
      epc: tag.epc,
      at: scan.at,
      lat: scan.pos?.lat ?? null,
      lon: scan.pos?.lon ?? null,
      by: scan.by,
      issuer: tag.issuer,
      signatureValid,
      verdict,
      reasons: reasons.filter((r) => r.result !== 'pass').map((r) => r.code),
      conflictWith: trusted ? conflictWith : null,
      recordedAt: this.now(),
      trusted,
    };
    const recorded = record
      ? await this.opts.sightings.record(sighting, { keepUntrusted: MAX_ANONYMOUS_SIGHTINGS_PER_ITEM })
      : { ...sighting, id: 0 };
    // The impossible-travel pair names this very scan: fill in its id.
    for (const r of reasons) if (r.code === 'impossible_travel' && r.sightings) r.sightings[1].id = recorded.id;
    return { verdict, uri: tag.uri, item: tag.item, epc: tag.epc, issuer, reasons, history, sighting: publicSighting(recorded) };
  }

  /** Who an account is on chain. */
  async issuerStatus(address: Address): Promise<IssuerStatus> {
    try {
      const orgId = await orgOf(this.opts.clients, this.opts.memberRegistry, address);
      if (orgId === 0) return { address, orgId: null, name: null, active: null, roles: null };
      const m = await readMember(this.opts.clients, this.opts.memberRegistry, orgId);
      return { address, orgId, name: m?.name ?? null, active: m?.active ?? null, roles: m?.roles ?? null };
    } catch (err) {
      // Still a ChainError (the edge answers 503 chain_unavailable), saying what could not be checked.
      if (err instanceof ChainError && err.code !== 'reverted') {
        throw new ChainError(err.code, `cannot check the issuer's membership on chain: ${err.message.split('\n')[0]}`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /** Whether an account may issue tags (an active member holding the brand role). */
  async isBrand(address: Address): Promise<{ ok: boolean; status: IssuerStatus; reason: TagReason }> {
    const status = await this.issuerStatus(address);
    const reason = this.issuerReason(status);
    return { ok: reason.result === 'pass', status, reason };
  }

  /** The recorded sightings of the item a tag, Digital Link or EPC URN names (latest first). */
  async sightingsOf(uriOrEpc: string, limit = 1000): Promise<TagItem & { sightings: Sighting[] }> {
    const text = uriOrEpc.trim();
    const it = itemOf(/^https?:/i.test(text) ? text.replace(/[?#].*$/s, '') : text, this.opts);
    return { ...it, sightings: await this.opts.sightings.ofItem(it.item, limit) };
  }

  private checkScan(scan: Scan): { at: number; pos: LatLon | null; by: string | null } {
    const now = this.now();
    const at = scan.at ?? now;
    if (!Number.isSafeInteger(at) || at < 0)
      throw new TagError('bad_time', `the scan time must be ms since the epoch, got ${String(scan.at)}`);
    const skew = this.opts.maxClockSkewMs ?? 5 * 60_000;
    if (at > now + skew) throw new TagError('bad_time', `the scan time ${iso(at)} is in the future (node time ${iso(now)})`);
    let pos: LatLon | null;
    try {
      pos = checkCoordinates(scan.lat, scan.lon);
    } catch (err) {
      throw new TagError('bad_coordinates', (err as Error).message);
    }
    const by = scan.by ?? null;
    if (by !== null && (typeof by !== 'string' || by.length > 128 || /\p{Cc}/u.test(by))) {
      throw new TagError('bad_scanner', 'by (who scanned) must be at most 128 printable characters');
    }
    return { at, pos, by: by === '' ? null : by };
  }

  private issuerReason(s: IssuerStatus): TagReason {
    const role = roleNames(this.brandRole);
    if (s.orgId === null) {
      return {
        code: 'issuer_not_member',
        result: 'fail',
        detail: `the issuer ${s.address} is not an account of any member of this network`,
      };
    }
    const who = `${s.name ?? 'org'} (org ${s.orgId})`;
    if (!s.active)
      return {
        code: 'issuer_suspended',
        result: 'fail',
        detail: `the issuer ${s.address} belongs to ${who}, which is suspended`,
      };
    if (((s.roles ?? 0) & this.brandRole) !== this.brandRole) {
      return {
        code: 'issuer_lacks_role',
        result: 'fail',
        detail: `the issuer ${s.address} belongs to ${who}, which does not hold the ${role} role brands issue tags with`,
      };
    }
    return { code: 'issuer_member', result: 'pass', detail: `issued by ${who}, an active member with the ${role} role` };
  }

  private async history(epc: string): Promise<TimedEntry[]> {
    const byLeaf = new Map<number, TimedEntry>();
    for (const h of await this.opts.repo.hops(epc)) {
      if (h.isDeclaration) continue;
      const seen = byLeaf.get(h.leafIndex);
      if (seen) {
        if (!seen.entry.roles.includes(h.role)) seen.entry.roles.push(h.role);
        continue;
      }
      byLeaf.set(h.leafIndex, {
        ms: h.eventTime,
        entry: {
          eventID: h.eventId,
          eventHashId: h.hashId,
          leafIndex: h.leafIndex,
          type: h.type,
          action: h.action,
          bizStep: h.bizStep,
          disposition: h.disposition,
          eventTime: iso(h.eventTime),
          readPoint: h.readPoint,
          bizLocation: h.bizLocation,
          roles: [h.role],
          erroneous: h.declaredBy !== null,
        },
      });
    }
    return [...byLeaf.values()].sort((a, b) => a.ms - b.ms || a.entry.leafIndex - b.entry.leafIndex);
  }

  /** Lifecycle findings as of the scan time (4). */
  private lifecycle(live: TimedEntry[], at: number): TagReason[] {
    let ended: { end: End; entry: HistoryEntry } | null = null;
    let last: HistoryEntry | null = null;
    let disposition: HistoryEntry | null = null;
    for (const { entry: e, ms } of live) {
      if (ms > at) break;
      last = e;
      const subject = e.roles.some((r) => SUBJECT.has(r));
      if (!subject) {
        if (e.roles.includes('input') && e.type === 'TransformationEvent') ended = { end: 'consumed', entry: e };
        continue;
      }
      if (e.disposition) disposition = e;
      const end =
        (e.disposition ? END_BY_DISPOSITION[e.disposition] : undefined) ??
        (e.bizStep ? END_BY_STEP[e.bizStep] : undefined) ??
        (e.type === 'ObjectEvent' && e.action === 'DELETE' ? 'decommissioned' : undefined);
      if (end) ended = { end, entry: e };
      else if (e.disposition || (e.type === 'ObjectEvent' && e.action === 'ADD')) ended = null;
    }
    const out: TagReason[] = [];
    if (ended) {
      const e = ended.entry;
      out.push({
        code: END_CODE[ended.end],
        result: 'fail',
        detail: `the item was ${END_WORDS[ended.end]} on ${e.eventTime}${place(e)} (${describeEvent(e)}, event ${e.eventID}); a tag scanned after that is a copy`,
        event: e,
      });
    } else if (last) {
      out.push({
        code: 'in_circulation',
        result: 'pass',
        detail: `last recorded: ${describeEvent(last)} on ${last.eventTime}${place(last)}`,
        event: last,
      });
    } else {
      out.push({ code: 'in_circulation', result: 'pass', detail: `no event before the scan time ${iso(at)}` });
    }
    if (disposition?.disposition && FLAGGED.has(disposition.disposition) && !ended) {
      out.push({
        code: 'item_flagged',
        result: 'warn',
        detail: `the item's disposition is ${disposition.disposition} since ${disposition.eventTime} (event ${disposition.eventID})`,
        event: disposition,
      });
    }
    return out;
  }

  /** Impossible travel against the earlier located sightings (5). */
  private async travel(item: string, at: number, pos: LatLon): Promise<{ reason: TagReason; conflictWith: number | null }> {
    // Farther apart in time than the Earth is wide at maxSpeed, no pair can conflict.
    const window = Math.ceil((MAX_SURFACE_DISTANCE_KM / this.maxSpeedKmh) * 3_600_000);
    const near = await this.opts.sightings.locatedBetween(item, at - window, at + window);
    let worst: { s: Sighting; km: number; hours: number; speed: number } | null = null;
    for (const s of near) {
      const km = distanceKm(pos, { lat: s.lat!, lon: s.lon! });
      if (km <= this.minDistanceKm) continue;
      const hours = Math.max(Math.abs(at - s.at), 1000) / 3_600_000; // one second at least: no division by zero
      const speed = km / hours;
      if (speed > this.maxSpeedKmh && (!worst || speed > worst.speed)) worst = { s, km, hours, speed };
    }
    if (!worst) {
      return {
        reason: {
          code: 'travel_plausible',
          result: 'pass',
          detail:
            near.length === 0
              ? 'no other located sighting of this tag close enough in time to compare'
              : `consistent with ${near.length} located sighting${near.length === 1 ? '' : 's'} within ${Math.round(window / 3_600_000)} h`,
        },
        conflictWith: null,
      };
    }
    const here = publicSighting({ id: 0, at, lat: pos.lat, lon: pos.lon });
    const there = publicSighting(worst.s);
    const pair: [PublicSighting, PublicSighting] = worst.s.at <= at ? [there, here] : [here, there];
    return {
      reason: {
        code: 'impossible_travel',
        result: 'fail',
        detail:
          `this tag was seen ${Math.round(worst.km)} km away (sighting ${worst.s.id} at ${there.at}) ` +
          `${formatHours(worst.hours)} ${worst.s.at <= at ? 'before' : 'after'} this scan: that needs ${Math.round(worst.speed)} km/h, ` +
          `more than the plausible ${this.maxSpeedKmh} km/h — two copies of one tag`,
        sightings: pair,
        distanceKm: round(worst.km, 1),
        hours: round(worst.hours, 3),
        speedKmh: Math.round(worst.speed),
      },
      conflictWith: worst.s.id,
    };
  }
}

function verdictOf(reasons: TagReason[]): Verdict {
  const failed = new Set(reasons.filter((r) => r.result === 'fail').map((r) => r.code));
  const any = (...codes: ReasonCode[]) => codes.some((c) => failed.has(c));
  if (any('signature_invalid', 'issuer_not_member', 'issuer_suspended', 'issuer_lacks_role')) return 'unknown';
  if (
    any(
      'scanned_after_sale',
      'scanned_after_decommissioning',
      'scanned_after_destruction',
      'scanned_after_consumption',
      'impossible_travel',
      'clone_seen_before',
    )
  ) {
    return 'suspected_clone';
  }
  if (any('no_history')) return 'unknown';
  return 'genuine';
}

export function publicSighting(s: Pick<Sighting, 'id' | 'at' | 'lat' | 'lon'>): PublicSighting {
  const coarse = (x: number | null) => (x === null ? null : round(x, 2));
  return { id: s.id, at: iso(s.at), lat: coarse(s.lat), lon: coarse(s.lon) };
}

function describeEvent(e: HistoryEntry): string {
  const parts = [e.type, e.action, e.bizStep, e.disposition ? `disposition ${e.disposition}` : null].filter((p): p is string =>
    Boolean(p),
  );
  return parts.join(' ');
}

function place(e: HistoryEntry): string {
  const where = e.bizLocation ?? e.readPoint;
  return where ? ` at ${where}` : '';
}

function formatHours(h: number): string {
  return h >= 1 ? `${round(h, 1)} h` : `${Math.max(1, Math.round(h * 60))} min`;
}

function roleNames(bits: number): string {
  const names = Object.entries(ROLES)
    .filter(([, v]) => (bits & v) === v)
    .map(([k]) => k);
  return names.length ? names.join('+') : String(bits);
}
