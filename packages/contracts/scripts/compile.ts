// Compiles packages/contracts/contracts/*.sol offline with solc-js and writes the typed
// artifacts to packages/contracts/src/generated/. Run: npm run build:contracts
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DIR, compileContracts, renderAll, solcVersion } from '../src/compile.js';

try {
  const contracts = compileContracts((w) => console.warn(w));
  const files = renderAll(contracts);
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const f of readdirSync(GENERATED_DIR)) {
    if (f.endsWith('.ts') && !files.has(f)) rmSync(join(GENERATED_DIR, f));
  }
  for (const [file, text] of files) writeFileSync(join(GENERATED_DIR, file), text);
  const sizes = contracts.map((c) => `${c.name} ${(c.bytecode.length - 2) / 2} B`).join(', ');
  console.log(`solc ${solcVersion()}: wrote ${files.size} files to ${GENERATED_DIR} (${sizes})`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
