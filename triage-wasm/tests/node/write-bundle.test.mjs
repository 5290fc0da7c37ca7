// Tests of the package's bundle writer (`triage-write-bundle`), run from the
// built package as someone who installed it runs it. It writes a compiled
// bundle (an artifact, `.triage`) that a page loads with Engine.fromArtifact.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ARTIFACT_MAGIC, PATHWAYS_DIR, PKG_DIR, SITE_BUNDLE, SITE_DIR, TEST_FILES, looksLikeArtifact, shippedFiles } from '../support.mjs';

const pkg = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));
const TOOL = join(PKG_DIR, pkg.bin['triage-write-bundle']);
const triage = await import(pathToFileURL(join(PKG_DIR, 'triage.js')).href);

before(async () => {
  await Promise.all([triage.init(), triage.initSources()]);
});

function run(...args) {
  return spawnSync(process.execPath, [TOOL, ...args], { encoding: 'utf8' });
}

function scratch(t) {
  const dir = mkdtempSync(join(tmpdir(), 'triage-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `files` ({path: text}) as a pathway directory `dir`. */
function writeDir(dir, files) {
  for (const [key, text] of Object.entries(files)) {
    mkdirSync(join(dir, key, '..'), { recursive: true });
    writeFileSync(join(dir, key), text);
  }
  return dir;
}

/** TEST_FILES with a `next` that leads nowhere: an error (E203). */
const BROKEN_FILES = {
  ...TEST_FILES,
  'pathways/fever.yaml': TEST_FILES['pathways/fever.yaml'].replace('next: temperature', 'next: nowhere'),
};

test('the package ships the bundle writer as a command', () => {
  assert.ok(pkg.files.includes(pkg.bin['triage-write-bundle'].replace('./', '')));
  assert.ok(statSync(TOOL).mode & 0o100, 'the command is executable');
  assert.match(readFileSync(TOOL, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  // It replaced the JSON writer: the package has no bundle.json writer any more.
  assert.ok(!pkg.files.some((file) => /bundle-json/.test(file)));
});

test('it compiles the shipped pathways into an artifact Engine.fromArtifact loads, and says what it took', (t) => {
  const dir = scratch(t);
  const out = join(dir, 'bundle.triage');
  const result = run(PATHWAYS_DIR, '-o', out);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /took {5}dispositions\.yaml/);
  assert.match(result.stderr, /took {5}pathways\/chest-pain\.cases\.yaml/, 'case packs are read (and counted in the hash)');
  assert.match(result.stderr, /left out README\.md \(not YAML\)/);
  assert.match(result.stderr, /checked: \d+ pathway/);
  const bytes = readFileSync(out);
  assert.ok(bytes.subarray(0, ARTIFACT_MAGIC.length).equals(ARTIFACT_MAGIC), 'not an artifact');
  assert.ok(looksLikeArtifact(bytes), 'its checksum does not match');
  // Exactly what compile() makes of the same files, with the hash Engine.load gives them.
  assert.deepEqual(bytes, Buffer.from(triage.compile(shippedFiles())));
  const engine = triage.Engine.fromArtifact(bytes);
  assert.ok(engine.stats.pathways >= 3);
  assert.equal(engine.hash, triage.Engine.load(shippedFiles()).hash);
  assert.equal(engine.hash, triage.Engine.fromArtifact(readFileSync(SITE_BUNDLE)).hash, 'the demo site was built with the same tool');
  // Its last line reports what it wrote.
  const summary = result.stderr.trim().split('\n').at(-1);
  assert.match(summary, new RegExp(`compiled into .*bundle\\.triage: ${engine.stats.pathways} pathway\\(s\\), ${bytes.length} bytes, content hash ${engine.hash}$`));
  assert.deepEqual(readdirSync(dir), ['bundle.triage'], 'a temporary file was left behind');
});

test('"-o -" writes the artifact to standard output and nothing else there', (t) => {
  const dir = writeDir(join(scratch(t), 'my-pathways'), TEST_FILES);
  const result = spawnSync(process.execPath, [TOOL, '--quiet', dir, '-o', '-'], { encoding: 'buffer' });
  assert.equal(result.status, 0, result.stderr.toString());
  assert.deepEqual(result.stdout, Buffer.from(triage.compile(TEST_FILES)));
  assert.equal(triage.Engine.fromArtifact(result.stdout).hash, triage.Engine.load(TEST_FILES).hash);
  assert.match(result.stderr.toString(), /compiled into standard output: 1 pathway\(s\)/);
  assert.deepEqual(readdirSync(join(dir, '..')), ['my-pathways'], 'no file was written');
});

test('a directory with errors is refused with its diagnostics, and nothing is written', (t) => {
  const dir = scratch(t);
  const bad = writeDir(join(dir, 'bad'), BROKEN_FILES);
  const out = join(dir, 'out', 'bundle.triage');
  mkdirSync(join(dir, 'out'));
  for (const args of [[], ['--no-check'], ['--quiet']]) {
    const result = run(...args, bad, '-o', out);
    assert.equal(result.status, 1, `${args}: ${result.stderr}`);
    // Located: the file and line of the `next` that leads nowhere.
    assert.match(result.stderr, /pathways\/fever\.yaml:\d+(:\d+)?: error E203: .*nowhere/, String(args));
    assert.match(result.stderr, /nothing was written/);
    assert.deepEqual(readdirSync(join(dir, 'out')), [], `${args}: a file was written (or a temporary one left)`);
  }
  // An artifact already there is left as it was.
  const earlier = Buffer.from(triage.compile(TEST_FILES));
  writeFileSync(out, earlier);
  assert.equal(run(bad, '-o', out).status, 1);
  assert.deepEqual(readFileSync(out), earlier);
  assert.deepEqual(readdirSync(join(dir, 'out')), ['bundle.triage']);
  // And to standard output: nothing.
  const piped = spawnSync(process.execPath, [TOOL, bad, '-o', '-'], { encoding: 'buffer' });
  assert.equal(piped.status, 1);
  assert.equal(piped.stdout.length, 0);
});

test('its other errors are clear and exit with 1, and usage errors with 2', (t) => {
  const dir = scratch(t);
  const expect = (result, pattern) => {
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, pattern);
  };
  expect(run(join(dir, 'missing'), '-o', join(dir, 'a.triage')), /error: no such directory: .*missing/);
  writeFileSync(join(dir, 'file.yaml'), 'x: 1');
  expect(run(join(dir, 'file.yaml'), '-o', join(dir, 'a.triage')), /error: .*file\.yaml is not a directory/);
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'empty', 'notes.txt'), 'not a pathway');
  expect(run(join(dir, 'empty'), '-o', join(dir, 'a.triage')), /error: no YAML files in .*empty/);
  mkdirSync(join(dir, 'dangling'));
  writeFileSync(join(dir, 'dangling', 'dispositions.yaml'), TEST_FILES['dispositions.yaml']);
  symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'dangling', 'care-advice.yaml'));
  expect(run(join(dir, 'dangling'), '-o', join(dir, 'a.triage')), /error: cannot read .*care-advice\.yaml/);
  const good = writeDir(join(dir, 'good'), TEST_FILES);
  expect(run(good, '-o', join(dir, 'no-such-dir', 'a.triage')), /error: cannot write .*a\.triage: its folder does not exist/);
  assert.throws(() => statSync(join(dir, 'a.triage')), /ENOENT/);
  // The output is a directory: the temporary file written beside it is removed again.
  mkdirSync(join(dir, 'taken.triage'));
  expect(run(good, '-o', join(dir, 'taken.triage')), /error: cannot write .*taken\.triage: it is a directory/);
  assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), [], 'a temporary file was left behind');
  assert.deepEqual(readdirSync(join(dir, 'taken.triage')), []);
  // Never over one of its own inputs.
  const catalogue = readFileSync(join(good, 'dispositions.yaml'));
  expect(run(good, '-o', join(good, 'dispositions.yaml')), /error: .*dispositions\.yaml is one of the bundle's own files/);
  assert.deepEqual(readFileSync(join(good, 'dispositions.yaml')), catalogue);
  assert.equal(run().status, 2);
  assert.equal(run(good).status, 2, 'no output file');
  assert.equal(run(good, '-o', join(dir, 'a.triage'), '--frobnicate').status, 2);
});

