// Validation of EPCIS 2.0 XML against GS1's XSD (vendored in core's
// epcis/xml/schema), with libxml2 compiled to WebAssembly (libxml2-wasm): no
// native build, nothing fetched at run time. The schema is read and compiled
// once, on first use; each document is then parsed and validated in-process.
//
// Safety: documents are parsed without entity substitution, DTD loading or
// network access, and libxml2 can open no file but GS1's schema files (an input
// provider serves those from memory). Callers also refuse any DOCTYPE first.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ParseOption,
  XmlBufferInputProvider,
  XmlDocument,
  XmlLibError,
  XmlParseError,
  xmlRegisterInputProvider,
  XsdValidator,
} from 'libxml2-wasm';

/** One fault: a line of the document (when libxml2 names one) and what is wrong there. */
export interface XsdError {
  line: number | null;
  message: string;
  /** libxml2's parser error (not well-formed) versus a schema validity error. */
  kind: 'not_well_formed' | 'schema';
  /** The element at fault, as libxml2's XPath (schema errors). */
  path?: string;
}

export interface XsdResult {
  valid: boolean;
  errors: XsdError[];
}

/** The query XSD imports the document XSD, so it declares both EPCISDocument and EPCISQueryDocument. */
const MAIN = 'EPCglobal-epcis-query-2_0.xsd';
/** Where libxml2 believes the schema files are; only the input provider answers there. */
const BASE = '/tradetwin/epcis-xsd/';

const DOCUMENT_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;

let validator: XsdValidator | undefined;

/** GS1's schema, compiled once. */
function epcisValidator(): XsdValidator {
  if (!validator) {
    const dir = join(dirname(fileURLToPath(import.meta.resolve('@tradetwin/core/epcis/xml/index'))), 'schema');
    const files: Record<string, Uint8Array> = {};
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.xsd'))) files[BASE + f] = readFileSync(join(dir, f));
    xmlRegisterInputProvider(new XmlBufferInputProvider(files));
    const schema = XmlDocument.fromBuffer(files[BASE + MAIN]!, { url: BASE + MAIN, option: DOCUMENT_OPTIONS });
    try {
      validator = XsdValidator.fromDoc(schema);
    } finally {
      schema.dispose();
    }
  }
  return validator;
}

const clean = (message: string) => message.trim().replace(/\s+/g, ' ');

/**
 * Validates an XML text against the EPCIS 2.0 XSD. Not well-formed text and
 * schema violations both come back as errors with line numbers; a schema that
 * fails to compile (a packaging fault) throws.
 */
export function validateEpcisXsd(xml: string): XsdResult {
  const v = epcisValidator();
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { option: DOCUMENT_OPTIONS });
  } catch (err) {
    if (!(err instanceof XmlParseError)) throw err;
    return {
      valid: false,
      errors: err.details.map((d) => ({ line: d.line || null, message: clean(d.message), kind: 'not_well_formed' })),
    };
  }
  try {
    v.validate(doc);
    return { valid: true, errors: [] };
  } catch (err) {
    if (!(err instanceof XmlLibError)) throw err;
    return {
      valid: false,
      errors: err.details.map((d) => ({
        line: d.line || null,
        message: clean(d.message),
        kind: 'schema',
        ...(d.xpath ? { path: d.xpath } : {}),
      })),
    };
  } finally {
    doc.dispose();
  }
}
