// Cold-chain condition rules: definitions, the streaming evaluator, excursions.
export { type ClaimFields, claimFields } from './claim.js';
export {
  type BandMode,
  type BandRule,
  type BandSensor,
  type GapRule,
  type LightRule,
  type LightSensor,
  RULE_KINDS,
  type Rule,
  type RuleKind,
  type ThresholdRule,
  type Zone,
  validateRule,
  validateRules,
} from './definition.js';
export { RuleError } from './error.js';
export {
  type EvaluatorOptions,
  type ExcursionsOptions,
  createRuleEvaluator,
  evaluateRules,
  type PushResult,
  type RuleEvaluator,
} from './evaluator.js';
export {
  type BandExcursion,
  type Excursion,
  type ExcursionEvidence,
  excursionId,
  type GapEvidence,
  type GapExcursion,
  type Hex,
  type LightExcursion,
  type ThresholdExcursion,
} from './excursion.js';
export { distanceM, EARTH_RADIUS_M, zoneAt } from './geo.js';
export { type EvidencedReading, evidencedReadings } from './reading.js';
export { shelfDaysLost } from './shelf-life.js';
// Location rules on the GPS stream: geofences, corridor deviation, unscheduled stops.
export {
  type FixRef as LocationFixRef,
  type Crossing,
  type CorridorEvent,
  type GeofenceEvent,
  type LocationEvent,
  locationEventId,
  type StopEvent,
  type ZoneRef,
} from './location-event.js';
export {
  type CircleZone,
  type CorridorRule,
  DEFAULT_NOISE,
  type FixNoise,
  type GeofenceRule,
  type GeoZone,
  LOCATION_RULE_KINDS,
  type LocationRule,
  type LocationRuleKind,
  type PolygonZone,
  type StopRule,
  UNLOCODE_PATTERN,
  validateLocationRule,
  validateLocationRules,
  validateZone,
} from './location-definition.js';
export {
  createLocationEvaluator,
  evaluateLocationRules,
  type FixTally,
  type LocationEvaluator,
  type LocationEvaluatorOptions,
  type LocationPushResult,
} from './location-evaluator.js';
export type { LocationReading } from './fix.js';
