// Anti-counterfeit item tags (scenario S6): brand-signed GS1 Digital Link tags,
// their verification against the chain's members and the node's EPCIS
// repository, clone detection over recorded sightings, HTTP routes and QR codes.
export { distanceKm, type LatLon } from './geo.js';
export { tagOpenApiPaths } from './openapi.js';
export { tagQrSvg } from './qr.js';
export { type TagRouteDeps, tagRoutes } from './routes.js';
export { MAX_ANONYMOUS_SIGHTINGS_PER_ITEM, type Sighting, type SightingStore, type Verdict } from './sightings.js';
export {
  decodeSignature,
  gtinSerialLink,
  ISSUER_PARAM,
  type IssuedTag,
  issueTag,
  itemOf,
  type ParsedTag,
  parseTag,
  recoverTagSigner,
  SIGNATURE_PARAM,
  TAG_DOMAIN,
  tagDigest,
  TagError,
  type TagItem,
} from './tag.js';
export {
  type HistoryEntry,
  type IssuerStatus,
  type PublicSighting,
  type ReasonCode,
  type Scan,
  type TagReason,
  type TagVerification,
  TagVerifier,
  type TagVerifierOptions,
} from './verify.js';
