// One thread of the all-cores EPCIS hash figure (./epcis-hash.ts): builds its
// share of the corpus, warms up, then on 'go' computes the CBV 2.0 hash ID of
// each of its events once and reports how long that took.
import { parentPort, workerData } from 'node:worker_threads';
import { eventHashId } from '@tradetwin/core/epcis/index';
import { buildCorpus } from './epcis-hash.js';

export interface EpcisHashJob {
  events: number;
  offset: number;
}

const job = workerData.job as EpcisHashJob;
const corpus = buildCorpus(job.events, job.offset);
for (const c of corpus.slice(0, 5000)) eventHashId(c.event, c.context, '2.0');
parentPort!.postMessage('ready');
parentPort!.once('message', () => {
  const t = performance.now();
  for (const c of corpus) eventHashId(c.event, c.context, '2.0');
  parentPort!.postMessage({ events: corpus.length, wallMs: performance.now() - t });
});
