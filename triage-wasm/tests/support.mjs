// Shared by the Node and browser tests: the shipped bundle, a small bundle
// written for the tests, and a search for journeys that reach a given outcome.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const CRATE_DIR = join(here, '..');
export const ROOT_DIR = join(CRATE_DIR, '..');
export const PKG_DIR = join(CRATE_DIR, 'pkg');
export const SITE_DIR = join(CRATE_DIR, 'site');

/** The shipped pathways as `{path: text}`, read as the build script reads them. */
export function shippedFiles() {
  return bundleFiles(join(ROOT_DIR, 'pathways'));
}

/** The fixture bundle written in English and Welsh, per audience. */
export function welshFiles() {
  return bundleFiles(join(ROOT_DIR, 'tests', 'fixtures', 'welsh'));
}

/** The YAML files of the bundle directory `root` as `{path: text}`. */
function bundleFiles(root) {
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
