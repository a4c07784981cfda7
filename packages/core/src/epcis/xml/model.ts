// What the EPCIS 2.0 XML binding and the JSON-LD binding share: the XML
// namespaces, each event type's fields in XSD order, how each field is shaped,
// and how a standard vocabulary value is spelt in each syntax (bare "shipping"
// in JSON-LD, urn:epcglobal:cbv:bizstep:shipping in XML). parse.ts and
// serialize.ts read these tables, so the two directions cannot drift apart.
import { EVENT_TYPES, type EventType } from '../document.js';
import { CBV_NS, EPCIS_NS, GS1_NS, isBareTerm, type VocabKind } from '../vocab.js';

export const EPCIS_XML_NS = 'urn:epcglobal:epcis:xsd:2';
export const EPCIS_QUERY_XML_NS = 'urn:epcglobal:epcis-query:xsd:2';
/** EPCIS 1.x documents: recognised only to be refused by version. */
export const EPCIS_1_XML_NS = 'urn:epcglobal:epcis:xsd:1';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const SBDH_NS = 'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader';
export const EPCGLOBAL_NS = 'urn:epcglobal:xsd:1';

/** Namespaces of the XML syntax itself: never user extensions, never in a JSON-LD @context. */
export const SYNTAX_NAMESPACES: ReadonlySet<string> = new Set([
  EPCIS_XML_NS,
  EPCIS_QUERY_XML_NS,
  XSI_NS,
  XSD_NS,
  XML_NS,
  SBDH_NS,
  EPCGLOBAL_NS,
]);

/**
 * Prefixes the EPCIS 2.0.0 JSON-LD context already defines, with the namespace an
 * XML document uses for them (cbvmda is written without its JSON-LD trailing colon).
 * A document need not redefine them, and a user namespace must not take their name.
 */
export const STANDARD_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['epcis', EPCIS_NS],
  ['cbv', CBV_NS],
  ['cbvmda', 'urn:epcglobal:cbv:mda'],
  ['gs1', GS1_NS],
  ['rdfs', 'http://www.w3.org/2000/01/rdf-schema#'],
  ['owl', 'http://www.w3.org/2002/07/owl#'],
  ['xsd', 'http://www.w3.org/2001/XMLSchema#'],
  ['dcterms', 'http://purl.org/dc/terms/'],
]);

export type FieldKind =
  | 'text'
  | 'BizStep'
  | 'Disp'
  | 'epcs'
  | 'quantities'
  | 'location'
  | 'bizTransactions'
  | 'sources'
  | 'destinations'
  | 'sensors'
  | 'persistentDisposition'
  | 'ilmd'
  | 'errorDeclaration';

/** Every standard event field and its shape. */
export const FIELD_KIND: Readonly<Record<string, FieldKind>> = {
  eventTime: 'text',
  recordTime: 'text',
  eventTimeZoneOffset: 'text',
  eventID: 'text',
  certificationInfo: 'text',
  parentID: 'text',
  action: 'text',
  transformationID: 'text',
  bizStep: 'BizStep',
  disposition: 'Disp',
  epcList: 'epcs',
  childEPCs: 'epcs',
  inputEPCList: 'epcs',
  outputEPCList: 'epcs',
  quantityList: 'quantities',
  childQuantityList: 'quantities',
  inputQuantityList: 'quantities',
  outputQuantityList: 'quantities',
  readPoint: 'location',
  bizLocation: 'location',
  bizTransactionList: 'bizTransactions',
  sourceList: 'sources',
  destinationList: 'destinations',
  sensorElementList: 'sensors',
  persistentDisposition: 'persistentDisposition',
  ilmd: 'ilmd',
  errorDeclaration: 'errorDeclaration',
};

