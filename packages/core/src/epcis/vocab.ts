// CBV 2.0 and GS1 Web Vocabulary terms that EPCIS 2.0 JSON-LD writes bare
// ("shipping", "Temperature"), copied from the pinned EPCIS 2.0.0 JSON-LD
// context (ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld). A bare value
// expands only when the context lists it, as JSON-LD expansion would; anything
// else is a URI already and is kept.

export const BIZ_STEPS = [
  'accepting',
  'arriving',
  'assembling',
  'collecting',
  'commissioning',
  'consigning',
  'creating_class_instance',
  'cycle_counting',
  'decommissioning',
  'departing',
  'destroying',
  'disassembling',
  'dispensing',
  'encoding',
  'entering_exiting',
  'holding',
  'inspecting',
  'installing',
  'killing',
  'loading',
  'other',
  'packing',
  'picking',
  'receiving',
  'removing',
  'repackaging',
  'repairing',
  'replacing',
  'reserving',
  'retail_selling',
  'sampling',
  'sensor_reporting',
  'shipping',
  'staging_outbound',
  'stock_taking',
  'stocking',
  'storing',
  'transporting',
  'unloading',
  'unpacking',
  'void_shipping',
] as const;

export const DISPOSITIONS = [
  'active',
  'available',
  'completeness_verified',
  'completeness_inferred',
  'conformant',
  'container_closed',
  'container_open',
  'damaged',
  'destroyed',
  'dispensed',
  'disposed',
  'encoded',
  'expired',
  'in_progress',
  'in_transit',
  'inactive',
  'mismatch_instance',
  'mismatch_class',
  'mismatch_quantity',
  'needs_replacement',
  'no_pedigree_match',
  'non_conformant',
  'non_sellable_other',
  'partially_dispensed',
  'recalled',
  'reserved',
  'retail_sold',
  'returned',
  'sellable_accessible',
  'sellable_not_accessible',
  'stolen',
  'unavailable',
  'unknown',
] as const;

export const BIZ_TRANSACTION_TYPES = [
  'bol',
  'cert',
  'desadv',
  'inv',
  'pedigree',
  'po',
  'poc',
  'prodorder',
  'recadv',
  'rma',
  'testprd',
  'testres',
  'upevt',
] as const;

export const SOURCE_DEST_TYPES = ['owning_party', 'possessing_party', 'location'] as const;

export const ERROR_REASONS = ['did_not_occur', 'incorrect_data'] as const;

export const MEASUREMENT_TYPES = [
  'AbsoluteHumidity',
  'AbsorbedDose',
  'AbsorbedDoseRate',
  'Acceleration',
  'Radioactivity',
  'Altitude',
  'AmountOfSubstance',
  'AmountOfSubstancePerUnitVolume',
  'Angle',
  'AngularAcceleration',
  'AngularMomentum',
  'AngularVelocity',
  'Area',
  'Capacitance',
  'Conductance',
  'Conductivity',
  'Count',
  'Density',
  'Dimensionless',
  'DoseEquivalent',
  'DoseEquivalentRate',
  'DynamicViscosity',
  'ElectricCharge',
  'ElectricCurrent',
  'ElectricCurrentDensity',
  'ElectricFieldStrength',
  'Energy',
  'Exposure',
  'Force',
  'Frequency',
  'Illuminance',
  'Inductance',
  'Irradiance',
  'KinematicViscosity',
  'Length',
  'LinearMomentum',
  'Luminance',
  'LuminousFlux',
  'LuminousIntensity',
  'MagneticFlux',
  'MagneticFluxDensity',
  'MagneticVectorPotential',
  'Mass',
  'MassConcentration',
  'MassFlowRate',
  'MassPerAreaTime',
  'MemoryCapacity',
  'MolalityOfSolute',
  'MolarEnergy',
  'MolarMass',
  'MolarVolume',
  'Power',
  'Pressure',
  'RadiantFlux',
  'RadiantIntensity',
  'RelativeHumidity',
  'Resistance',
  'Resistivity',
  'SolidAngle',
  'SpecificVolume',
  'Speed',
  'SurfaceDensity',
  'SurfaceTension',
  'Temperature',
  'Time',
  'Torque',
  'Voltage',
  'Volume',
  'VolumeFlowRate',
  'VolumeFraction',
  'VolumetricFlux',
  'Wavenumber',
] as const;

export const SENSOR_ALERT_TYPES = ['ALARM_CONDITION', 'ERROR_CONDITION'] as const;

export const COMPONENTS = [
  'x',
  'y',
  'z',
  'axial_distance',
  'azimuth',
  'height',
  'spherical_radius',
  'polar_angle',
  'elevation_angle',
  'easting',
  'northing',
  'latitude',
  'longitude',
  'altitude',
] as const;

/** Namespaces of the EPCIS 2.0.0 context; its gs1: prefix names the GS1 Web Vocabulary at gs1.org/voc. */
export const CBV_NS = 'https://ref.gs1.org/cbv/';
export const GS1_NS = 'https://gs1.org/voc/';
/** Where the GS1 Web Vocabulary lives now, and what the event hash expands its terms to (2026 reference). */
export const GS1_VOC_NS = 'https://ref.gs1.org/voc/';
export const EPCIS_NS = 'https://ref.gs1.org/epcis/';

/** Which vocabulary a standard field draws its bare values from. */
export type VocabKind = 'BizStep' | 'Disp' | 'BTT' | 'SDT' | 'ER' | 'Comp' | 'MeasurementType' | 'SensorAlertType';

const TERMS: Record<VocabKind, ReadonlySet<string>> = {
  BizStep: new Set(BIZ_STEPS),
  Disp: new Set(DISPOSITIONS),
  BTT: new Set(BIZ_TRANSACTION_TYPES),
  SDT: new Set(SOURCE_DEST_TYPES),
  ER: new Set(ERROR_REASONS),
  Comp: new Set(COMPONENTS),
  MeasurementType: new Set(MEASUREMENT_TYPES),
  SensorAlertType: new Set(SENSOR_ALERT_TYPES),
};

/** True when `value` is a bare term of that vocabulary. */
export function isBareTerm(kind: VocabKind, value: string): boolean {
  return TERMS[kind].has(value);
}

/**
 * The Web URI of a bare term: CBV terms as https://ref.gs1.org/cbv/<Kind>-<term>,
 * GS1 Web Vocabulary terms as <gs1 namespace><term>. Null when `value` is not a
 * bare term of that vocabulary.
 */
export function expandBareTerm(kind: VocabKind, value: string, gs1Ns: string = GS1_VOC_NS): string | null {
  if (!TERMS[kind].has(value)) return null;
  if (kind === 'MeasurementType' || kind === 'SensorAlertType') return gs1Ns + value;
  return `${CBV_NS}${kind}-${value}`;
}

const CBV_URNS: [string, string][] = [
  ['urn:epcglobal:cbv:bizstep:', 'BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'Disp-'],
  ['urn:epcglobal:cbv:btt:', 'BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'SDT-'],
  ['urn:epcglobal:cbv:er:', 'ER-'],
];

/** CBV 1.x URN values (urn:epcglobal:cbv:bizstep:shipping) as CBV 2.0 Web URIs; other text unchanged. */
export function cbvUrnToWebUri(value: string): string {
  for (const [urn, kind] of CBV_URNS) if (value.startsWith(urn)) return CBV_NS + kind + value.slice(urn.length);
  return value;
}
