// `tradetwin tag issue|verify`: anti-counterfeit item tags (scenario S6).
//   issue   a brand-signed GS1 Digital Link for one item — signed by the node's
//           account through its API (POST /api/v1/tags), or here with a brand key
//           file (--brand-key: the key never leaves this machine); --svg writes the QR code;
//   verify  a scanned tag through the node (GET /api/v1/tags/verify): genuine,
//           unknown or suspected clone, with the reasons and the item's history.
//           Exit 0 for genuine, 1 otherwise.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Hex } from 'viem';
import type { IssuedTag } from '../tags/tag.js';
import type { TagVerification } from '../tags/verify.js';
import { COMMON, CliError, type Command, EXIT, printJson, str } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;
const out = (line = '') => process.stdout.write(`${line}\n`);

/** The item as the flags name it: --epc, or --gtin with --serial. */
function itemFlags(values: Record<string, unknown>): { epc: string } | { gtin: string; serial: string } {
  const epc = str(values, 'epc');
  const gtin = str(values, 'gtin');
  const serial = str(values, 'serial');
  if (epc !== undefined && (gtin !== undefined || serial !== undefined))
    throw new CliError('give --epc, or --gtin with --serial, not both');
  if (epc !== undefined) return { epc };
  if (gtin === undefined || serial === undefined)
    throw new CliError('name the item: --epc urn:epc:id:sgtin:… or --gtin GTIN --serial SERIAL');
  return { gtin, serial };
}

function readBrandKey(path: string): Hex {
  if (!existsSync(path)) throw new CliError(`brand key file ${path} does not exist`);
  const text = readFileSync(path, 'utf8').trim();
  const hex = text.startsWith('0x') ? text : `0x${text}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new CliError(`${path} must hold a 32-byte secp256k1 private key as hex (0x…)`);
  return hex as Hex;
}

const issue: Command = {
  name: 'tag issue',
  summary: 'Issue a brand-signed tag (GS1 Digital Link + signature) for one item; print its URI, optionally write its QR code.',
  usage:
    'tag issue (--epc URN | --gtin GTIN --serial SERIAL) [--base https://brand.example] [--brand-key FILE | --data-dir DIR | --node URL --token T] [--svg FILE] [--json]',
  options: {
    ...COMMON,
    ...NODE_OPTS,
    epc: { type: 'string' },
    gtin: { type: 'string' },
    serial: { type: 'string' },
    base: { type: 'string' },
    'brand-key': { type: 'string' },
    svg: { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const item = itemFlags(values);
    const base = str(values, 'base');
    const keyFile = str(values, 'brand-key');
    let tag: IssuedTag & { qrSvg?: string };
    if (keyFile !== undefined) {
      const [{ privateKeyToAccount }, { gtinSerialLink, issueTag, TagError }] = await Promise.all([
        import('viem/accounts'),
        import('../tags/tag.js'),
      ]);
      const account = privateKeyToAccount(readBrandKey(keyFile));
      try {
        const name = 'epc' in item ? item.epc : gtinSerialLink(item.gtin, item.serial);
        tag = await issueTag({ account, item: name, ...(base !== undefined ? { base } : {}) });
      } catch (err) {
        if (err instanceof TagError) throw new CliError(`${err.detail} (${err.code})`, EXIT.usage, err.code);
        throw err;
      }
    } else {
      tag = await nodeClient(values).post<IssuedTag & { qrSvg: string }>('/api/v1/tags', {
        ...item,
        ...(base !== undefined ? { base } : {}),
      });
    }
    const svgFile = str(values, 'svg');
    if (svgFile !== undefined) {
      const { tagQrSvg } = await import('../tags/qr.js');
      writeFileSync(svgFile, tag.qrSvg ?? (await tagQrSvg(tag.uri)));
      process.stderr.write(`QR code (SVG) of the tag written to ${svgFile}\n`);
    }
    const { qrSvg: _drawn, ...shown } = tag;
    if (values.json) return void printJson(shown);
    out(tag.uri);
  },
};

const MARK = { pass: 'ok  ', fail: 'FAIL', warn: 'warn' } as const;
const VERDICT = { genuine: 'GENUINE', unknown: 'UNKNOWN', suspected_clone: 'SUSPECTED CLONE' } as const;

function printVerification(v: TagVerification): void {
  out(`${VERDICT[v.verdict]}  ${v.epc}`);
  out(`  item     ${v.item}`);
  const who =
    v.issuer.orgId === null
      ? 'no member'
      : `${v.issuer.name ?? 'org'} (org ${v.issuer.orgId}${v.issuer.active ? '' : ', suspended'})`;
  out(`  issuer   ${who} ${v.issuer.address}`);
  for (const r of v.reasons) out(`  ${MARK[r.result]}     ${r.code}: ${r.detail}`);
  out(`  history (${v.history.length} event${v.history.length === 1 ? '' : 's'})`);
  for (const h of v.history) {
    const what = [h.type, h.action, h.bizStep, h.disposition ? `(${h.disposition})` : null].filter(Boolean).join(' ');
    const where = h.bizLocation ?? h.readPoint;
    out(
      `    ${h.eventTime}  ${what}${where ? ` at ${where}` : ''}  leaf ${h.leafIndex}${h.erroneous ? '  [declared erroneous]' : ''}`,
    );
  }
  out(`  recorded as sighting ${v.sighting.id}`);
}

const verify: Command = {
  name: 'tag verify',
  summary:
    'Verify a scanned tag through the node: genuine (exit 0), unknown or suspected clone (exit 1), with reasons and history.',
  usage: 'tag verify URI [--lat DEG --lon DEG] [--by SCANNER] [--data-dir DIR | --node URL [--token T]] [--json]',
  options: {
    ...COMMON,
    ...NODE_OPTS,
    lat: { type: 'string' },
    lon: { type: 'string' },
    by: { type: 'string' },
  },
  async run({ values, positionals }) {
    const [uri, ...extra] = positionals;
    if (!uri) throw new CliError(`the scanned tag URI is required\n\nUsage: tradetwin ${verify.usage}`);
    if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    const q = new URLSearchParams({ uri });
    // The node takes the scan's time; with a credential (the data dir's token, or --token) the scan counts in clone detection.
    for (const k of ['lat', 'lon', 'by'] as const) {
      const v = str(values, k);
      if (v !== undefined) q.set(k, v);
    }
    const v = await nodeClient(values).get<TagVerification>(`/api/v1/tags/verify?${q}`);
    if (values.json) printJson(v);
    else printVerification(v);
    return v.verdict === 'genuine' ? EXIT.ok : EXIT.notVerified;
  },
};

export const tagCommands: Command[] = [issue, verify];
