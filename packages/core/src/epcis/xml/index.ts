// The EPCIS 2.0 XML binding's pure half: XML ↔ the JSON-LD event model. XSD
// validation (which needs libxml2) lives with the node's I/O.
export { EPCIS_QUERY_XML_NS, EPCIS_XML_NS, jsonTerm, xmlTerm } from './model.js';
export { EpcisXmlError, type ParseOptions, parseEpcisXml } from './parse.js';
export { epcisXml, XmlNotRepresentableError } from './serialize.js';
