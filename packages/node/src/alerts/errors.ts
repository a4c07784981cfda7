// What the alert service refuses, by code; the HTTP edge (http/errors.ts) maps
// each to a status: a malformed subscription (400, naming the field), one the
// caller may not make (403: a shipment it may not see), one that is not there (404).

export type AlertErrorCode = 'bad_subscription' | 'shipment_not_visible' | 'no_such_subscription' | 'no_such_alert';

export class AlertError extends Error {
  constructor(
    readonly code: AlertErrorCode,
    message: string,
    /** The request field at fault (bad_subscription). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AlertError';
  }
}
