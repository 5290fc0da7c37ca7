// Tests of the npm package (pkg/) as a web developer uses it, run in Node.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  PKG_DIR, SITE_BUNDLE, TEST_FILES, ARTIFACT_MAGIC, VERSION_AT, DIGEST_AT, PAYLOAD_AT, damagedArtifacts, findJourney, looksLikeArtifact,
  shippedFiles, welshFiles,
} from '../support.mjs';

const TRIAGE_URL = pathToFileURL(join(PKG_DIR, 'triage.js')).href;
const triage = await import(TRIAGE_URL);
const { init, initSources, compile, compileSplit, Engine, TriageError, validate } = triage;

const ADULT = { age_years: 40, sex: 'female' };
const CHILD = { age_years: 8, sex: 'male' };

let shipped;
let small;

before(async () => {
  // The runtime module, and the module that reads pathway files (YAML).
  await Promise.all([init(), initSources()]);
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

test('an outcome reads its transcript when it is first used, and keeps it when the session moves on', async () => {
  const raw = await import(pathToFileURL(join(PKG_DIR, 'triage_wasm.js')).href);
  const session = small.start('fever', CHILD);
  session.answer('signs', 'none');
  session.answer('temperature', 37.2);
  const outcome = session.answer('feeling', 'well');
  // Every field of the step, the transcript among them, as JSON writes it.
  const written = JSON.parse(JSON.stringify(outcome));
  assert.deepEqual(written.transcript.map((t) => t.question), ['signs', 'temperature', 'feeling']);
  assert.deepEqual(Object.keys(written), ['format', 'type', 'disposition', 'care_advice', 'reasons', 'transcript']);
  // Read from a step handed out before the session went back: still this outcome's.
  const again = session.step;
  session.back();
  assert.equal(session.outcome, null);
  assert.deepEqual(again.transcript.map((t) => t.answer), ['None of these', '37.2 °C', 'Quite well']);
  // Set by a caller, it is the caller's value.
  const mine = session.answer('feeling', 'unwell');
  mine.transcript = [];
  assert.deepEqual(mine.transcript, []);
  assert.equal(session.outcome.transcript.length, 3);
  // Beneath the wrapper, the answer that ends the journey leaves the
  // transcript out, and the session gives it on request.
  const engine = raw.Engine.fromArtifact(compile(TEST_FILES));
  const handle = engine.start(JSON.stringify({ pathway: 'fever', patient: CHILD }));
  handle.answer(JSON.stringify({ question: 'signs', answer: 'none' }));
  assert.deepEqual(JSON.parse(handle.transcript()), []);
  handle.answer(JSON.stringify({ question: 'temperature', answer: 37.2 }));
  const end = JSON.parse(handle.answer(JSON.stringify({ question: 'feeling', answer: 'well' })));
  assert.equal(end.type, 'outcome');
  assert.equal('transcript' in end, false);
  assert.deepEqual(JSON.parse(handle.transcript()), written.transcript);
  handle.free();
  engine.free();
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
  const fresh = await import(`${TRIAGE_URL}?fresh`);
  const bytes = compile(TEST_FILES);
  for (const call of [() => fresh.Engine.fromArtifact(bytes), () => fresh.Engine.load(TEST_FILES), () => fresh.compile(TEST_FILES), () => fresh.validate(TEST_FILES)]) {
    assert.throws(call, (error) => error instanceof fresh.TriageError && error.code === 'not_initialised');
  }
});

test('validate, compile and Engine.load need initSources(); Engine.fromArtifact needs only init()', async () => {
  // A copy of the wrapper whose runtime module is loaded, as in a page, but
  // not the module that reads pathway files.
  const page = await import(`${TRIAGE_URL}?runtime-only`);
  await page.init();
  const calls = {
    'validate()': () => page.validate(TEST_FILES),
    'compile()': () => page.compile(TEST_FILES),
    'Engine.load()': () => page.Engine.load(TEST_FILES),
  };
  for (const [name, call] of Object.entries(calls)) {
    const error = captured(call);
    assert.ok(error instanceof page.TriageError, `${name}: ${error}`);
    assert.equal(error.code, 'not_initialised', name);
    assert.ok(error.message.startsWith(name), `${name}: ${error.message}`);
    assert.match(error.message, /initSources\(\)/, `${name} does not say what to call`);
  }
  // A compiled bundle needs nothing more, and runs journeys.
  const engine = page.Engine.fromArtifact(compile(TEST_FILES));
  assert.equal(engine.hash, small.hash);
  assert.equal(engine.start('fever', CHILD).answer('signs', ['rash']).disposition.id, 'ambulance');
  // Once initSources() has run, the same copy reads pathway files.
  await page.initSources();
  assert.equal(page.Engine.load(TEST_FILES).hash, small.hash);
  assert.equal(page.validate(TEST_FILES).summary.errors, 0);
});

/** The error `call` throws. */
function captured(call) {
  try {
    call();
  } catch (error) {
    return error;
  }
  return assert.fail('expected the call to throw');
}

test("the site's bundle.triage loads with Engine.fromArtifact as the pathway files load with Engine.load", () => {
  const bytes = readFileSync(SITE_BUNDLE);
  const compiled = Engine.fromArtifact(bytes);
  // The same content hash, counts and pathways as the files it was compiled from.
  assert.equal(compiled.hash, shipped.hash);
  assert.match(compiled.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(compiled.stats, shipped.stats);
  assert.deepEqual(compiled.diagnostics, []);
  assert.deepEqual(compiled.pathways(), shipped.pathways());
  assert.deepEqual(compiled.pathways({ patient: ADULT, words: 'chest pain' }), shipped.pathways({ patient: ADULT, words: 'chest pain' }));
  // The same first step on every pathway, for an adult and for a child, in English and Welsh.
  let compared = 0;
  for (const patient of [ADULT, CHILD]) {
    for (const { id } of shipped.pathways({ patient })) {
      for (const language of ['en', 'cy']) {
        assert.deepEqual(compiled.start(id, patient, { language }).step, shipped.start(id, patient, { language }).step, `${id} (${language})`);
        compared += 1;
      }
    }
  }
  assert.ok(compared >= 12, `only ${compared} first steps compared`);
  // The same journey to an outcome, and each checks the other's sessions and records.
  const journey = findJourney(compiled, ADULT, (o) => o.disposition.urgency === 'emergency');
  assert.ok(journey, 'no journey of the compiled bundle reaches an emergency');
  const session = shipped.start(journey.pathway, ADULT);
  for (const { question, answer } of journey.answers) session.answer(question, answer);
  assert.deepEqual(session.outcome, journey.outcome);
  assert.deepEqual(compiled.replay(session.audit()), session.audit());
  assert.deepEqual(compiled.resume(session.save()).outcome, journey.outcome);
});

test('compile() writes an artifact that loads into the same engine, from any kind of bytes', () => {
  const bytes = compile(TEST_FILES);
  assert.ok(bytes instanceof Uint8Array);
  assert.ok(Buffer.from(bytes.subarray(0, ARTIFACT_MAGIC.length)).equals(ARTIFACT_MAGIC), 'it starts with the signature');
  assert.equal(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(VERSION_AT), 2, 'format 2');
  assert.ok(looksLikeArtifact(bytes), 'its checksum matches its payload');
  // The same files give the same bytes.
  assert.deepEqual(compile(new Map(Object.entries(TEST_FILES))), bytes);
  // A Uint8Array, an ArrayBuffer, Node's Buffer, a DataView, and a view that
  // starts part of the way into its buffer.
  const offset = new Uint8Array(bytes.length + 7);
  offset.set(bytes, 7);
  const forms = {
    Uint8Array: bytes,
    ArrayBuffer: bytes.slice().buffer,
    Buffer: Buffer.from(bytes),
    DataView: new DataView(bytes.slice().buffer),
    'a view at an offset': offset.subarray(7),
  };
  for (const [form, value] of Object.entries(forms)) {
    const engine = Engine.fromArtifact(value);
    assert.equal(engine.hash, small.hash, form);
    assert.deepEqual(engine.stats, small.stats, form);
    assert.deepEqual(engine.start('fever', CHILD).step, small.start('fever', CHILD).step, form);
  }
  // The shipped pathways compile to the bundle the site serves.
  assert.deepEqual(Buffer.from(compile(shippedFiles())), readFileSync(SITE_BUNDLE),
    'site/bundle.triage is not what compile() makes of the shipped pathways: rebuild with scripts/build-wasm.sh');
});

test('a damaged artifact is refused with its code and a message that says to compile it again', () => {
  const good = compile(TEST_FILES);
  for (const { name, bytes, code } of damagedArtifacts(good)) {
    const error = refusal(() => Engine.fromArtifact(bytes));
    assert.equal(error.code, code, name);
    assert.match(error.message, /`triage compile`/, `${name}: ${error.message}`);
  }
  const newer = damagedArtifacts(good).find((d) => d.code === 'artifact_format');
  assert.match(refusal(() => Engine.fromArtifact(newer.bytes)).message, /format 3, and this engine reads format 2/);
  // Anything but bytes: the text of a file, its name, the files, nothing.
  for (const value of [new TextDecoder('latin1').decode(good), 'bundle.triage', TEST_FILES, [...good], null, undefined, 42]) {
    const error = refusal(() => Engine.fromArtifact(value));
    assert.equal(error.code, 'bad_input');
    assert.match(error.message, /Uint8Array or an ArrayBuffer/);
  }
  // The engine still works after all of that.
  assert.equal(Engine.fromArtifact(good).start('fever', CHILD).question.id, 'signs');
});

test('changed payloads with a matching checksum are refused as malformed or load, never crash', () => {
  // What a hand-made artifact could be: the checksum passes, so the decoder
  // and the engine's own checks of the compiled graph are all that stand.
  const good = Buffer.from(compile(TEST_FILES));
  let seed = 7;
  const random = (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const outcomes = { refused: 0, loaded: 0 };
  for (let round = 0; round < 300; round += 1) {
    let payload = Buffer.from(good.subarray(PAYLOAD_AT));
    const at = random(payload.length);
    if (round % 3 === 0) payload = payload.subarray(0, at);
    else for (let i = 0; i < 1 + random(3); i += 1) payload[random(payload.length)] ^= 1 << random(8);
    const bytes = Buffer.concat([good.subarray(0, PAYLOAD_AT), payload]);
    createHash('sha256').update(payload).digest().copy(bytes, DIGEST_AT);
    let engine;
    try {
      engine = Engine.fromArtifact(bytes);
    } catch (error) {
      assert.ok(error instanceof TriageError, `not a TriageError: ${error}`);
      assert.equal(error.code, 'artifact_malformed', error.message);
      assert.match(error.message, /`triage compile`/);
      outcomes.refused += 1;
      continue;
    }
    // Loaded (a changed text, say): journeys are answered or refused, never a trap.
    outcomes.loaded += 1;
    try {
      const session = engine.start('fever', CHILD);
      for (const answer of ['none', 37, 'well']) {
        if (session.step.type !== 'question') break;
        session.answer(session.step.id, answer);
      }
    } catch (error) {
      assert.ok(error instanceof TriageError && error.code !== 'internal', `${error}`);
    }
  }
  assert.ok(outcomes.refused > 100, `only ${outcomes.refused} refused`);
});

test('compile() of a bundle with errors throws invalid_bundle with located diagnostics', () => {
  const files = {
    ...TEST_FILES,
    'pathways/fever.yaml': TEST_FILES['pathways/fever.yaml'].replace('next: temperature', 'next: nowhere'),
  };
  const error = refusal(() => compile(files));
  assert.equal(error.code, 'invalid_bundle');
  assert.deepEqual(error.diagnostics, validate(files).diagnostics);
  assert.deepEqual(error.detail.diagnostics, error.diagnostics);
  const unknownNode = error.diagnostics.find((d) => d.code === 'E203');
  assert.ok(unknownNode, `no E203 in ${JSON.stringify(error.diagnostics)}`);
  assert.equal(unknownNode.severity, 'error');
  assert.equal(unknownNode.file, 'pathways/fever.yaml');
  const line = TEST_FILES['pathways/fever.yaml'].split('\n').findIndex((text) => text.includes('next: temperature')) + 1;
  assert.equal(unknownNode.line, line, 'the diagnostic points at the line of the bad `next`');
  assert.ok(unknownNode.column > 0);
  assert.match(unknownNode.message, /nowhere/);
  // A YAML syntax error is located too; and an argument that is not files is bad_input.
  const broken = refusal(() => compile({ ...TEST_FILES, 'care-advice.yaml': 'care_advice: [\n' }));
  assert.equal(broken.code, 'invalid_bundle');
  assert.ok(broken.diagnostics.some((d) => d.file === 'care-advice.yaml' && d.line > 0 && d.severity === 'error'));
  for (const value of [null, 'text', [1, 2], { 'a.yaml': 5 }]) assert.equal(refusal(() => compile(value)).code, 'bad_input');
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

test('a split bundle: the catalog lists and searches, and starts a journey once its part is added', () => {
  const split = compileSplit(shippedFiles());
  const catalog = Engine.fromArtifact(split.get('catalog.triage'));
  assert.equal(catalog.kind, 'catalog');
  assert.equal(shipped.kind, 'whole');
  assert.equal(catalog.hash, shipped.hash);
  for (const query of [{ patient: ADULT }, { patient: ADULT, words: 'chest pain' }, { words: 'rash' }]) {
    assert.deepEqual(catalog.pathways(query), shipped.pathways(query));
  }
  // Not loaded: refused with the file to load.
  const refused = refusal(() => catalog.start('chest-pain', ADULT));
  assert.equal(refused.code, 'pathway_not_loaded');
  assert.match(refused.message, /chest-pain\.part\.triage/);
  assert.equal(catalog.partNeeded('chest-pain'), 'chest-pain.part.triage');
  assert.equal(catalog.partNeeded('no-such-pathway'), null);
  assert.equal(shipped.partNeeded('chest-pain'), null);
  const saved = shipped.start('chest-pain', ADULT).save();
  assert.equal(refusal(() => catalog.resume(saved)).code, 'pathway_not_loaded');

  const ids = catalog.addPart(split.get('chest-pain.part.triage'));
  assert.ok(ids.includes('chest-pain'), ids.join(', '));
  assert.equal(catalog.partNeeded('chest-pain'), null);
  // The same journey, saved session and audit record as with the whole bundle.
  const a = catalog.start('chest-pain', ADULT);
  const b = shipped.start('chest-pain', ADULT);
  while (!b.outcome) {
    assert.deepEqual(a.step, b.step);
    const option = b.question.kind === 'number' ? b.question.range[0] : b.question.options[0].id;
    const answer = b.question.kind === 'multiple' ? [option] : option;
    a.answer(b.question.id, answer);
    b.answer(b.question.id, answer);
  }
  assert.deepEqual(a.step, b.step);
  assert.equal(a.save(), b.save());
  assert.deepEqual(a.audit(), b.audit());
  assert.deepEqual(catalog.replay(b.audit()), b.audit());
  assert.equal(catalog.resume(b.save()).save(), b.save());
  // Other pathways still need their parts.
  assert.equal(refusal(() => catalog.start('sore-throat', ADULT)).code, 'pathway_not_loaded');
});

test('a damaged part, one of another format and one of another bundle are refused by addPart', () => {
  const split = compileSplit(shippedFiles());
  const catalog = Engine.fromArtifact(split.get('catalog.triage'));
  const part = split.get('sore-throat.part.triage');
  const corrupted = Uint8Array.from(part);
  corrupted[corrupted.length - 1] ^= 1;
  const older = Uint8Array.from(part);
  new DataView(older.buffer).setUint32(VERSION_AT, 1, true);
  const foreign = compileSplit(TEST_FILES).get('fever.part.triage');
  for (const [bytes, code, words] of [
    [corrupted, 'artifact_corrupted', /corrupted/],
    [older, 'artifact_format', /format 1/],
    [foreign, 'part_mismatch', /another bundle/],
    [split.get('catalog.triage'), 'artifact_not_a_part', /not a part/],
    [compile(shippedFiles()), 'artifact_not_a_part', /not a part/],
    [part.subarray(0, 3), 'artifact_truncated', /cut short/],
  ]) {
    const error = refusal(() => catalog.addPart(bytes));
    assert.equal(error.code, code);
    assert.match(error.message, words);
  }
  assert.equal(refusal(() => catalog.addPart('not bytes')).code, 'bad_input');
  // Nothing was added.
  assert.equal(catalog.partNeeded('sore-throat'), 'sore-throat.part.triage');
});
