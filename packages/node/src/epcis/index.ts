// EPCIS 2.0 repository of a member node: capture into the transparency log,
// SimpleEventQuery, proofs, trace. Wiring: see README in this folder's report
// (node.ts opens the repository, api/app.ts mounts epcisRoutes under /epcis).
export { checkEpcisLeaves } from './audit.js';
export {
  type CaptureLimits,
  DEFAULT_CAPTURE_LIMITS,
  type DocumentValidator,
  EpcisCapture,
  type SchemaError,
} from './capture.js';
export { EpcisProblem } from './problem.js';
export { epcisOpenApiPaths } from './openapi.js';
export { buildEventProofs } from './proof.js';
export { parseEventQuery, queryDocument, runEventQuery } from './query.js';
export {
  decodeEpcisBody,
  encodeEpcisBody,
  type EpcisCodec,
  EpcisRepository,
  type EpcisRepositoryOptions,
  LEAF_KIND,
  openEpcisRepository,
  randomEpcisSalt,
} from './repository.js';
export { type EpcisRouteDeps, epcisRoutes } from './routes.js';
export { type TraceDirection, type TraceResult, trace } from './trace.js';
export { coreValidator } from './validator.js';
export { coreCodec } from './codec.js';
export * from './types.js';
