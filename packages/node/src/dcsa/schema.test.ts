// The schemas the node validates with are the specification's: every component
// schema TNT_v3.0.0.yaml defines, with exactly its properties, is in
// tnt-v3.0.0-schemas.json (read from the YAML's text: its layout is regular).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { SHARED_DIR } from '../test-support/shared.js';
import spec from './tnt-v3.0.0-schemas.json' with { type: 'json' };

function yamlSchemas(text: string): Map<string, string[]> {
  const section = text.slice(text.indexOf('\n  schemas:\n'), text.indexOf('\n  headers:\n'));
  const out = new Map<string, string[]>();
  let current: string | null = null;
  let inProperties = false;
  for (const line of section.split('\n')) {
    const schema = /^ {4}([A-Za-z]\w*):$/.exec(line);
    if (schema) {
      current = schema[1]!;
      out.set(current, []);
      inProperties = false;
      continue;
    }
    if (line === '      properties:') {
      inProperties = true;
      continue;
    }
    if (/^ {0,6}\S/.test(line)) inProperties = false;
    const prop = /^ {8}([A-Za-z]\w*):/.exec(line);
    if (inProperties && prop && current) out.get(current)!.push(prop[1]!);
  }
  return out;
}

it('tnt-v3.0.0-schemas.json holds every schema of TNT_v3.0.0.yaml with its properties', () => {
  const yaml = yamlSchemas(readFileSync(`${SHARED_DIR}standards/dcsa/TNT_v3.0.0.yaml`, 'utf8'));
  const json = spec.schemas as Record<string, { properties?: Record<string, unknown> }>;
  assert.ok(yaml.size > 30, `${yaml.size} schemas read from the YAML`);
  assert.ok(yaml.get('Event')!.includes('eventID') && yaml.get('Event')!.length >= 12, 'properties read from the YAML');
  assert.deepEqual(Object.keys(json).sort(), [...yaml.keys()].sort());
  for (const [name, props] of yaml) assert.deepEqual(Object.keys(json[name]!.properties ?? {}).sort(), [...props].sort(), name);
  assert.equal(spec.version, '3.0.0');
});
