// `tradetwin document add|list|get`: a shipment's documents (S4: commercial
// invoice, certificate of origin, phytosanitary certificate, bill of lading,
// packing list, other) on the node — each added one is logged as a "document"
// leaf and shared with the shipment's grantees. The type, file name, media type
// and size are checked here as the node checks them, so bad input exits 2
// before anything is sent; `get` checks the content it receives against the
// SHA-256 the node logged.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { DOCUMENT_TYPES, DocumentFormatError, MAX_DOCUMENT_BYTES, validateDocumentMeta } from '@tradetwin/core/document/document';
import type { DocumentJson, DocumentListJson } from '@tradetwin/core/wire/documents';
import { COMMON, CliError, type Command, EXIT, printJson, requireStr, str } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;
const out = (line = '') => process.stdout.write(`${line}\n`);

/** Media types by file extension, for --file without --media-type (anything else: application/octet-stream). */
const MEDIA_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.zip': 'application/zip',
};

const documentsPath = (shipment: string) => `/api/v1/shipments/${encodeURIComponent(shipment)}/documents`;

const describeDocument = (d: DocumentJson) =>
  `#${d.leafIndex}  ${d.type}  ${d.name}  ${d.mediaType}  ${d.size} bytes  sha256 ${d.sha256}  ${new Date(d.addedAt).toISOString()}${d.contentMissing ? '  content missing' : ''}`;

/** The document the flags describe, checked as the node will check it; a CliError (exit 2) naming what is wrong. */
export function documentFromFlags(values: Record<string, unknown>): {
  shipmentId: string;
  type: string;
  name: string;
  mediaType: string;
  content: Uint8Array;
} {
  const shipment = requireStr(values, 'shipment');
  const type = requireStr(values, 'type');
  const file = requireStr(values, 'file');
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`--file ${file} is not a file`);
  const size = statSync(file).size;
  if (size === 0) throw new CliError(`--file ${file} is empty`);
  if (size > MAX_DOCUMENT_BYTES)
    throw new CliError(`--file ${file} is ${size} bytes; a document is at most ${MAX_DOCUMENT_BYTES}`);
  const mediaType = str(values, 'media-type') ?? MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const name = str(values, 'name') ?? basename(file);
  try {
    const m = validateDocumentMeta({ shipmentId: shipment, type, name, mediaType });
    return { ...m, content: readFileSync(file) };
  } catch (err) {
    if (err instanceof DocumentFormatError) {
      const flag =
        { shipmentId: '--shipment', type: '--type', name: '--name', mediaType: '--media-type' }[err.field] ?? err.field;
      throw new CliError(`${flag}: ${err.message}`, EXIT.usage, 'bad_document');
    }
    throw err;
  }
}

const add: Command = {
  name: 'document add',
  summary: `Add a document to a shipment (logged, and shared with its grantees). Types: ${DOCUMENT_TYPES.join(', ')}.`,
  usage:
    'document add --shipment ID --type TYPE --file PATH [--media-type M] [--name NAME] [--data-dir DIR | --node URL --token T] [--json]',
  options: {
    ...COMMON,
    ...NODE_OPTS,
    shipment: { type: 'string' },
    type: { type: 'string' },
    file: { type: 'string' },
    'media-type': { type: 'string' },
    name: { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const d = documentFromFlags(values);
    const query = new URLSearchParams({ type: d.type, name: d.name });
    const added = await nodeClient(values).postBytes<DocumentJson>(
      `${documentsPath(d.shipmentId)}?${query}`,
      d.content,
      d.mediaType,
    );
    if (values.json) printJson(added);
    else out(`added to ${added.shipmentId}: ${describeDocument(added)}`);
  },
};

const list: Command = {
  name: 'document list',
  summary: "List a shipment's documents.",
  usage: 'document list --shipment ID [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, shipment: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const l = await nodeClient(values).get<DocumentListJson>(documentsPath(requireStr(values, 'shipment')));
    if (values.json) return void printJson(l.documents);
    if (l.documents.length === 0) out(`no documents of ${l.shipmentId}`);
    for (const d of l.documents) out(describeDocument(d));
  },
};

const get: Command = {
  name: 'document get',
  summary: "Save a shipment document's content to a file (checked against the SHA-256 the node logged).",
  usage: 'document get --shipment ID --index N --out PATH [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, shipment: { type: 'string' }, index: { type: 'string' }, out: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const shipment = requireStr(values, 'shipment');
    const index = requireStr(values, 'index');
    if (!/^\d{1,15}$/.test(index)) throw new CliError(`--index must be a document's leaf index (a whole number), got "${index}"`);
    const target = requireStr(values, 'out');
    let got: { bytes: Uint8Array; headers: Headers };
    try {
      got = await nodeClient(values).getBytes(`${documentsPath(shipment)}/${index}`);
    } catch (err) {
      // The node found its stored content is not the one the leaf commits to: a failed check, not a refusal.
      if (err instanceof CliError && err.code === 'document_tampered')
        throw new CliError(`${err.message}: not saved`, EXIT.notVerified, err.code);
      throw err;
    }
    const { bytes, headers } = got;
    const sha = createHash('sha256').update(bytes).digest();
    const stated = /^sha-256=:([A-Za-z0-9+/=]+):$/.exec(headers.get('repr-digest') ?? '')?.[1];
    if (stated === undefined || Buffer.from(stated, 'base64').compare(sha) !== 0)
      throw new CliError(
        `the content received does not match the SHA-256 the node states (${headers.get('repr-digest') ?? 'none'}): not saved`,
        EXIT.notVerified,
        'digest_mismatch',
      );
    writeFileSync(target, bytes);
    const result = {
      shipmentId: shipment,
      leafIndex: Number(index),
      mediaType: headers.get('content-type'),
      sha256: sha.toString('hex'),
      size: bytes.length,
      out: target,
    };
    if (values.json) printJson(result);
    else out(`saved ${bytes.length} bytes (${result.mediaType}, sha256 ${result.sha256}) to ${target}`);
  },
};

export const documentCommands: Command[] = [add, list, get];
