// C2SP endpoints at the node's root (its tlog-tiles prefix and witness prefixes):
//   GET  /checkpoint                      the log's checkpoint, with the cosignatures collected (text/plain)
//   GET  /tile/<L>/<N>[.p/<W>]            Merkle tree hash tiles (application/octet-stream)
//   GET  /tile/entries/<N>[.p/<W>]        entry bundles: the leaves' bytes (log:read, see access/policy.ts)
//   POST /add-checkpoint                  tlog-witness: cosign a peer log's checkpoint
//   GET  /<sha256(origin) hex>/checkpoint tlog-witness monitoring: the latest checkpoint cosigned for that log
//   GET  /api/v1/witness/equivocations    the equivocation proofs found (log:read)
//   POST /api/v1/admin/tlog/fork          demonstrations only: make this node equivocate (see fork.ts)
import { Hono } from 'hono';
import { encodeEntryBundle, parseTilePath } from '@tradetwin/core/tlog/tiles';
import { jsonObjectBody } from '../api/json-body.js';
import { HttpProblem } from '../http/problem.js';
import { equivocate } from './fork.js';
import type { NodeTlog } from './index.js';

const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;

export function tlogRoutes(t: NodeTlog): Hono {
  const app = new Hono();

  app.get('/checkpoint', async (c) => {
    c.header('Cache-Control', 'no-cache, max-age=1');
    return c.text(await t.servedCheckpoint(), 200, { 'Content-Type': 'text/plain; charset=utf-8' });
  });

  app.get('/tile/*', async (c) => {
    const tile = parseTilePath(c.req.path.slice('/tile/'.length));
    if (!tile) throw new HttpProblem(404, 'not_found', `${c.req.path} is not a tile path`);
    let bytes: Uint8Array | null;
    if (tile.level === 'entries') {
      const start = tile.index * 256;
      const leaves = start + tile.width > t.log.size ? null : await t.log.store.leaves(start, start + tile.width);
      // tlog-tiles entries carry a uint16 length: a larger leaf (a big EPCIS document) has no bundle encoding.
      const big = leaves?.find((l) => l.data.length > 0xffff);
      if (big)
        throw new HttpProblem(
          500,
          'entry_too_large',
          `leaf ${big.index} is ${big.data.length} bytes: an entry bundle holds at most 65535 per entry`,
        );
      bytes = leaves && encodeEntryBundle(leaves.map((l) => l.data));
    } else {
      const hashes = await t.log.tileHashes(tile.level, tile.index, tile.width);
      bytes = hashes && concat(hashes);
    }
    // Empty or not-yet-existing tiles are not served.
    if (!bytes) throw new HttpProblem(404, 'not_found', `the log (size ${t.log.size}) has no tile ${c.req.path}`);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/octet-stream',
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });

  app.post('/add-checkpoint', async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (raw.length > MAX_ADD_CHECKPOINT_BYTES)
      throw new HttpProblem(413, 'too_large', `at most ${MAX_ADD_CHECKPOINT_BYTES} bytes`);
    let body: string;
    try {
      body = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new HttpProblem(400, 'malformed', 'the body is not UTF-8');
    }
    const out = await t.witness.addCheckpoint(body);
    if (out.status === 200) return c.text(out.body, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
    if (out.status === 409) return c.text(out.body, 409, { 'Content-Type': 'text/x.tlog.size' });
    throw new HttpProblem(out.status, out.code, out.detail);
  });

  app.get('/:hash{[0-9a-f]{64}}/checkpoint', async (c) => {
    const note = await t.witness.monitoringCheckpoint(c.req.param('hash'));
    if (!note) throw new HttpProblem(404, 'not_found', 'this witness has not cosigned a checkpoint of that log');
    c.header('Cache-Control', 'no-cache, max-age=1');
    return c.text(note, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
  });

  // The equivocation proofs this node's witness found (log:read, like every /api/v1 read): portable JSON
  // that anyone checks with the offending log's vkey (core/tlog/equivocation.ts verifyEquivocation).
  app.get('/api/v1/witness/equivocations', async (c) =>
    c.json({
      equivocations: (await t.store.equivocations()).map((e) => ({
        origin: e.origin,
        key: e.key,
        detectedAt: e.detectedAt,
        proof: JSON.parse(e.proof) as unknown,
      })),
    }),
  );

  // Demonstrations only (TRADETWIN_DEMO_FORK=1; devices:admin like every /api/v1/admin route): this node's own key
  // signs a conflicting checkpoint and sends it to its peers' witnesses, which must catch it.
  if (t.allowFork) {
    app.post('/api/v1/admin/tlog/fork', async (c) => {
      const body = await jsonObjectBody(c.req, true);
      const kind = body.kind ?? 'same-size';
      if (kind !== 'same-size' && kind !== 'not-extending')
        throw new HttpProblem(400, 'bad_kind', 'kind is same-size or not-extending');
      return c.json(await equivocate(t, kind));
    });
  }

  return app;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.length * 32);
  parts.forEach((p, i) => {
    out.set(p, i * 32);
  });
  return out;
}
