// Validation of EPCIS 2.0 XML against GS1's XSD (vendored in core's
// epcis/xml/schema), with libxml2 compiled to WebAssembly (xmllint-wasm): no
// native build, nothing fetched at run time. The schema files are read once;
// xmllint-wasm runs each validation in a worker of its own (so a crash in
// libxml2 cannot take the node down) and compiles the schema there.
//
// libxml2 does not load external DTDs or entities here (xmllint runs without
// --noent/--loaddtd), and the callers refuse any DOCTYPE before this runs.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryPages, validateXML, type XMLFileInfo } from 'xmllint-wasm';

/** One fault: a line of the document (when libxml2 names one) and what is wrong there. */
export interface XsdError {
  line: number | null;
  message: string;
  /** libxml2's "parser error" (not well-formed) versus a schema validity error. */
  kind: 'not_well_formed' | 'schema';
}

export interface XsdResult {
  valid: boolean;
  errors: XsdError[];
}

/** The query XSD imports the document XSD, so it declares both EPCISDocument and EPCISQueryDocument. */
const MAIN = 'EPCglobal-epcis-query-2_0.xsd';

let files: { main: XMLFileInfo; rest: XMLFileInfo[] } | undefined;

/** GS1's schema files, read from core's folder once. */
function schemaFiles(): { main: XMLFileInfo; rest: XMLFileInfo[] } {
  if (!files) {
    const dir = join(dirname(fileURLToPath(import.meta.resolve('@tradetwin/core/epcis/xml/index'))), 'schema');
    const all = readdirSync(dir)
      .filter((f) => f.endsWith('.xsd'))
      .map((fileName) => ({ fileName, contents: readFileSync(join(dir, fileName), 'utf8') }));
    files = { main: all.find((f) => f.fileName === MAIN)!, rest: all.filter((f) => f.fileName !== MAIN) };
  }
  return files;
}

const DOC = 'document.xml';

/**
 * Validates an XML text against the EPCIS 2.0 XSD. Not well-formed text and
 * schema violations both come back as errors with line numbers; a schema that
 * fails to compile (a packaging fault) throws.
 */
export async function validateEpcisXsd(xml: string): Promise<XsdResult> {
  const { main, rest } = schemaFiles();
  // Room for documents up to the capture size limit (libxml2 holds the whole tree).
  const maxMemoryPages = Math.min(
    memoryPages.max,
    Math.max(memoryPages.defaultMaxMemoryPages, 64 + Math.ceil((xml.length * 12) / 65536)),
  );
  const result = await validateXML({ xml: [{ fileName: DOC, contents: xml }], schema: [main], preload: rest, maxMemoryPages });
  if (result.valid) return { valid: true, errors: [] };
  const errors: XsdError[] = [];
  for (const e of result.errors) {
    if (/Schemas parser error|failed to compile/i.test(e.rawMessage))
      throw new Error(`EPCIS XSD does not compile: ${e.rawMessage}`);
    // libxml2 follows a parser error with the offending line and a caret line: keep the message lines only.
    if (e.loc === null || e.loc.fileName !== DOC) continue;
    errors.push({
      line: e.loc.lineNumber,
      message: e.message.replace(/^(Schemas validity error|parser error)\s*:\s*/, '').trim(),
      kind: /parser error/.test(e.message) ? 'not_well_formed' : 'schema',
    });
  }
  if (errors.length === 0)
    errors.push({ line: null, message: result.rawOutput.trim().split('\n')[0] ?? 'invalid', kind: 'schema' });
  return { valid: false, errors };
}
