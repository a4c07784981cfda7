// The core/epcis functions the repository uses: CBV §8.9 hash IDs (2.0 or 2.1 rules) and EPC
// URN ↔ GS1 Digital Link conversion (the index keys identifiers by their
// constrained canonical Digital Link).
import { eventHashId } from '@tradetwin/core/epcis/index';
import { canonicalDigitalLink, digitalLinkToEpc, epcToDigitalLink } from '@tradetwin/core/epcis/index';
import type { EpcisCodec } from './repository.js';

export const coreCodec: EpcisCodec = {
  eventHashId: (event, context, version) => eventHashId(event, context as Parameters<typeof eventHashId>[1], version),
  epcToDigitalLink,
  canonicalDigitalLink,
  digitalLinkToEpc,
};
