// Writes the package.json of the npm package: node write-package-json.mjs PKG_DIR VERSION
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, version] = process.argv.slice(2);
if (!dir || !version) {
  console.error('usage: write-package-json.mjs PKG_DIR VERSION');
  process.exit(2);
}
const pkg = {
  name: 'triage-wasm',
  version,
  description: 'The triage engine compiled to WebAssembly: run symptom pathways in the browser, offline',
  license: 'MIT OR Apache-2.0',
  type: 'module',
  main: './triage.js',
  types: './triage.d.ts',
  exports: {
    '.': { types: './triage.d.ts', default: './triage.js' },
    './triage_wasm_bg.wasm': './triage_wasm_bg.wasm',
    './triage_wasm_sources_bg.wasm': './triage_wasm_sources_bg.wasm',
  },
  // npx triage-write-bundle ./my-pathways -o bundle.triage
  bin: { 'triage-write-bundle': './write-bundle.mjs' },
  files: ['triage.js', 'triage.d.ts', 'triage_wasm.js', 'triage_wasm.d.ts', 'triage_wasm_bg.wasm', 'triage_wasm_bg.wasm.d.ts',
    'triage_wasm_sources.js', 'triage_wasm_sources.d.ts', 'triage_wasm_sources_bg.wasm',
    'triage_wasm_sources_bg.wasm.d.ts', 'write-bundle.mjs', 'README.md'],
  sideEffects: false,
  engines: { node: '>=18' },
};
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
