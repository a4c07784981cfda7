// GS1 Web Vocabulary classes, for the one place the event hash needs them: the
// `type` of an object in a user extension (typically master data offered with
// `gs1:masterDataAvailableFor`) written as a bare class name ("Product") is the
// IRI JSON-LD expansion gives it through the GS1 Web Vocabulary context
// (https://ref.gs1.org/voc/Product), as the reference implementation hashes it.
// The class list is the GS1 Web Vocabulary JSON-LD context's (2025-09-26 release:
// every term defined as "gs1:<itself>" with a capital initial).
import { GS1_VOC_NS } from './vocab.js';

const GS1_CLASSES: ReadonlySet<string> = new Set([
  'AdditionalProductClassificationDetails',
  'AdditiveDetails',
  'AllergenDetails',
  'AuthenticityDetails',
  'AwardPrizeDetails',
  'Beverage',
  'Brand',
  'CertificationDetails',
  'Clothing',
  'ColourCodeDetails',
  'CompulsoryAdditionalInformation',
  'ContactPoint',
  'Country',
  'DietTypeCodeDetails',
  'Discount',
  'FoodAndBeveragePreparationInformation',
  'FoodBeverageTobaccoIngredientDetails',
  'FoodBeverageTobaccoProduct',
  'Footwear',
  'FruitsVegetables',
  'GeoCoordinates',
  'GeoShape',
  'LocationID_Details',
  'LocationStatusHistory',
  'MeatPoultry',
  'MilkButterCreamYogurtCheeseEggsSubstitutes',
  'NutritionMeasurementType',
  'Offer',
  'OrganicClaimDetails',
  'Organization',
  'OrganizationID_Details',
  'OrganizationStatusHistory',
  'PackagingDetails',
  'PackagingMaterialDetails',
  'Place',
  'PostalAddress',
  'PriceSpecification',
  'Product',
  'ProductYieldDetails',
  'QuantitativeValue',
  'ReferencedFileDetails',
  'ReturnablePackageDepositDetails',
  'Seafood',
  'SizeCodeDetails',
  'SizeDetails',
  'TargetMarketDetails',
  'TextileMaterialDetails',
  'TypeCode',
  'WarrantyPromise',
  'WearableProduct',
]);

/** The IRI of a bare GS1 Web Vocabulary class name given as an extension object's type; null for anything else. */
export function gs1ClassIri(key: string, value: unknown): string | null {
  if (key !== 'type' && key !== '@type') return null;
  if (typeof value !== 'string') return null;
  const v = value.trim();
  return GS1_CLASSES.has(v) ? GS1_VOC_NS + v : null;
}
