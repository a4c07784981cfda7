// Document validation by core/epcis (GS1's EPCIS 2.0 JSON schema, vendored,
// plus the capture rules a schema cannot state), as a DocumentValidator.
import { validateEpcis } from '@tradetwin/core/epcis/index';
import type { DocumentValidator, SchemaError } from './capture.js';

/**
 * core's validator, with one rule left to the repository: an eventID repeated
 * within a document. The repository decides that itself, because an event and
 * its error declaration share an eventID, and refuses a true duplicate with 409.
 */
export function coreValidator(): DocumentValidator {
  return (doc: unknown): SchemaError[] =>
    validateEpcis(doc)
      .errors.filter((e) => !(e.path.endsWith('/eventID') && /repeats the eventID/.test(e.message)))
      .map((e) => ({ pointer: e.path, message: e.message }));
}
