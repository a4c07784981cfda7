// The one place where errors become HTTP statuses. Domain modules raise their
// own coded errors (ChainError, StoreError, AccessError, TagError, CaptureError, ProofError, DossierError, AlertError) and know
// nothing of HTTP; the node's app, the guard of a module's own app and the
// module routers all answer through httpErrorHandler, so a code means the same
// status on every route. Anything unknown is a 500 that leaks no internals.
import { NOT_FOUND_DETAIL, PEER_STATUS, PeerError } from '../peer/errors.js';
import { GrantError } from '../peer/grants.js';
import { PeerUnavailable } from '../peer/client.js';
import { ReplicationRefused } from '../peer/replicate.js';

const GRANT_STATUS: Record<GrantError['code'], 400 | 404 | 409> = { bad_grant: 400, no_such_grant: 404, already_revoked: 409 };
import type { Context } from 'hono';
import { AttestationRefused } from '../oracle/oracle.js';
import { AttestRequestError } from '../consortium/oracle-service.js';
import { AccessError, type AccessErrorCode } from '../access/errors.js';
import { AlertError, type AlertErrorCode } from '../alerts/errors.js';
import { CommandRefusal, type CommandRefusalCode } from '../commands/errors.js';
import { ChainError } from '../chain/errors.js';
import { GOVERNANCE_STATUS, GovernanceError } from '../governance/errors.js';
import { CaptureError } from '../epcis/capture-error.js';
import { DossierError, type DossierErrorCode } from '../claims/dossier/errors.js';
import { DcsaError, type DcsaErrorCode } from '../dcsa/errors.js';
import { EpcisProblem } from '../epcis/problem.js';
import { epcisProblemResponse } from '../epcis/routes.js';
import { ProofError, type ProofErrorCode } from '../proof/errors.js';
import { StoreError } from '../storage/errors.js';
import { TagError } from '../tags/tag.js';
import { GeofenceError, type GeofenceErrorCode } from '../shipments/geofences.js';
import { DocumentError, type DocumentErrorCode } from '../documents/service.js';
import { HttpProblem, problemResponse } from './problem.js';

/** What a client is told to wait before retrying when the database cannot be reached. */
export const STORE_RETRY_AFTER_SECONDS = 5;

const ACCESS_STATUS: Record<AccessErrorCode, HttpProblem['status']> = {
  bad_credential: 401,
  credential_revoked: 401,
  no_session: 401,
  session_expired: 401,
  account_disabled: 401,
  bad_login: 401,
  foreign_organisation: 403,
  account_locked: 423,
  too_many_logins: 429,
  user_exists: 409,
  no_such_user: 404,
  no_such_credential: 404,
  bad_name: 400,
  bad_scopes: 400,
  bad_username: 400,
  weak_password: 400,
};

const PROOF_STATUS: Record<ProofErrorCode, HttpProblem['status']> = {
  bad_reading_id: 400,
  no_such_leaf: 404,
  not_telemetry: 404,
  no_such_reading: 404,
  no_such_event: 404,
  too_much_evidence: 413,
  not_anchored: 409,
  index_missing: 500,
  device_missing: 500,
  leaf_missing: 500,
};

const DOSSIER_STATUS: Record<DossierErrorCode, HttpProblem['status']> = {
  unknown_shipment: 404,
  unknown_policy: 404,
  unknown_excursion: 404,
  no_payout: 409,
  unsupported_excursion: 409,
  bad_subject: 400,
};

const ALERT_STATUS: Record<AlertErrorCode, HttpProblem['status']> = {
  bad_subscription: 400,
  shipment_not_visible: 403,
  no_such_subscription: 404,
  no_such_alert: 404,
};

const DCSA_STATUS: Record<DcsaErrorCode, HttpProblem['status'] | null> = {
  invalid_event: 400,
  bad_query: 400,
  bad_cursor: 400,
  bad_subscription: 400,
  no_such_subscription: 404,
  not_indexed: 503,
  corrupt: null,
};

/** A DCSA refusal names the field (a JSONPath or a parameter) and, for a push, every fault as TNT feedbackElements. */
function dcsaProblem(err: DcsaError): HttpProblem | null {
  const status = DCSA_STATUS[err.code];
  if (status === null) return null;
  return new HttpProblem(status, err.code, err.message, {
    ...(err.field !== undefined ? { field: err.field } : {}),
    ...(err.feedback.length > 0 ? { feedbackElements: err.feedback } : {}),
  });
}

const COMMAND_STATUS: Record<CommandRefusalCode, HttpProblem['status']> = {
  bad_command: 400,
  unknown_device: 404,
  unknown_shipment: 404,
  device_not_in_shipment: 409,
  unauthorised: 403,
  cosignature_required: 403,
  replayed: 409,
  expired: 410,
  no_such_command: 404,
  not_delivered: 503,
};

/** A refusal by a contract is the caller's conflict (409, named by the custom error); a chain that cannot be reached is a 503. */
function chainProblem(err: ChainError): HttpProblem {
  if (err.code === 'reverted') {
    const args = (err.args ?? []).map((a) => (typeof a === 'bigint' ? a.toString() : a));
    const call = `${err.errorName ?? 'reverted'}(${args.join(', ')})`;
    // In words first (chain/contract-errors.ts), then the custom error as the contract raised it.
    const detail = err.explanation ? `the contract refused: ${err.explanation} — ${call}` : `the contract refused: ${call}`;
    return new HttpProblem(409, 'contract_refused', detail, {
      errorName: err.errorName ?? null,
      args,
    });
  }
  return new HttpProblem(
    503,
    'chain_unavailable',
    `the chain did not take the transaction (${err.code}): ${err.message.split('\n')[0]}`,
  );
}

