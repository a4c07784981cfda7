// What the command service refuses, by code; the HTTP edge (http/errors.ts)
// maps each to a status. Nothing refused is logged or delivered.

export type CommandRefusalCode =
  | 'bad_command' // not a well-formed, correctly signed command bundle (400)
  | 'unknown_device' // 404
  | 'unknown_shipment' // 404
  | 'device_not_in_shipment' // the shipment does not list the device (409)
  | 'unauthorised' // the signer's organisation may not command this device for this shipment (403)
  | 'cosignature_required' // a safety-relevant change without a second organisation's signature (403)
  | 'replayed' // the device's seq was used, or is older than the window (409)
  | 'expired' // 410
  | 'no_such_command' // 404
  | 'not_delivered'; // logged, but no MQTT transport to deliver it on (503)

export class CommandRefusal extends Error {
  constructor(
    readonly code: CommandRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandRefusal';
  }
}
