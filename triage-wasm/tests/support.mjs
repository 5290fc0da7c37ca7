// Shared by the Node and browser tests: the shipped bundle, a small bundle
// written for the tests, compiled bundles (artifacts) and damaged copies of
// them, the demo site's server, and a search for journeys that reach a given
// outcome.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const CRATE_DIR = join(here, '..');
export const ROOT_DIR = join(CRATE_DIR, '..');
export const PKG_DIR = join(CRATE_DIR, 'pkg');
export const SITE_DIR = join(CRATE_DIR, 'site');
/** The directory of the shipped pathways. */
export const PATHWAYS_DIR = join(ROOT_DIR, 'pathways');
/** The demo site's compiled bundle, built from PATHWAYS_DIR by scripts/build-wasm.sh. */
export const SITE_BUNDLE = join(SITE_DIR, 'bundle.triage');

/** The shipped pathways as `{path: text}`, read as the build script reads them. */
export function shippedFiles() {
  return bundleFiles(PATHWAYS_DIR);
}

/** The fixture bundle written in English and Welsh, per audience. */
export function welshFiles() {
  return bundleFiles(join(ROOT_DIR, 'tests', 'fixtures', 'welsh'));
}

/** The YAML files of the bundle directory `root` as `{path: text}`, case packs included. */
export function bundleFiles(root) {
  const files = {};
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry.name)) files[relative(root, path).split(sep).join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return files;
}

// --- Compiled bundles (artifacts) ----------------------------------------------
// The layout (triage-core/src/artifact): an 8-byte signature, the format
// version (u32, little-endian), the SHA-256 of the payload, the payload.

/** The signature every artifact starts with. */
export const ARTIFACT_MAGIC = Buffer.from('\x89TRI\r\n\x1a\n', 'latin1');
export const VERSION_AT = 8;
export const DIGEST_AT = 12;
export const PAYLOAD_AT = 44;

/** Whether `bytes` have the artifact layout, with a checksum that matches the payload. */
export function looksLikeArtifact(bytes) {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return data.length > PAYLOAD_AT && data.subarray(0, VERSION_AT).equals(ARTIFACT_MAGIC) &&
    createHash('sha256').update(data.subarray(PAYLOAD_AT)).digest().equals(data.subarray(DIGEST_AT, PAYLOAD_AT));
}

/** A copy of the artifact `bytes` with one byte of its payload changed (its checksum no longer matches). */
export function flipPayloadByte(bytes) {
  const copy = Buffer.from(bytes);
  copy[PAYLOAD_AT + Math.floor((copy.length - PAYLOAD_AT) / 2)] ^= 0x01;
  return copy;
}

/**
 * Damaged copies of the artifact `bytes`, each with the code Engine.fromArtifact
 * refuses it with: [{name, bytes, code}].
 */
export function damagedArtifacts(bytes) {
  const newer = Buffer.from(bytes);
  newer.writeUInt32LE(newer.readUInt32LE(VERSION_AT) + 1, VERSION_AT);
  // A checksum that matches, over a payload that is not a compiled bundle:
  // what a hand-made or wrongly converted file would be.
  const garbage = Buffer.concat([Buffer.from(bytes).subarray(0, PAYLOAD_AT), Buffer.from('not a compiled bundle')]);
  createHash('sha256').update(garbage.subarray(PAYLOAD_AT)).digest().copy(garbage, DIGEST_AT);
  return [
    { name: 'one byte of the payload flipped', bytes: flipPayloadByte(bytes), code: 'artifact_corrupted' },
    { name: 'the format version + 1', bytes: newer, code: 'artifact_format' },
    { name: 'cut to 20 bytes', bytes: Buffer.from(bytes).subarray(0, 20), code: 'artifact_truncated' },
    { name: 'a JSON file (the old bundle.json)', bytes: Buffer.from(JSON.stringify({ files: TEST_FILES })), code: 'not_an_artifact' },
    { name: 'a checksum that matches a payload that is not a bundle', bytes: garbage, code: 'artifact_malformed' },
  ];
}

// --- Serving a site -------------------------------------------------------------

/**
 * Serves `dir` with tools/serve.py on a free port, as the README says to serve
 * the demo (precompressed .br/.gz copies sent by Accept-Encoding). Resolves to
 * {url, log, stop}; `log()` is what it printed (one line per request).
 */