test('npx triage-write-bundle works from an installed package', (t) => {
  const project = scratch(t);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-site', version: '1.0.0', private: true }));
  const exec = (command, ...args) => spawnSync(command, args, { cwd: project, encoding: 'utf8' });
  // --install-links: copied as from the registry, not linked to the build.
  const install = exec('npm', 'install', '--offline', '--no-audit', '--no-fund', '--install-links', PKG_DIR);
  assert.equal(install.status, 0, install.stderr);
  writeDir(join(project, 'my-pathways'), TEST_FILES);
  const result = exec('npx', '--offline', 'triage-write-bundle', './my-pathways', '-o', 'bundle.triage');
  assert.equal(result.status, 0, result.stderr);
  const engine = triage.Engine.fromArtifact(readFileSync(join(project, 'bundle.triage')));
  assert.deepEqual(engine.pathways().map((p) => p.id), ['fever']);
  assert.equal(engine.hash, triage.Engine.load(TEST_FILES).hash);
});

test('--split writes the catalog and a part per pathway, the same bytes as compileSplit() and `triage compile --split`', (t) => {
  const dir = scratch(t);
  const out = join(dir, 'bundle');
  const result = run(PATHWAYS_DIR, '--quiet', '--split', out);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr.trim().split('\n').at(-1), /compiled into .*bundle: catalog\.triage \(\d+ bytes\) and \d+ parts/);
  const split = triage.compileSplit(shippedFiles());
  assert.deepEqual(readdirSync(out).sort(), [...split.keys()].sort(), 'a temporary file was left behind, or a file is missing');
  for (const [name, bytes] of split) assert.deepEqual(readFileSync(join(out, name)), Buffer.from(bytes), name);
  // The demo site was built with it.
  for (const name of ['catalog.triage', 'chest-pain.part.triage']) {
    assert.deepEqual(readFileSync(join(SITE_DIR, 'bundle', name)), Buffer.from(split.get(name)), `site/bundle/${name}`);
  }
  // The command-line tool writes the same bytes, where it is built.
  const target = process.env.CARGO_TARGET_DIR ?? join(PKG_DIR, '..', '..', 'target');
  const cli = join(target, 'debug', 'triage');
  if (!existsSync(cli)) {
    t.diagnostic(`${cli} is not built: not compared with \`triage compile --split\``);
    return;
  }
  const fromCli = join(dir, 'cli');
  const compiled = spawnSync(cli, ['compile', PATHWAYS_DIR, '--split', fromCli], { encoding: 'utf8' });
  assert.equal(compiled.status, 0, compiled.stderr);
  assert.deepEqual(readdirSync(fromCli).sort(), readdirSync(out).sort());
  for (const name of readdirSync(out)) assert.deepEqual(readFileSync(join(fromCli, name)), readFileSync(join(out, name)), name);
});