/** The database: unreachable (or closing) is a retryable 503, nothing was acknowledged; a collision is 409; a missing row 404. */
function storeProblem(err: StoreError): HttpProblem | null {
  switch (err.code) {
    case 'unavailable':
    case 'closed':
      return new HttpProblem(503, 'store_unavailable', 'the node cannot reach its database; nothing was stored, retry later', {
        retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
      });
    case 'conflict':
      return new HttpProblem(409, 'store_conflict', err.message);
    case 'not_found':
      return new HttpProblem(404, 'not_found', err.message);
    default:
      return null; // corrupt, io, schema_too_new: the node's fault, a 500
  }
}

/** An EPCIS capture refused: the binding's exception types (a refused synchronous capture answers as its job's error). */
function captureProblem(err: CaptureError): HttpProblem {
  switch (err.fault) {
    case 'invalid':
      return new EpcisProblem(400, 'epcisException:ValidationException', err.code, err.detail, err.extra);
    case 'too_large':
      return new EpcisProblem(413, 'epcisException:CaptureLimitExceededException', err.code, err.detail, err.extra);
    case 'refused':
      return new EpcisProblem(
        (err.jobError?.status ?? 500) as HttpProblem['status'],
        err.jobError?.type ?? 'epcisException:ImplementationException',
        err.code,
        err.detail,
        err.extra,
      );
  }
}

/**
 * A refused peer request (peer/errors.ts). A 401 names its scheme (RFC 9421 signatures); a record the
 * caller may not see answers exactly as one that does not exist (the same code and detail).
 */
function peerProblem(err: PeerError): HttpProblem {
  const status = PEER_STATUS[err.code];
  if (err.code === 'not_found') return new HttpProblem(404, 'not_found', NOT_FOUND_DETAIL);
  const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Signature' } : {};
  const extra = err.code === 'peer_busy' ? { retryAfterSeconds: 1 } : {};
  return new HttpProblem(status, err.code, err.message, extra, headers);
}
const GEOFENCE_STATUS: Record<GeofenceErrorCode, HttpProblem['status']> = {
  bad_zone: 400,
  zone_exists: 409,
  unknown_zone: 404,
  too_many_zones: 409,
};

const DOCUMENT_STATUS: Record<DocumentErrorCode, HttpProblem['status']> = {
  bad_document: 400,
  unknown_shipment: 404,
  no_such_document: 404,
  document_too_large: 413,
  // The node's own store no longer holds what its log commits to: not the client's doing, but it is told why.
  document_tampered: 500,
  document_content_missing: 409,
};

/** The problem an error is at the HTTP edge; null when it is not one a client caused or can act on (a 500). */
export function toHttpProblem(err: unknown): HttpProblem | null {
  if (err instanceof HttpProblem) return err;
  if (err instanceof ChainError) return chainProblem(err);
  if (err instanceof StoreError) return storeProblem(err);
  if (err instanceof AccessError) {
    const extra = err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {};
    return new HttpProblem(ACCESS_STATUS[err.code], err.code, err.message, extra);
  }
  if (err instanceof TagError) return new HttpProblem(400, err.code, err.message, err.extra);
  if (err instanceof CaptureError) return captureProblem(err);
  if (err instanceof ProofError) return new HttpProblem(PROOF_STATUS[err.code], err.code, err.message, err.extra);
  if (err instanceof DossierError) return new HttpProblem(DOSSIER_STATUS[err.code], err.code, err.message);
  if (err instanceof DcsaError) return dcsaProblem(err);
  if (err instanceof AlertError)
    return new HttpProblem(ALERT_STATUS[err.code], err.code, err.message, err.field !== undefined ? { field: err.field } : {});
  if (err instanceof GovernanceError)
    return new HttpProblem(
      GOVERNANCE_STATUS[err.code],
      err.code,
      err.message,
      err.field !== undefined ? { field: err.field } : {},
    );
  if (err instanceof GeofenceError) return new HttpProblem(GEOFENCE_STATUS[err.code], err.code, err.message);
  if (err instanceof DocumentError)
    return new HttpProblem(DOCUMENT_STATUS[err.code], err.code, err.message, err.field !== undefined ? { field: err.field } : {});
  if (err instanceof CommandRefusal) return new HttpProblem(COMMAND_STATUS[err.code], err.code, err.message);
  if (err instanceof PeerError) return peerProblem(err);
  if (err instanceof GrantError) return new HttpProblem(GRANT_STATUS[err.code], err.code, err.message);
  if (err instanceof ReplicationRefused) return new HttpProblem(502, 'replication_refused', err.message, { reason: err.code });
  if (err instanceof PeerUnavailable) return new HttpProblem(502, 'peer_unavailable', err.message);
  if (err instanceof AttestationRefused) return new HttpProblem(422, 'attestation_refused', err.message);
  if (err instanceof AttestRequestError) return new HttpProblem(400, 'bad_attest_request', err.message);
  return null;
}

/** The problem body for a mapped error: EPCIS clients get the binding's exception types (a 401 is a SecurityException there). */
export function edgeProblemResponse(c: Context, p: HttpProblem): Response {
  if (c.req.path === '/epcis' || c.req.path.startsWith('/epcis/')) return epcisProblemResponse(c, p);
  return problemResponse(c, p);
}

/** Hono's onError for the node's app and for any module app: map, render, and log what is not mapped. */
export function httpErrorHandler(label: string): (err: Error, c: Context) => Response {
  return (err, c) => {
    const p = toHttpProblem(err);
    if (p) return edgeProblemResponse(c, p);
    console.error(`[${label}] ${c.req.method} ${c.req.path}:`, err);
    return problemResponse(c, new HttpProblem(500, 'internal', 'the node could not answer this request'));
  };
}
