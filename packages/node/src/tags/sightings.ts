// Tag sightings as clone detection sees them. The rows live in storage
// (storage/tags.ts); how many anonymous sightings an item keeps is decided here.
export type { Sighting, SightingStore, Verdict } from '../storage/tags.js';

/** Anonymous (unverified) sightings kept per item: the newest; older ones are dropped. */
export const MAX_ANONYMOUS_SIGHTINGS_PER_ITEM = 100;