export function serveSite(dir) {
  const child = spawn(process.env.PYTHON ?? 'python3', ['-u', join(CRATE_DIR, 'tools', 'serve.py'), '--port', '0', '--bind', '127.0.0.1', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => { out += chunk; });
  child.stderr.on('data', (chunk) => { err += chunk; });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`serve.py did not start: ${out}${err}`));
    }, 15_000);
    const ready = () => {
      // "Serving DIR at http://127.0.0.1:PORT/ (compressed: br, gzip)"
      const at = / at (http:\/\/[^\s]+\/) \(compressed/.exec(out);
      if (!at) return;
      clearTimeout(timer);
      child.stdout.off('data', ready);
      resolve({ url: at[1], log: () => out, stop });
    };
    child.stdout.on('data', ready);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve.py exited (${code}): ${out}${err}`)); });
  });
}

/** A small bundle with one question of each kind, independent of the shipped content. */
export const TEST_FILES = {
  'dispositions.yaml': `
dispositions:
  - { id: ambulance, code: Dx01, title: Call 999, service: ambulance, act_within_minutes: 0, service_standard_minutes: 15, rank: 1 }
  - { id: gp, code: Dx02, title: See a GP, service: gp, act_within_minutes: 1440, rank: 2 }
  - { id: home, code: Dx03, title: Look after yourself, service: self_care, rank: 3, advice: [rest] }
`,
  'care-advice.yaml': `
care_advice:
  - { id: rest, title: Rest, text: Rest and drink plenty of fluids. }
`,
  'pathways/fever.yaml': `
pathway:
  id: fever
  title: Fever
  version: 2.1.0
  summary: A high temperature.
  ages: { from: 5 }
  sexes: [female, male]
  keywords: [fever, temperature]
  sources: [{ title: Fever, url: "https://example.org/fever" }]
  start: signs
nodes:
  signs:
    question:
      text: Do you have any of these?
      kind: multiple
      options:
        - { id: rash, label: A rash, next: call, reason: Rash with fever, reason_code: rash }
        - { id: stiff-neck, label: A stiff neck, next: call }
      none: { next: temperature }
      not_sure: { next: call }
  temperature:
    question:
      text: What is your temperature?
      kind: number
      unit: °C
      range: { min: 30, max: 45 }
      bands:
        - { below: 38, next: feeling }
        - { from: 38, next: gp-outcome }
      not_sure: { next: gp-outcome }
  feeling:
    question:
      text: How do you feel?
      kind: single
      options:
        - { id: well, label: Quite well, next: home-outcome }
        - { id: unwell, label: Unwell, next: gp-outcome, reason: Feeling unwell, reason_code: unwell }
      not_sure: { next: gp-outcome }
  call:
    outcome: { disposition: ambulance }
  gp-outcome:
    outcome: { disposition: gp }
  home-outcome:
    outcome: { disposition: home }
`,
};

/** Answers worth trying at a question, the likeliest to be benign first. */
export function candidateAnswers(question) {
  const ids = question.options.map((o) => o.id);
  const ordered = [...ids.filter((id) => id === 'none' || id === 'no'), ...ids.filter((id) => id !== 'none' && id !== 'no')];
  if (question.kind === 'multiple') {
    return ordered.map((id) => (id === 'none' || id === 'not_sure' ? id : [id]));
  }
  if (question.kind === 'number') {
    const [min, max] = question.range ?? [0, 100];
    const points = [min, min + (max - min) / 4, min + (max - min) / 2, min + (3 * (max - min)) / 4, max];
    return [...points.map((p) => Math.round(p * 10) / 10), ...ordered];
  }
  return ordered;
}

/**
 * Searches the pathways, by answering and going back, for a journey whose
 * outcome satisfies `wanted`. Returns {pathway, title, answers: [{question,
 * text, kind, answer, labels}], outcome} or null.
 */
export function findJourney(engine, patient, wanted, options) {
  return findPath(engine, patient, (step) => step.type === 'outcome' && wanted(step), options);
}

/**
 * Like findJourney, but stops at the first step (question or outcome) that
 * satisfies `wanted`; `step` is that step.
 */
export function findPath(engine, patient, wanted, { maxAnswers = 20000 } = {}) {
  let budget = maxAnswers;
  for (const pathway of engine.pathways({ patient })) {
    const session = engine.start(pathway.id, patient);
    const path = [];
    const search = () => {
      const step = session.step;
      if (wanted(step)) return true;
      if (step.type === 'outcome') return false;
      for (const answer of candidateAnswers(step)) {
        if (--budget < 0) return false;
        try {
          session.answer(step.id, answer);
        } catch {
          continue;
        }
        const labels = step.kind === 'number' && typeof answer === 'number'
          ? [String(answer)]
          : [answer].flat().map((id) => step.options.find((o) => o.id === id)?.label);
        path.push({ question: step.id, text: step.text, kind: step.kind, answer, labels });
        if (search()) return true;
        path.pop();
        session.back();
      }
      return false;
    };
    if (search()) {
      return { pathway: pathway.id, title: pathway.title, answers: path, step: session.step, outcome: session.outcome };
    }
  }
  return null;
}
