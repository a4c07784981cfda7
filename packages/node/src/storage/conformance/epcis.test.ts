// The EPCIS index conformance suite on both drivers (PostgreSQL where TRADETWIN_CI_SERVICES=1).
import { forEachDriver } from '../test-support.js';
import { epcisIndexConformance, epcisSchemaConformance } from './epcis.js';

forEachDriver('EPCIS index conformance', (driver) => epcisIndexConformance(driver));
forEachDriver('EPCIS index schema', (driver) => epcisSchemaConformance(driver));
