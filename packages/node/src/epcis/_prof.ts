import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { headSignerFromKey } from '../log/head-signer.js';
import { TransparencyLog } from '../log/transparency-log.js';
import { SqliteStore } from '../store/sqlite.js';
import { EpcisCapture } from './capture.js';
import { openEpcisRepository } from './repository.js';
const CTX = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const store = new SqliteStore({ path: join(dir, 'node.db') });
const log = await TransparencyLog.open(
  store,
  headSignerFromKey('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'),
);
const repo = await openEpcisRepository({ path: join(dir, 'node.db'), store, log });
const cap = new EpcisCapture(repo, { validate: (await import('./validator.js')).coreValidator() });
let k = 0;
const mk = () =>
  Array.from({ length: 5000 }, () => {
    const i = k++;
    return i % 8 === 0
      ? {
          type: 'AggregationEvent',
          action: 'ADD',
          eventID: `urn:uuid:x-${i}`,
          bizStep: 'packing',
          eventTime: '2024-01-01T00:00:00Z',
          eventTimeZoneOffset: '+00:00',
          parentID: `urn:epc:id:sscc:4012345.${String(i).padStart(10, '0')}`,
          childEPCs: Array.from({ length: 24 }, (_, s) => `urn:epc:id:sgtin:4012345.000040.K${i}-${s}`),
          readPoint: { id: 'urn:epc:id:sgln:4012345.00200.0' },
        }
      : {
          type: 'ObjectEvent',
          eventID: `urn:uuid:x-${i}`,
          action: 'OBSERVE',
          bizStep: 'retail_selling',
          disposition: 'retail_sold',
          eventTime: '2024-01-01T00:00:00Z',
          eventTimeZoneOffset: '+00:00',
          epcList: [`urn:epc:id:sgtin:4012345.000040.K${i}-1`],
          readPoint: { id: 'urn:epc:id:sgln:4012345.00200.0' },
          bizLocation: { id: 'urn:epc:id:sgln:4012345.00200.0' },
        };
  });
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let r = 0; r < 8; r++) {
  const doc = {
    '@context': CTX,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2024-01-01T00:00:00Z',
    epcisBody: { eventList: mk() },
  };
  await cap.capture(doc);
}
const ms = performance.now() - t0;
const c = process.cpuUsage(c0);
console.log(`${Math.round(40000 / (ms / 1000))} ev/s wall, ${Math.round(40000 / ((c.user + c.system) / 1e6))} ev per CPU-s`);
