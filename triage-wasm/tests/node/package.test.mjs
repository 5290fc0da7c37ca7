// Tests of the npm package (pkg/) as a web developer uses it, run in Node.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PKG_DIR, TEST_FILES, shippedFiles, welshFiles, findJourney } from '../support.mjs';

const triage = await import(pathToFileURL(join(PKG_DIR, 'triage.js')).href);
const { init, Engine, TriageError, validate } = triage;

const ADULT = { age_years: 40, sex: 'female' };
const CHILD = { age_years: 8, sex: 'male' };

let shipped;
let small;

before(async () => {
  await init();
  shipped = Engine.load(shippedFiles());
  small = Engine.load(TEST_FILES);
});

/** Runs `call` and returns the TriageError it throws. */
function refusal(call) {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof TriageError, `expected a TriageError, got ${error}`);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'TriageError');
    assert.equal(error.code, error.detail.code);
    assert.equal(typeof error.message, 'string');
    return error;
  }
  assert.fail('expected the call to be refused');
}

test('the package describes itself for npm and TypeScript', async () => {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(join(PKG_DIR, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'triage-wasm');
  assert.equal(pkg.type, 'module');
  for (const file of [pkg.main, pkg.types, ...pkg.files]) {
    await readFile(join(PKG_DIR, file));
  }
});

test('the shipped bundle loads with no errors and a content hash', () => {
  assert.match(shipped.hash, /^[0-9a-f]{64}$/);
  assert.ok(shipped.stats.pathways >= 3);
  assert.ok(shipped.stats.dispositions > 0);
  assert.ok(shipped.diagnostics.every((d) => d.severity === 'warning'));
  assert.equal(validate(shippedFiles()).summary.errors, 0);
});

test('pathways are listed for the person and found by symptom words', () => {
  const forAdult = shipped.pathways({ patient: ADULT });
  assert.ok(forAdult.length >= 3);
  for (const pathway of forAdult) {
    assert.ok(pathway.ages.from <= 40 && (pathway.ages.to === null || 40 < pathway.ages.to));
    assert.ok(pathway.sexes.includes('female'));
  }
  const found = shipped.pathways({ patient: ADULT, words: 'chest pain' });
  assert.equal(found[0].id, 'chest-pain');
  const fever = small.pathways({ words: 'temperature' });
  assert.deepEqual(fever.map((p) => p.id), ['fever']);
  assert.deepEqual(small.pathways({ patient: { age_years: 2, sex: 'male' } }), []);
});

test('a journey answers question by question to an outcome with reasons and advice', () => {
  const session = small.start('fever', CHILD);
  assert.equal(session.question.id, 'signs');
  assert.equal(session.question.kind, 'multiple');
  assert.equal(session.question.step, 1);
  assert.equal(session.outcome, null);
  session.answer('signs', 'none');
  const temperature = session.answer('temperature', 37.2);
  assert.equal(temperature.type, 'question');
  assert.equal(temperature.id, 'feeling');
  const outcome = session.answer('feeling', 'well');
  assert.equal(outcome.type, 'outcome');
  assert.equal(outcome.disposition.id, 'home');
  assert.equal(outcome.disposition.urgency, 'self_care');
  assert.deepEqual(outcome.care_advice.map((a) => a.id), ['rest']);
  assert.deepEqual(outcome.transcript.map((t) => t.answer), ['None of these', '37.2 °C', 'Quite well']);
  assert.deepEqual(session.answers, [
    { question: 'signs', answer: 'none' },
    { question: 'temperature', answer: 37.2 },
    { question: 'feeling', answer: 'well' },
  ]);
  const emergency = small.start('fever', CHILD);
  const call = emergency.answer('signs', ['rash', 'stiff-neck']);
  assert.equal(call.disposition.urgency, 'emergency');
  assert.deepEqual(call.reasons.map((r) => r.code), ['rash']);
});

test('the shipped pathways reach 999 and self-care', () => {
  const to999 = findJourney(shipped, ADULT, (o) => o.disposition.service === 'ambulance');
  assert.ok(to999, 'no journey reaches an ambulance');
  assert.equal(to999.outcome.disposition.urgency, 'emergency');
  const toSelfCare = findJourney(shipped, ADULT, (o) => o.disposition.urgency === 'self_care');
  assert.ok(toSelfCare, 'no journey reaches self-care');
  assert.ok(toSelfCare.outcome.care_advice.length > 0);
});

test('back takes back the last answer, and nothing before the first question', () => {
  const session = small.start('fever', CHILD);
  const first = session.step;
  assert.equal(session.canGoBack, false);
  assert.equal(refusal(() => session.back()).code, 'nothing_to_go_back');
  session.answer('signs', 'none');
  assert.equal(session.canGoBack, true);
  assert.deepEqual(session.back(), first);
  assert.deepEqual(session.answers, []);
  session.answer('signs', 'none');
  session.answer('temperature', 39);
  assert.equal(session.step.type, 'outcome');
  assert.equal(session.back().id, 'temperature');
});

test('a saved session resumes where it was, and continues', () => {
  const session = small.start('fever', CHILD);
  session.answer('signs', 'none');
  const saved = session.save();
  assert.equal(typeof saved, 'string');
  const resumed = small.resume(saved);
  assert.deepEqual(resumed.step, session.step);
  assert.deepEqual(resumed.patient, { age_years: 8, age_months: 0, sex: 'male', answering: 'self' });
  assert.equal(resumed.language, 'en');
  assert.equal(resumed.pathway, 'fever');
  assert.equal(resumed.answer('temperature', 40).disposition.id, 'gp');
  // The original is unaffected by the copy's progress.
  assert.equal(session.step.id, 'temperature');
});

test('a journey speaks to whoever is answering, in Welsh where the bundle has it', () => {
  const welsh = Engine.load(welshFiles());
  const parent = { age_years: 6, sex: 'male', answering: 'someone_else' };
  const session = welsh.start('sore-throat', parent, { language: 'cy' });
  assert.equal(session.language, 'cy');
  assert.equal(session.question.text, "Ydy'ch plentyn yn gallu llyncu ei boer ei hun?");
  assert.equal(session.question.lang, 'cy');
  assert.deepEqual(session.question.options[0], { id: 'yes', label: 'Ie', lang: 'cy' });
  const next = session.answer('swallow', 'yes');
  assert.equal(next.options[1].label, 'A few days');
  assert.equal(next.options[1].lang, 'en');
  const english = session.setLanguage('en');
  assert.equal(english.text, 'How long has it been sore?');
  // The language survives a save and a resume.
  session.setLanguage('cy');
  assert.equal(welsh.resume(session.save()).language, 'cy');
  // A topic's own start, and a patient the engine refuses.
  assert.equal(welsh.start('sore-throat', parent, { topic: 'sore-throat' }).question.id, 'how-long');
  assert.equal(refusal(() => welsh.start('sore-throat', { age_years: 0, age_months: 13, sex: 'male' })).code,
    'implausible_patient');
  assert.equal(refusal(() => session.setLanguage('fr')).code, 'bad_input');
});

test('a session keeps working after its engine is freed, until it is freed itself', () => {
  const engine = Engine.load(TEST_FILES);
  const session = engine.start('fever', CHILD);
  session.answer('signs', 'none');
  engine.free();
  assert.equal(session.answer('temperature', 40).disposition.id, 'gp');
  assert.deepEqual(
    session.answers.map((a) => a.question),
    ['signs', 'temperature'],
  );
  assert.equal(small.resume(session.save()).outcome.disposition.id, 'gp');
  session.free();
  assert.throws(() => session.save());
});

test('a saved session is refused by another bundle, and garbage is refused', () => {
  const saved = small.start('fever', CHILD).save();
  assert.equal(refusal(() => shipped.resume(saved)).code, 'bundle_mismatch');
  assert.equal(refusal(() => small.resume('{"not": "a session"}')).code, 'bad_session');
  assert.equal(refusal(() => small.resume('')).code, 'bad_session');
  assert.equal(refusal(() => small.resume(42)).code, 'bad_session');
  // A saved step is never believed: one its answers do not lead to is refused.
  const finished = small.start('fever', CHILD);
  finished.answer('signs', 'none');
  assert.equal(finished.answer('temperature', 40).disposition.id, 'gp');
  const forged = JSON.parse(finished.save());
  forged.step = { type: 'outcome', disposition: { id: 'self-care' } };
  const mismatch = refusal(() => small.resume(JSON.stringify(forged)));
  assert.equal(mismatch.code, 'step_mismatch');
  assert.equal(mismatch.detail.rebuilt, 'outcome gp');
  forged.step = { type: 'outcome', disposition: { id: 'gp' } };
  assert.equal(small.resume(JSON.stringify(forged)).outcome.disposition.id, 'gp');
});

test('a bad answer is refused with a stable code and changes nothing', () => {
  const session = small.start('fever', CHILD);
  const before = session.save();
  const cases = [
    [() => session.answer('signs', 'purple'), 'option_not_offered'],
    [() => session.answer('temperature', 37), 'wrong_question'],
    [() => session.answer('signs', 12), 'wrong_answer_kind'],
    [() => session.answer('signs', ['rash', 'none']), 'exclusive_option'],
    [() => session.answer('signs', []), 'nothing_chosen'],
    [() => session.answer('signs', { rash: true }), 'bad_input'],
    [() => session.answer('signs', null), 'bad_input'],
    [() => session.answer(undefined, 'none'), 'bad_input'],
  ];
  for (const [call, code] of cases) {
    assert.equal(refusal(call).code, code);
    assert.equal(session.save(), before, `${code} changed the session`);
  }
  const refused = refusal(() => session.answer('signs', 'purple'));
  assert.equal(refused.detail.option, 'purple');
  assert.deepEqual(refused.detail.offered, ['rash', 'stiff-neck', 'none', 'not_sure']);

  session.answer('signs', 'none');
  const atNumber = session.save();
  assert.equal(refusal(() => session.answer('temperature', 50)).code, 'number_out_of_range');
  assert.equal(refusal(() => session.answer('temperature', NaN)).code, 'bad_input');
  assert.equal(refusal(() => session.answer('temperature', Infinity)).code, 'bad_input');
  assert.equal(refusal(() => session.answer('temperature', 'warm')).code, 'wrong_answer_kind');
  assert.equal(session.save(), atNumber);

  session.answer('temperature', 39);
  assert.equal(refusal(() => session.answer('feeling', 'well')).code, 'answer_after_outcome');
});

test('starting is refused for an unknown pathway or a person it is not for', () => {
  assert.equal(refusal(() => small.start('nope', CHILD)).code, 'unknown_pathway');
  assert.equal(refusal(() => small.start('fever', { age_years: 2, sex: 'male' })).code, 'not_applicable');
  for (const patient of [{ age_years: -1, sex: 'male' }, { age_years: 5 }, { age_years: 5, sex: 'other' }, null, 'adult']) {
    assert.equal(refusal(() => small.start('fever', patient)).code, 'bad_input');
  }
});

test('a bad bundle throws invalid_bundle with the diagnostics validate reports', () => {
  const files = {
    ...TEST_FILES,
    'pathways/fever.yaml': TEST_FILES['pathways/fever.yaml'].replace('next: gp-outcome }\n      not_sure', 'next: nowhere }\n      not_sure'),
    'dispositions.yaml': TEST_FILES['dispositions.yaml'].replace('rank: 2', 'rank: 2, colour: red'),
  };
  const error = refusal(() => Engine.load(files));
  assert.equal(error.code, 'invalid_bundle');
  const report = validate(files);
  assert.deepEqual(error.diagnostics, report.diagnostics);
  assert.ok(report.summary.errors >= 2);
  const unknownKey = report.diagnostics.find((d) => d.code === 'L005');
  assert.equal(unknownKey.file, 'dispositions.yaml');
  assert.equal(unknownKey.line, 4);
  assert.equal(unknownKey.severity, 'error');
  assert.match(unknownKey.help, /colour/);
  const unknownNode = report.diagnostics.find((d) => d.code === 'E203');
  assert.equal(unknownNode.file, 'pathways/fever.yaml');
  assert.ok(unknownNode.line > 0 && unknownNode.column > 0);
  assert.ok(unknownNode.message.includes('nowhere'));
});

test('hostile or malformed bundles are refused, never crash', () => {
  const aliasBomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    .concat(Array.from({ length: 12 }, (_, i) => `l${i}: &l${i} [${Array(10).fill(`*${i ? `l${i - 1}` : 'a'}`).join(', ')}]`))
    .join('\n');
  const bundles = [
    { 'dispositions.yaml': aliasBomb },
    { 'dispositions.yaml': `dispositions:\n${'['.repeat(5000)}${']'.repeat(5000)}\n` },
    { 'dispositions.yaml': '\u0000\u0001binary' },
    { 'dispositions.yaml': 'dispositions: [\n' },
    {},
  ];
  for (const files of bundles) {
    assert.equal(refusal(() => Engine.load(files)).code, 'invalid_bundle');
    assert.ok(validate(files).summary.errors > 0);
  }
  for (const files of [null, 42, 'text', [1, 2], { 'a.yaml': 5 }, { 'a.yaml': { nested: true } }]) {
    assert.equal(refusal(() => Engine.load(files)).code, 'bad_input');
    assert.equal(refusal(() => validate(files)).code, 'bad_input');
  }
  const cyclic = {};
  cyclic.self = cyclic;
  assert.equal(refusal(() => Engine.load(cyclic)).code, 'bad_input');
  assert.equal(refusal(() => Engine.load({ big: 1n })).code, 'bad_input');
  // The engine still works after all of that.
  assert.equal(small.start('fever', CHILD).question.id, 'signs');
});

test('the audit record replays, and a changed record is refused', () => {
  const session = small.start('fever', CHILD);
  session.answer('signs', 'none');
  session.answer('temperature', 37);
  session.answer('feeling', 'unwell');
  const record = session.audit();
  assert.equal(record.bundle, small.hash);
  assert.equal(record.pathway_version, '2.1.0');
  assert.deepEqual(record.steps, ['signs', 'temperature', 'feeling']);
  assert.deepEqual(record.disposition, { id: 'gp', code: 'Dx02' });
  assert.deepEqual(record.reasons, ['unwell']);
  assert.deepEqual(small.replay(record), record);
  assert.equal(refusal(() => small.replay({ ...record, disposition: { id: 'home', code: 'Dx03' } })).code, 'replay_mismatch');
  assert.equal(refusal(() => shipped.replay(record)).code, 'bundle_mismatch');
  assert.equal(refusal(() => small.replay({})).code, 'bad_input');
});

test('the same files give the same hash; any change gives another', () => {
  assert.equal(Engine.load(TEST_FILES).hash, small.hash);
  const changed = { ...TEST_FILES, 'care-advice.yaml': `${TEST_FILES['care-advice.yaml']}# note\n` };
  assert.notEqual(Engine.load(changed).hash, small.hash);
});

test('calls before init are refused with not_initialised', async () => {
  // A second copy of the wrapper module, which has not been initialised.
  const fresh = await import(`${pathToFileURL(join(PKG_DIR, 'triage.js')).href}?fresh`);
  assert.throws(() => fresh.Engine.load(TEST_FILES), (error) => error.code === 'not_initialised');
});

test('random calls are answered or refused with a documented code, never anything else', () => {
  const codes = new Set([
    'bad_input', 'invalid_bundle', 'unknown_pathway', 'not_applicable', 'wrong_question', 'option_not_offered',
    'number_out_of_range', 'wrong_answer_kind', 'exclusive_option', 'duplicate_option', 'nothing_chosen', 'answer_after_outcome',
    'nothing_to_go_back', 'bundle_mismatch', 'replay_mismatch', 'bad_session', 'step_mismatch', 'implausible_patient',
    'unknown_topic',
  ]);
  // A small deterministic generator (mulberry32), so that a failure repeats.
  let seed = 20240611;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (items) => items[Math.floor(random() * items.length)];
  const pathways = shipped.pathways().map((p) => p.id);
  const anyValue = () => pick([
    null, undefined, true, 0, -1, 1.5, 1e308, -0, 'yes', 'no', 'none', 'not_sure', '', '\u0000', 'é'.repeat(50),
    [], ['none'], ['yes', 'yes'], {}, { answer: 'yes' }, Number.MAX_SAFE_INTEGER, 'x'.repeat(10_000),
  ]);
  const anyPatient = () => pick([
    { age_years: Math.floor(random() * 110), sex: pick(['female', 'male']) },
    { age_years: Math.floor(random() * 3), age_months: Math.floor(random() * 14), sex: pick(['female', 'male']) },
    { age_years: 4294967295, age_months: 4294967295, sex: 'male' },
    { age_years: 30, sex: 'female', extra: 1 },
    anyValue(),
  ]);
  const expectRefusalOrResult = (call) => {
    try {
      return call();
    } catch (error) {
      assert.ok(error instanceof TriageError, `not a TriageError: ${error}`);
      assert.ok(codes.has(error.code), `undocumented code ${error.code}`);
      return undefined;
    }
  };

  let sessions = 0;
  let outcomes = 0;
  for (let round = 0; round < 1000; round += 1) {
    const session = expectRefusalOrResult(() => shipped.start(pick([...pathways, 'nope', anyValue()]), anyPatient()));
    expectRefusalOrResult(() => shipped.pathways({ patient: anyPatient(), words: pick(['chest', '', 'Ä', anyValue()]) }));
    if (!session) continue;
    sessions += 1;
    for (let move = 0; move < 40 && session.step.type === 'question'; move += 1) {
      const question = session.step;
      const before = session.save();
      const good = pick(question.options.map((o) => o.id).concat(question.range ? [question.range[0]] : []));
      const value = random() < 0.7 ? good : anyValue();
      const id = random() < 0.9 ? question.id : pick([anyValue(), 'emergency-screen/signs']);
      const step = random() < 0.1
        ? expectRefusalOrResult(() => session.back())
        : expectRefusalOrResult(() => session.answer(id, value));
      if (step === undefined) assert.equal(session.save(), before, 'a refused call changed the session');
    }
    if (session.outcome) outcomes += 1;
    const saved = session.save();
    const mangled = saved.slice(0, Math.floor(random() * saved.length)) + pick(['', '"', '}', '0']) +
      saved.slice(Math.floor(random() * saved.length));
    expectRefusalOrResult(() => shipped.resume(mangled));
    expectRefusalOrResult(() => shipped.replay({ ...session.audit(), steps: [] }));
  }
  assert.ok(sessions > 150 && outcomes > 100, `too few journeys exercised (${sessions}, ${outcomes})`);
});
