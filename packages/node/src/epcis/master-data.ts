// EPCIS master data: the vocabularies a captured EPCISDocument carries in
// epcisHeader.epcisMasterData.vocabularyList (each element an id, attributes and
// children), kept per vocabulary element for HASATTR_<field>, EQ_ATTR_<field>_<attr>
// and the with-descendants WD_readPoint / WD_bizLocation.
//
// Semantics worth knowing:
// - an element is matched by its id alone (a location named both as ReadPoint and
//   BusinessLocation is one place); ids and children are keyed like the event index
//   (EPC URNs and Digital Links meet, CBV values bare);
// - a later capture of an element replaces its attributes, and its children when it lists them;
// - attribute names: a bare word is a CBV master-data attribute (sst → urn:epcglobal:cbv:mda:sst),
//   cbvmda:x likewise, other CURIEs expand through the document's @context;
// - master data is stored when its capture job stores (rollback: only if the whole document is
//   good) and lives in the node database only: it is not a log leaf, so it carries no inclusion
//   proof and is not rebuilt from the log.
import { companyPrefixOf } from './epc-format.js';
import { contextPrefixes, fieldKey, scalar } from './extension-index.js';
import type { EpcisRepository } from './repository.js';
import { type EpcForms, epcKey, normaliseCbv } from './vocab.js';

export interface VocabAttribute {
  attr: string;
  kind: number;
  text: string | null;
  num: number | null;
}

export interface VocabElement {
  type: string;
  id: string;
  attributes: VocabAttribute[];
  /** null when the element does not list children (existing ones are kept). */
  children: string[] | null;
}

export interface MasterDataProblem {
  pointer: string;
  detail: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUri = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(v);

const MDA = 'urn:epcglobal:cbv:mda:';

/** The stored name of a master-data attribute (see the header). */
export function attributeKey(name: string, prefixes: Map<string, string> = new Map()): string {
  const n = name.trim();
  if (/^\w+$/.test(n)) return `${MDA}${n}`;
  if (n.startsWith('cbvmda:')) return `${MDA}${n.slice(7)}`;
  return fieldKey(n, prefixes);
}

/** The stored id of a vocabulary element (or of a field value that names one). */
export function elementKey(type: string, id: string, forms: EpcForms): string {
  if (/BusinessStep$|bizstep$/i.test(type)) return normaliseCbv('BizStep', id);
  if (/Disposition$|disp$/i.test(type)) return normaliseCbv('Disp', id);
  return epcKey(id, forms);
}

/** The vocabularies of a document's header, checked; problems carry JSON pointers. */
export interface MasterData {
  elements: VocabElement[];
  /** CURIE prefixes of the document's context, so that attribute parameters resolve like extension fields. */
  namespaces: [string, string][];
  /** Element and child ids as written (URNs reveal GS1 Company Prefixes). */
  rawIds: string[];
  problems: MasterDataProblem[];
}

export function parseMasterData(doc: Record<string, unknown>, forms: EpcForms): MasterData {
  const elements: VocabElement[] = [];
  const problems: MasterDataProblem[] = [];
  const prefixes = contextPrefixes(doc['@context']);
  const namespaces = [...prefixes.entries()];
  const rawIds: string[] = [];
  const header = doc.epcisHeader;
  if (header === undefined) return { elements, namespaces, rawIds, problems };
  const base = '/epcisHeader/epcisMasterData/vocabularyList';
  const md = isObject(header) ? header.epcisMasterData : undefined;
  if (md === undefined) return { elements, namespaces, rawIds, problems };
  const list = isObject(md) ? md.vocabularyList : undefined;
  if (!Array.isArray(list)) {
    if (list !== undefined || !isObject(md))
      problems.push({ pointer: base, detail: 'vocabularyList must be an array of vocabularies' });
    return { elements, namespaces, rawIds, problems };
  }
  list.forEach((vocab, vi) => {
    const vp = `${base}/${vi}`;
    if (!isObject(vocab) || !isUri(vocab.type)) {
      problems.push({
        pointer: `${vp}/type`,
        detail: 'a vocabulary needs a type URI (e.g. urn:epcglobal:epcis:vtype:BusinessLocation)',
      });
      return;
    }
    const type = vocab.type;
    const els = vocab.vocabularyElementList ?? [];
    if (!Array.isArray(els)) {
      problems.push({ pointer: `${vp}/vocabularyElementList`, detail: 'vocabularyElementList must be an array' });
      return;
    }
    els.forEach((el, ei) => {
      const ep = `${vp}/vocabularyElementList/${ei}`;
      if (!isObject(el) || !isUri(el.id)) {
        problems.push({ pointer: `${ep}/id`, detail: 'a vocabulary element needs an id URI' });
        return;
      }
      const attributes: VocabAttribute[] = [];
      const attrs = el.attributes ?? [];
      if (!Array.isArray(attrs)) problems.push({ pointer: `${ep}/attributes`, detail: 'attributes must be an array' });
      else
        attrs.forEach((a, ai) => {
          if (!isObject(a) || typeof a.id !== 'string' || a.id.trim() === '') {
            problems.push({ pointer: `${ep}/attributes/${ai}`, detail: 'an attribute needs an id' });
            return;
          }
          const s = scalar(a.attribute);
          attributes.push({
            attr: attributeKey(a.id, prefixes),
            ...(s ?? { kind: 0, text: a.attribute === undefined ? null : JSON.stringify(a.attribute), num: null }),
          });
        });
      let children: string[] | null = null;
      if (el.children !== undefined) {
        if (!Array.isArray(el.children) || !el.children.every(isUri))
          problems.push({ pointer: `${ep}/children`, detail: 'children must be an array of URIs' });
        else children = el.children.map((c) => elementKey(type, c, forms));
      }
      rawIds.push(el.id, ...(Array.isArray(el.children) ? el.children.filter(isUri) : []));
      elements.push({ type, id: elementKey(type, el.id, forms), attributes, children });
    });
  });
  return { elements, namespaces, rawIds, problems };
}

/** Store elements with their document's namespaces; location ids in URN form reveal company prefixes too (GS1-EPC-Format: Always_EPC_URN). */
export async function storeMasterData(
  repo: EpcisRepository,
  md: Pick<MasterData, 'elements' | 'namespaces' | 'rawIds'>,
  now: number,
): Promise<void> {
  await repo.storeVocabulary(
    md.elements,
    md.namespaces,
    md.rawIds.flatMap((id) => companyPrefixOf(id) ?? []),
    now,
  );
}

/** A vocabulary element as stored (for tests and the resource endpoints). */
export function vocabularyElement(
  repo: EpcisRepository,
  id: string,
): Promise<{ types: string[]; attributes: { attr: string; value: string | number | null }[]; children: string[] } | null> {
  return repo.index.vocabularyElement(id);
}
