// TNT 3.0's code lists for event classification, as its schema descriptions
// list them (the YAML gives them in prose, not as enums). Pure data.

export const EVENT_TYPES = ['SHIPMENT', 'TRANSPORT', 'EQUIPMENT', 'IOT', 'REEFER'] as const;
export type DcsaEventType = (typeof EVENT_TYPES)[number];

export const SHIPMENT_EVENT_TYPE_CODES = [
  'AMCF',
  'AMCN',
  'AMDC',
  'AMPR',
  'AMRE',
  'APPR',
  'CACF',
  'CADC',
  'CANC',
  'CARE',
  'CMPL',
  'CONF',
  'DECL',
  'DRFT',
  'HOLD',
  'ISSU',
  'PENA',
  'PENM',
  'PENU',
  'PSAM',
  'PSDL',
  'RECE',
  'REJE',
  'RELS',
  'REQS',
  'SUAM',
  'SUBM',
  'SUDL',
  'SURR',
  'UPCF',
  'UPCN',
  'UPDC',
  'UPDT',
  'UPRE',
  'VOID',
];
export const TRANSPORT_EVENT_TYPE_CODES = ['ARRI', 'DEPA'];
export const EQUIPMENT_EVENT_TYPE_CODES = [
  'AVDO',
  'AVPU',
  'CROS',
  'CUSI',
  'CUSR',
  'CUSS',
  'DISC',
  'DROP',
  'GTIN',
  'GTOT',
  'INSP',
  'LOAD',
  'PICK',
  'RMVD',
  'RSEA',
  'STRP',
  'STUF',
];
export const IOT_EVENT_TYPE_CODES = ['DETC'];
export const REEFER_EVENT_TYPE_CODES = ['MEAS', 'ADJU'];
export const EVENT_CLASSIFIER_CODES = ['PLN', 'EST', 'ACT'];

/** Per event type: the classification field that must carry its code, and the codes it may take. */
export const TYPE_CODE_FIELD: Record<DcsaEventType, { field: string; codes: readonly string[] }> = {
  SHIPMENT: { field: 'shipmentEventTypeCode', codes: SHIPMENT_EVENT_TYPE_CODES },
  TRANSPORT: { field: 'transportEventTypeCode', codes: TRANSPORT_EVENT_TYPE_CODES },
  EQUIPMENT: { field: 'equipmentEventTypeCode', codes: EQUIPMENT_EVENT_TYPE_CODES },
  IOT: { field: 'iotEventTypeCode', codes: IOT_EVENT_TYPE_CODES },
  REEFER: { field: 'reeferEventTypeCode', codes: REEFER_EVENT_TYPE_CODES },
};
