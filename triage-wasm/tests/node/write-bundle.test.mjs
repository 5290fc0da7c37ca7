// Tests of the package's bundle writer (`triage-write-bundle`), run from the
// built package as someone who installed it runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PKG_DIR, ROOT_DIR, TEST_FILES } from '../support.mjs';

const pkg = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));
const TOOL = join(PKG_DIR, pkg.bin['triage-write-bundle']);

function run(...args) {
  return spawnSync(process.execPath, [TOOL, ...args], { encoding: 'utf8' });
}

function scratch(t) {
  const dir = mkdtempSync(join(tmpdir(), 'triage-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the package ships the bundle writer as a command', () => {
  assert.ok(pkg.files.includes(pkg.bin['triage-write-bundle'].replace('./', '')));
  assert.ok(statSync(TOOL).mode & 0o100, 'the command is executable');
  assert.match(readFileSync(TOOL, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

test('it writes the shipped pathways into a bundle the engine loads, and says what it took', async (t) => {
  const out = join(scratch(t), 'bundle.json');
  const result = run(join(ROOT_DIR, 'pathways'), '-o', out);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /took {5}dispositions\.yaml/);
  assert.match(result.stderr, /left out pathways\/chest-pain\.cases\.yaml \(case pack/);
  assert.match(result.stderr, /left out README\.md \(not YAML\)/);
  assert.match(result.stderr, /checked: \d+ pathway/);
  const { files } = JSON.parse(readFileSync(out, 'utf8'));
  assert.ok(!Object.keys(files).some((key) => key.endsWith('.cases.yaml')));
  const triage = await import(pathToFileURL(join(PKG_DIR, 'triage.js')).href);
  await triage.init();
  const engine = triage.Engine.load(files);
  assert.ok(engine.stats.pathways >= 3);
  const site = JSON.parse(readFileSync(join(PKG_DIR, '..', 'site', 'bundle.json'), 'utf8'));
  assert.equal(engine.hash, triage.Engine.load(site.files).hash, 'the demo site was built with the same tool');
});

test('its errors are clear and exit with 1, and a bad bundle is not written', (t) => {
  const dir = scratch(t);
  const expect = (result, pattern) => {
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, pattern);
  };
  expect(run(join(dir, 'missing'), '-o', join(dir, 'a.json')), /error: no such directory: .*missing/);
  writeFileSync(join(dir, 'file.yaml'), 'x: 1');
  expect(run(join(dir, 'file.yaml'), '-o', join(dir, 'a.json')), /error: .*file\.yaml is not a directory/);
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'empty', 'notes.txt'), 'not a pathway');
  expect(run(join(dir, 'empty'), '-o', join(dir, 'a.json')), /error: no YAML files in .*empty/);
  mkdirSync(join(dir, 'dangling'));
  writeFileSync(join(dir, 'dangling', 'dispositions.yaml'), TEST_FILES['dispositions.yaml']);
  symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'dangling', 'care-advice.yaml'));
  expect(run(join(dir, 'dangling'), '-o', join(dir, 'a.json')), /error: cannot read .*care-advice\.yaml/);
  const bad = join(dir, 'bad');
  mkdirSync(join(bad, 'pathways'), { recursive: true });
  for (const [key, text] of Object.entries(TEST_FILES)) writeFileSync(join(bad, key), text.replace('next: temperature', 'next: nowhere'));
  expect(run(bad, '-o', join(dir, 'bad.json')), /pathways\/fever\.yaml:\d+:\d+: error .*\n[\s\S]*nothing was written/);
  assert.throws(() => statSync(join(dir, 'bad.json')), /ENOENT/);
  assert.equal(run(bad, '--no-check', '-o', join(dir, 'bad.json')).status, 0);
  assert.equal(run().status, 2);
});

test('npx triage-write-bundle works from an installed package', (t) => {
  const project = scratch(t);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-site', version: '1.0.0', private: true }));
  const exec = (command, ...args) => spawnSync(command, args, { cwd: project, encoding: 'utf8' });
  // --install-links: copied as from the registry, not linked to the build.
  const install = exec('npm', 'install', '--offline', '--no-audit', '--no-fund', '--install-links', PKG_DIR);
  assert.equal(install.status, 0, install.stderr);
  mkdirSync(join(project, 'my-pathways', 'pathways'), { recursive: true });
  for (const [key, text] of Object.entries(TEST_FILES)) writeFileSync(join(project, 'my-pathways', key), text);
  const result = exec('npx', '--offline', 'triage-write-bundle', './my-pathways', '-o', 'bundle.json');
  assert.equal(result.status, 0, result.stderr);
  const { files } = JSON.parse(readFileSync(join(project, 'bundle.json'), 'utf8'));
  assert.deepEqual(Object.keys(files).sort(), Object.keys(TEST_FILES).sort());
});
