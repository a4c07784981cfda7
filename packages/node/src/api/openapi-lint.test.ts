// The served OpenAPI document passes `redocly lint` with the recommended rules:
// security on every operation, operationIds, 4xx responses, servers — what
// generated clients need. The document is the one the app serves, written to a
// temp file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { openApiDocument } from './openapi.js';

const redocly = join(createRequire(import.meta.url).resolve('@redocly/cli/package.json'), '..', 'bin', 'cli.js');

it('redocly lint --extends=recommended: zero errors, zero warnings; public operations say security: []', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    const doc = openApiDocument();
    writeFileSync(file, JSON.stringify(doc));
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [redocly, 'lint', file, '--extends=recommended', '--format=stylish', '--max-problems=500'],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((err: { stdout: string; stderr: string }) => {
      assert.fail(`redocly lint failed:\n${err.stdout}\n${err.stderr}`);
    });
    assert.match(stdout + stderr, /valid/i);
    assert.doesNotMatch(stdout + stderr, /warning|error/i, stdout + stderr);
    const paths = doc.paths as Record<string, Record<string, { security?: unknown[] }>>;
    assert.deepEqual(paths['/api/v1/readings/{id}/bundle']?.get?.security, []);
    assert.deepEqual(paths['/epcis/capture']?.post?.security, [{ bearer: ['epcis:capture'] }, { session: ['operator'] }]);
    assert.ok(doc.servers.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
