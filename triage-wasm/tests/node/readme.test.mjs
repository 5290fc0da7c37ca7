// Runs the README's TypeScript example against the built package, with fetch
// answering from the demo site's bundle.json, so the documented usage is not
// only well typed but works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { CRATE_DIR, PKG_DIR, SITE_DIR } from '../support.mjs';

test('the README example runs to an outcome and prints it', async () => {
  const readme = readFileSync(join(CRATE_DIR, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'the README has a ```ts example');
  const js = ts.transpileModule(block[1], {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  }).outputText.replace(/from 'triage-wasm'/g, `from ${JSON.stringify(pathToFileURL(join(PKG_DIR, 'triage.js')).href)}`);
  const dir = mkdtempSync(join(tmpdir(), 'triage-readme-run-'));
  const bundle = readFileSync(join(SITE_DIR, 'bundle.json'), 'utf8');
  const printed = [];
  const { fetch: realFetch } = globalThis;
  const { log } = console;
  globalThis.fetch = async (url) => {
    assert.match(String(url), /bundle\.json$/);
    return new Response(bundle, { headers: { 'content-type': 'application/json' } });
  };
  console.log = (...args) => printed.push(args.join(' '));
  try {
    writeFileSync(join(dir, 'example.mjs'), js);
    await import(pathToFileURL(join(dir, 'example.mjs')).href);
  } finally {
    globalThis.fetch = realFetch;
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(printed[0], /^1\. /, 'the first question is printed');
  assert.ok(printed.some((line) => line.startsWith('  because: ')), `no reasons printed:\n${printed.join('\n')}`);
  assert.match(printed.at(-1), /^\d+ characters saved$/);
});