const COMMON = ['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'errorDeclaration', 'certificationInfo'];
const WHY_WHERE = ['bizStep', 'disposition', 'readPoint', 'bizLocation'];

/** Each event type's fields in the order its XSD sequence requires (user extensions follow). */
export const EVENT_FIELDS: Readonly<Record<EventType, readonly string[]>> = {
  ObjectEvent: [
    ...COMMON,
    'epcList',
    'action',
    ...WHY_WHERE,
    'bizTransactionList',
    'quantityList',
    'sourceList',
    'destinationList',
    'sensorElementList',
    'persistentDisposition',
    'ilmd',
  ],
  AggregationEvent: [
    ...COMMON,
    'parentID',
    'childEPCs',
    'action',
    ...WHY_WHERE,
    'bizTransactionList',
    'childQuantityList',
    'sourceList',
    'destinationList',
    'sensorElementList',
    'persistentDisposition',
  ],
  TransactionEvent: [
    ...COMMON,
    'bizTransactionList',
    'parentID',
    'epcList',
    'action',
    ...WHY_WHERE,
    'quantityList',
    'sourceList',
    'destinationList',
    'sensorElementList',
    'persistentDisposition',
  ],
  TransformationEvent: [
    ...COMMON,
    'inputEPCList',
    'inputQuantityList',
    'outputEPCList',
    'outputQuantityList',
    'transformationID',
    ...WHY_WHERE,
    'bizTransactionList',
    'sourceList',
    'destinationList',
    'sensorElementList',
    'persistentDisposition',
    'ilmd',
  ],
  AssociationEvent: [
    ...COMMON,
    'parentID',
    'childEPCs',
    'childQuantityList',
    'action',
    ...WHY_WHERE,
    'bizTransactionList',
    'sourceList',
    'destinationList',
    'sensorElementList',
    'persistentDisposition',
  ],
};

export const isEventType = (t: string): t is EventType => (EVENT_TYPES as readonly string[]).includes(t);

export const SENSOR_METADATA_ATTRS: ReadonlySet<string> = new Set([
  'time',
  'startTime',
  'endTime',
  'deviceID',
  'deviceMetadata',
  'rawData',
  'dataProcessingMethod',
  'bizRules',
]);

/** sensorReport attributes the XSD types as numbers or booleans (the rest are strings or URIs). */
export const SENSOR_NUMBERS: ReadonlySet<string> = new Set([
  'value',
  'minValue',
  'maxValue',
  'meanValue',
  'sDev',
  'percRank',
  'percValue',
]);
export const SENSOR_REPORT_ATTRS: ReadonlySet<string> = new Set([
  ...SENSOR_NUMBERS,
  'type',
  'exception',
  'deviceID',
  'deviceMetadata',
  'rawData',
  'dataProcessingMethod',
  'time',
  'microorganism',
  'chemicalSubstance',
  'component',
  'stringValue',
  'booleanValue',
  'hexBinaryValue',
  'uriValue',
  'uom',
  'coordinateReferenceSystem',
]);
/** sensorReport attributes drawn from a standard vocabulary. */
export const SENSOR_VOCAB: Readonly<Record<string, VocabKind>> = {
  type: 'MeasurementType',
  exception: 'SensorAlertType',
  component: 'Comp',
};

// ------------------------------------------------------------ vocabulary spelling

const CBV_URN: Partial<Record<VocabKind, string>> = {
  BizStep: 'urn:epcglobal:cbv:bizstep:',
  Disp: 'urn:epcglobal:cbv:disp:',
  BTT: 'urn:epcglobal:cbv:btt:',
  SDT: 'urn:epcglobal:cbv:sdt:',
  ER: 'urn:epcglobal:cbv:er:',
};
const isGs1Kind = (kind: VocabKind) => kind === 'MeasurementType' || kind === 'SensorAlertType';

/**
 * A standard value as XML writes it: CBV terms as their CBV URNs (what EPCIS XML
 * consumers expect), GS1 Web Vocabulary terms as gs1: CURIEs (as GS1's XML sensor
 * examples do), components as CBV Web URIs. Anything else is kept as written.
 */
export function xmlTerm(kind: VocabKind, value: string): string {
  if (!isBareTerm(kind, value)) return value;
  const urn = CBV_URN[kind];
  if (urn) return urn + value;
  return isGs1Kind(kind) ? `gs1:${value}` : `${CBV_NS}${kind}-${value}`;
}

/** A standard value as JSON-LD writes it: bare, whichever spelling (URN, Web URI, CURIE) the XML used. */
export function jsonTerm(kind: VocabKind, value: string): string {
  const v = value.trim();
  const forms = isGs1Kind(kind) ? ['gs1:', GS1_NS] : [CBV_URN[kind] ?? '\0', `${CBV_NS}${kind}-`, `cbv:${kind}-`];
  for (const f of forms) {
    if (v.startsWith(f) && isBareTerm(kind, v.slice(f.length))) return v.slice(f.length);
  }
  return v;
}

/** XML 1.0 names (the NCName production, ASCII-strict enough for namespaces' local parts). */
export const NCNAME = /^[A-Za-z_\u00C0-\uFFEF][\w.\-\u00B7-\uFFEF]*$/;
