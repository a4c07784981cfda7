// `tradetwin epcis hash FILE [--cbv 2.1]` and `tradetwin epcis validate FILE`:
// the CBV 2.0 (or 2.1) event hash IDs of an EPCIS 2.0 document in JSON(-LD) or XML, and its validation against
// GS1's schema and the capture rules — offline, from core/epcis. FILE "-" reads
// standard input.
import { readFileSync } from 'node:fs';
import { COMMON, CliError, type Command, EXIT, printJson, str } from './args.js';

const OPTIONS = { help: COMMON.help, json: COMMON.json };

function readText(file: string | undefined): string {
  if (!file) throw new CliError('give an EPCIS document file (or - for standard input)');
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

const isXml = (text: string) => text.trimStart().startsWith('<');

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not JSON: ${(err as Error).message}`, EXIT.usage);
  }
}

/** An EPCIS document in either binding, as the JSON-LD model (XML is read as the node's XML capture reads it). */
async function parseDocument(file: string, text: string): Promise<unknown> {
  if (!isXml(text)) return parseJson(file, text);
  if (/<!(DOCTYPE|ENTITY)/i.test(text))
    throw new CliError(`${file}: a DOCTYPE or entity declaration is not accepted in EPCIS XML`, EXIT.usage);
  const { parseEpcisXml } = await import('@tradetwin/core/epcis/xml/index');
  try {
    return parseEpcisXml(text);
  } catch (err) {
    throw new CliError(`${file} is not an EPCIS XML document: ${(err as Error).message}`, EXIT.usage);
  }
}

export const epcisHashCommand: Command = {
  name: 'epcis hash',
  summary:
    'Print the event hash ID (ni:///sha-256;…?ver=CBV2.0) of each event of an EPCIS document, in document order; --cbv 2.1 applies the CBV 2.1 rules.',
  usage: 'epcis hash FILE(.jsonld|.xml) [--cbv 2.0|2.1] [--json]',
  options: { ...OPTIONS, cbv: { type: 'string' } },
  async run({ values, positionals }) {
    const cbv = str(values, 'cbv') ?? '2.0';
    if (cbv !== '2.0' && cbv !== '2.1') throw new CliError(`--cbv must be 2.0 or 2.1, got "${cbv}"`);
    const file = positionals[0]!;
    const doc = await parseDocument(file, readText(positionals[0]));
    const { documentHashIds } = await import('@tradetwin/core/epcis/hash');
    let ids: string[];
    try {
      ids = documentHashIds(doc, cbv);
    } catch (err) {
      throw new CliError(`${file}: ${(err as Error).message}`, EXIT.usage);
    }
    if (values.json) printJson(ids);
    else if (ids.length) process.stdout.write(`${ids.join('\n')}\n`);
    return 0;
  },
};

export const epcisValidateCommand: Command = {
  name: 'epcis validate',
  summary: "Validate an EPCIS 2.0 document or event against GS1's JSON schema and the capture rules; exit 1 when invalid.",
  usage: 'epcis validate FILE [--json]',
  options: OPTIONS,
  async run({ values, positionals }) {
    const file = positionals[0]!;
    const text = readText(positionals[0]);
    if (isXml(text)) {
      // XML: GS1's XSD first, then the same checks as JSON on what it reads as.
      const { validateEpcisXsd } = await import('../epcis/xsd.js');
      const xsd = validateEpcisXsd(text);
      if (!xsd.valid) {
        const errors = xsd.errors.map((e) => ({ path: e.path ?? (e.line === null ? '' : `line ${e.line}`), message: e.message }));
        if (values.json) printJson({ valid: false, errors });
        else for (const e of errors) process.stdout.write(`${e.path || '(document)'}: ${e.message}\n`);
        return EXIT.notVerified;
      }
    }
    const doc = await parseDocument(file, text);
    const { validateEpcis } = await import('@tradetwin/core/epcis/validate');
    const result = validateEpcis(doc);
    if (values.json) printJson(result);
    else if (result.valid) process.stdout.write('OK\n');
    else for (const e of result.errors) process.stdout.write(`${e.path || '(document)'}: ${e.message}\n`);
    return result.valid ? EXIT.ok : EXIT.notVerified;
  },
};
