// Where the team's shared material is: ../shared beside the repository (on a
// developer's machine and in CI's clean clone alike). Tests read standards
// and data from there; the product never does.
import { fileURLToPath } from 'node:url';

export const SHARED_DIR = fileURLToPath(new URL('../../../../../shared/', import.meta.url));
export const GPS_TRACK_CSV = `${SHARED_DIR}data/gps-route14-outbound.csv`;
export const EPCIS_EXAMPLES_DIR = `${SHARED_DIR}standards/epcis/examples`;
