// EPCIS 2.0 in TradeTwin's core: CBV 2.0 §8.9 event hash IDs, EPC URN ↔ GS1
// Digital Link, validation against GS1's JSON schema, sensor summaries.
export { byCodePoint, type EpcisEvent } from './canonical.js';
export { expandName, type JsonLdContext, type Namespaces, namespacesOf } from './context.js';
export {
  type DocumentEvents,
  documentEvents,
  EPCIS_CONTEXT_URL,
  type EpcisDocumentOptions,
  EVENT_TYPES,
  type EventType,
  epcisDocument,
} from './document.js';
export { gs1CheckDigit, hasValidCheckDigit } from './gs1-check.js';
export { documentHashIds, eventHashId, HASH_ID_VERSION, hashIdOf, preHashString } from './hash.js';
export { canonicalNumber } from './numbers.js';
export { type EpcisProblem, eventProblems, semanticProblems } from './semantic.js';
export {
  defaultDeviceUri,
  SENSOR_TYPES,
  type SummarisedKind,
  type SummariseOptions,
  type SummaryReading,
  summariseReadings,
  type Threshold,
  TRADETWIN_NS,
  WINDOW_SUMMARY_METHOD,
} from './sensor-summary.js';
export { canonicalTimestamp, hasTimeZone, parseTimestampMs } from './timestamp.js';
export {
  canonicalDigitalLink,
  type DigitalLinkKey,
  type DigitalLinkToEpcOptions,
  digitalLinkToEpc,
  epcToDigitalLink,
  formatDigitalLink,
  GS1_RESOLVER,
  parseDigitalLink,
} from './uris.js';
export { type EpcisValidation, validateEpcis } from './validate.js';
export {
  BIZ_STEPS,
  BIZ_TRANSACTION_TYPES,
  CBV_NS,
  cbvUrnToWebUri,
  COMPONENTS,
  DISPOSITIONS,
  ERROR_REASONS,
  EPCIS_NS,
  expandBareTerm,
  GS1_NS,
  isBareTerm,
  MEASUREMENT_TYPES,
  SENSOR_ALERT_TYPES,
  SOURCE_DEST_TYPES,
  type VocabKind,
} from './vocab.js';
