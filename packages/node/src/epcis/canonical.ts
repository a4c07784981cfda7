// Canonical JSON (RFC 8785) lives in core (the browser verifies event proofs with it).
export { CanonicalJsonError, canonicalJson, canonicalJsonBytes } from '@tradetwin/core/json/canonical-json';
