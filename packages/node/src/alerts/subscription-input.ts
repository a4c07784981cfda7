// A subscription as a client asks for it, checked field by field. Pure: a
// refusal names the field and says what it must be.
import { randomBytes } from 'node:crypto';
import type { AlertChannel } from '../storage/alerts.js';
import { AlertError } from './errors.js';
import { ALERT_KINDS, type AlertKind, isAlertKind } from './kinds.js';
import { literalDestinationRefusal, type WebhookPolicy } from '../webhook/destination.js';

export interface SubscriptionInput {
  shipmentId: string | null;
  kinds: AlertKind[] | null;
  channel: AlertChannel;
  target: string;
  /** The webhook's HMAC key (given, or made here and shown once); null for e-mail. */
  secret: string | null;
}

const SHIPMENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
// Deliberately plain: one @, no spaces, a dotted domain; the relay is the judge of the rest.
const EMAIL = /^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const FIELDS = new Set(['shipmentId', 'kinds', 'channel', 'url', 'email', 'secret']);

const bad = (field: string, message: string) => new AlertError('bad_subscription', `${field}: ${message}`, field);

export function parseSubscription(body: unknown, opts: { emailEnabled: boolean; webhooks: WebhookPolicy }): SubscriptionInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!FIELDS.has(k)) throw bad(k, `unknown field (known: ${[...FIELDS].join(', ')})`);

  let shipmentId: string | null = null;
  if (b.shipmentId !== undefined && b.shipmentId !== null) {
    if (typeof b.shipmentId !== 'string' || !SHIPMENT_ID.test(b.shipmentId))
      throw bad('shipmentId', 'must be a shipment id (1-64 characters of [A-Za-z0-9._:-])');
    shipmentId = b.shipmentId;
  }

  let kinds: AlertKind[] | null = null;
  if (b.kinds !== undefined && b.kinds !== null) {
    if (!Array.isArray(b.kinds) || b.kinds.length === 0)
      throw bad('kinds', `must be a non-empty array of ${ALERT_KINDS.join(', ')}`);
    for (const k of b.kinds)
      if (!isAlertKind(k)) throw bad('kinds', `unknown kind ${JSON.stringify(k)}: one of ${ALERT_KINDS.join(', ')}`);
    kinds = [...new Set(b.kinds as AlertKind[])];
  }

  if (b.channel !== 'webhook' && b.channel !== 'email') throw bad('channel', 'must be "webhook" or "email"');
  if (b.channel === 'webhook') {
    if (b.email !== undefined) throw bad('email', 'is for channel "email"; a webhook takes url');
    if (typeof b.url !== 'string') throw bad('url', 'is required for a webhook: an http(s) URL');
    let url: URL;
    try {
      url = new URL(b.url);
    } catch {
      throw bad('url', `is not a URL: ${JSON.stringify(b.url).slice(0, 100)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('url', 'must be http or https');
    if (url.username || url.password) throw bad('url', 'must not carry credentials (use the signature to authenticate)');
    const refused = literalDestinationRefusal(url, opts.webhooks);
    if (refused) throw bad('url', refused.replace(/^webhook destination /, ''));
    let secret: string;
    if (b.secret === undefined || b.secret === null) secret = randomBytes(32).toString('base64url');
    else if (typeof b.secret !== 'string' || b.secret.length < 16 || b.secret.length > 256)
      throw bad('secret', 'must be a string of 16-256 characters (or left out: the node makes one and shows it once)');
    else secret = b.secret;
    return { shipmentId, kinds, channel: 'webhook', target: url.toString(), secret };
  }
  if (b.url !== undefined) throw bad('url', 'is for channel "webhook"; e-mail takes email');
  if (b.secret !== undefined) throw bad('secret', 'is for webhooks (e-mail is not signed)');
  if (typeof b.email !== 'string' || b.email.length > 254 || !EMAIL.test(b.email))
    throw bad('email', 'must be an e-mail address');
  if (!opts.emailEnabled)
    throw bad('channel', 'e-mail alerts need an SMTP relay: this node has none configured (TRADETWIN_SMTP_URL)');
  return { shipmentId, kinds, channel: 'email', target: b.email, secret: null };
}
