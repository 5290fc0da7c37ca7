// Runs the README's TypeScript examples against the built package, so the
// documented usage is not only well typed but works: the journey, with fetch
// answering from the demo site's bundle.triage, and compileBundle(), on good
// and broken pathway files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { CRATE_DIR, PKG_DIR, SITE_BUNDLE, TEST_FILES } from '../support.mjs';

const TRIAGE_URL = pathToFileURL(join(PKG_DIR, 'triage.js')).href;
const readme = readFileSync(join(CRATE_DIR, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

/** Transpiles a README block to a module in a temporary folder, importing the built package; returns its exports. */
async function load(t, block) {
  const js = ts.transpileModule(block, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  }).outputText.replace(/from 'triage-wasm'/g, `from ${JSON.stringify(TRIAGE_URL)}`);
  const dir = mkdtempSync(join(tmpdir(), 'triage-readme-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'example.mjs'), js);
  return import(pathToFileURL(join(dir, 'example.mjs')).href);
}

/** Runs `body` with console.log and console.error collected into `printed`. */
async function capturing(printed, body) {
  const { log, error } = console;
  console.log = (...args) => printed.push(args.join(' '));
  console.error = (...args) => printed.push(args.join(' '));
  try {
    return await body();
  } finally {
    console.log = log;
    console.error = error;
  }
}

test('the README journey loads bundle.triage, runs to an outcome and prints it', async (t) => {
  const block = blocks.find((text) => text.includes('Engine.fromArtifact'));
  assert.ok(block, 'the README has a ```ts example that loads a compiled bundle');
  assert.doesNotMatch(block, /initSources|Engine\.load/, 'a page needs only the runtime module');
  const bundle = readFileSync(SITE_BUNDLE);
  const fetched = [];
  const printed = [];
  const { fetch: realFetch } = globalThis;
  globalThis.fetch = async (url) => {
    fetched.push(String(url));
    return new Response(bundle, { headers: { 'content-type': 'application/octet-stream' } });
  };
  try {
    await capturing(printed, () => load(t, block));
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(fetched.length, 1);
  assert.match(fetched[0], /bundle\.triage$/);
  assert.match(printed[0], /^1\. /, 'the first question is printed');
  assert.ok(printed.some((line) => line.startsWith('  because: ')), `no reasons printed:\n${printed.join('\n')}`);
  assert.match(printed.at(-1), /^\d+ characters saved$/);
});

test("the README's compileBundle() compiles good files and reports every error of broken ones", async (t) => {
  const block = blocks.find((text) => text.includes('compileBundle'));
  assert.ok(block, 'the README has a ```ts example of compile()');
  const { compileBundle } = await load(t, block);
  const triage = await import(TRIAGE_URL);
  await Promise.all([triage.init(), triage.initSources()]);
  const bytes = await compileBundle(TEST_FILES);
  assert.equal(triage.Engine.fromArtifact(bytes).hash, triage.Engine.load(TEST_FILES).hash);

  const broken = { ...TEST_FILES, 'pathways/fever.yaml': TEST_FILES['pathways/fever.yaml'].replace('next: temperature', 'next: nowhere') };
  const printed = [];
  await capturing(printed, () => assert.rejects(compileBundle(broken), (error) => error.code === 'invalid_bundle'));
  assert.ok(printed.length > 0, 'no errors printed');
  assert.ok(printed.some((line) => /^pathways\/fever\.yaml:\d+:\d+: E203 .*nowhere/.test(line)), printed.join('\n'));
});
