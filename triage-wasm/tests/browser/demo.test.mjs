// Tests of the demo page (site/) in headless Chromium, served as the README
// says (tools/serve.py, precompressed): whole journeys, back, reload, the
// error summary, keyboard use, loading, compression, and axe-core on every
// page state. The journeys are found in the page's own bundle.triage by the
// engine itself (in Node), so the tests follow the content as it grows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { PKG_DIR, SITE_BUNDLE, SITE_DIR, findJourney, findPath, flipPayloadByte, serveSite } from '../support.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADULT = { age_years: 40, sex: 'female' };
const TIMEOUT = { timeout: 90_000 };

let server;
let baseUrl;
let browser;
let engine;

before(async () => {
  const triage = await import(pathToFileURL(join(PKG_DIR, 'triage.js')).href);
  await triage.init();
  // The compiled pathways the page serves, loaded as the page loads them, so
  // the journeys found here are the page's.
  engine = triage.Engine.fromArtifact(readFileSync(SITE_BUNDLE));

  server = await serveSite(SITE_DIR);
  baseUrl = server.url;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Waits until the page has loaded its engine and pathways (its first screen may come before). */
async function engineReady(page) {
  await page.waitForFunction(() => document.body.dataset.engine, null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.engine), 'ready', 'the engine failed to load');
}

/**
 * Opens the page in a fresh context, and returns once its first screen can be
 * used (data-ready); the engine may still be loading. Records console errors,
 * page errors and every request made after the engine had loaded (there
 * should be none but for the parts of the pathways chosen).
 */
async function openPage(url = baseUrl) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = [];
  const lateRequests = [];
  let loading = true;
  let loaded = Promise.resolve();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    // After loading, only the parts of pathways (fetched when one may be chosen).
    const part = /^\/bundle\/[a-z0-9][a-z0-9_-]*\.part\.triage$/.test(new URL(request.url()).pathname);
    if (!loading && !part) lateRequests.push(request.url());
  });
  let loads = 0;
  const load = async (action) => {
    const current = ++loads;
    loading = true;
    await action();
    await page.waitForSelector('body[data-ready]');
    // Loading ends when the engine and pathways are in, which may be after
    // the first screen. A wait that ends after a later load began is ignored.
    loaded = page.waitForFunction(() => document.body.dataset.engine, null, { timeout: 30_000 })
      .then(() => { if (current === loads) loading = false; }, () => {});
  };
  await load(() => page.goto(url));
  const done = async () => {
    await loaded;
    await engineReady(page);
    assert.deepEqual(problems, [], 'the page reported errors');
    assert.deepEqual(lateRequests, [], 'the page made requests after loading');
    await context.close();
  };
  return { page, context, load, done };
}

/** Runs axe-core on the page as it is and fails on serious or critical violations. */
async function checkAccessibility(page, state) {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: AXE_PATH });
  }
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `axe found serious problems on the ${state} page`);
  checked.add(state);
}
const checked = new Set();

async function heading(page) {
  return (await page.locator('h1').textContent()).trim();
}

/** Asserts that the page shows `text` as its heading and that focus is on it. */
async function expectHeadingFocused(page, text) {
  assert.equal(await heading(page), text);
  const focused = await page.evaluate(() => document.activeElement?.tagName);
  assert.equal(focused, 'H1', `focus is not on the heading "${text}"`);
}

// --- The keyboard only --------------------------------------------------------

/** Presses Tab until the focused element matches `selector` (and has the text `text`, if given). */
async function tabTo(page, selector, text = null, limit = 80) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const reached = await page.evaluate(([s, t]) => {
      const focused = document.activeElement;
      return Boolean(focused?.matches(s) && (t === null || focused.textContent.trim() === t));
    }, [selector, text]);
    if (reached) return;
  }
  assert.fail(`Tab never reached ${selector}${text ? ` "${text}"` : ''}`);
}

async function continueByKeyboard(page) {
  await tabTo(page, 'button[type="submit"]');
  await page.keyboard.press('Enter');
}

/** Answers the question on the page with the keyboard: Tab, arrows, Space, typing, Enter. */
async function answerByKeyboard(page, step) {
  if (step.kind === 'number' && typeof step.answer === 'number') {
    await tabTo(page, '#answer-number');
    await page.keyboard.type(String(step.answer));
  } else if (step.kind === 'multiple' || (step.kind === 'number' && step.answer === 'not_sure')) {
    for (const id of [step.answer].flat()) {
      await tabTo(page, `input[type="checkbox"][value="${id}"]`);
      await page.keyboard.press('Space');
    }
  } else {
    // A radio group takes one Tab stop; the arrow keys move through it and choose.
    const values = await page.locator('input[type="radio"]').evaluateAll((inputs) => inputs.map((i) => i.value));
    const index = values.indexOf(step.answer);
    assert.ok(index >= 0, `no radio for ${step.answer}`);
    await tabTo(page, 'input[type="radio"]');
    if (index === 0) await page.keyboard.press('Space');
    for (let i = 0; i < index; i += 1) await page.keyboard.press('ArrowDown');
  }
  await continueByKeyboard(page);
}

/** Age, sex and symptom search, by keyboard, up to the first question of `title`. */
async function startByKeyboard(page, { years, sex, title }) {
  await tabTo(page, '#age-years');
  await page.keyboard.type(String(years));
  await page.keyboard.press('Enter');
  await expectHeadingFocused(page, 'Are you male or female?');
  await tabTo(page, 'input[name="sex"]');
  if (sex === 'female') await page.keyboard.press('Space');
  else await page.keyboard.press('ArrowDown');
  await continueByKeyboard(page);
  // The symptom search needs the pathways: it waits for them if they are still loading.
  await engineReady(page);
  await expectHeadingFocused(page, 'What is your main symptom?');
  await tabTo(page, '#symptom-search');
  await page.keyboard.type(title);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'results-heading');
  await tabTo(page, 'a.results__link', title);
  await page.keyboard.press('Enter');
  await partLoaded(page);
}

/**
 * Waits for the first question once a pathway is chosen: its questions (its
 * part of the split bundle) may still be on their way, with the loading page
 * standing in.
 */
async function partLoaded(page) {
  await page.waitForFunction(() => !document.getElementById('engine-loading'), null, { timeout: 30_000 });
}

// --- The mouse ----------------------------------------------------------------

async function startByMouse(page, { years, sex, title }) {
  await page.fill('#age-years', String(years));
  await page.click('button[type="submit"]');
  await page.check(`#sex-${sex}`);
  await page.click('button[type="submit"]');
  await page.fill('#symptom-search', title);
  await page.click('.search__button');
  await page.click(`a.results__link:text-is("${title}")`);
  await partLoaded(page);
}

async function answerByMouse(page, step) {
  if (step.kind === 'number' && typeof step.answer === 'number') {
    await page.fill('#answer-number', String(step.answer));
  } else if (step.kind === 'number') {
    await page.check('#answer-not-sure');
  } else {
    for (const id of [step.answer].flat()) await page.check(`input[name="answer"][value="${id}"]`);
  }
  await page.click('button[type="submit"]');
}

function journeyTo(wanted, description) {
  const journey = findJourney(engine, ADULT, wanted);
  assert.ok(journey, `no journey in the shipped pathways reaches ${description}`);
  return journey;
}

// --- Tests --------------------------------------------------------------------

test('keyboard only: age, sex, search and every question to a 999 outcome', TIMEOUT, async () => {
  const journey = journeyTo((o) => o.disposition.service === 'ambulance', 'an ambulance');
  const { page, done } = await openPage();
  await checkAccessibility(page, 'age');
  await startByKeyboard(page, { years: 40, sex: 'female', title: journey.title });
  for (const step of journey.answers) {
    await expectHeadingFocused(page, step.text);
    await checkAccessibility(page, `question (${step.kind})`);
    await answerByKeyboard(page, step);
  }
  await expectHeadingFocused(page, journey.outcome.disposition.title);
  assert.equal(await page.locator('.outcome').getAttribute('class'), 'outcome outcome--emergency');
  assert.equal(await page.locator('.outcome__caption').textContent(), 'Emergency');
  for (const reason of journey.outcome.reasons) {
    assert.ok(await page.getByText(reason.text, { exact: true }).isVisible(), `reason "${reason.text}" not shown`);
  }
  await checkAccessibility(page, 'outcome (emergency)');
  assert.match(await page.title(), new RegExp(`^${journey.outcome.disposition.title}`));

  // A thumb-sized link dials 999, reached with the keyboard; the ambulance
  // response standard is never shown as time the person has.
  const call = page.locator('.outcome a[href="tel:999"]');
  assert.equal((await call.textContent()).trim(), 'Call 999');
  const box = await call.boundingBox();
  assert.ok(box.height >= 44 && box.width >= 44, `the call link is ${box.width}x${box.height}`);
  await tabTo(page, 'a[href="tel:999"]', 'Call 999');
  assert.doesNotMatch(await page.locator('.outcome').textContent(), /within \d+ (minute|hour)/);
  assert.equal(await page.locator('.outcome__when').count(), 0);
  await done();
});

test('asking about someone else, and Welsh where the pathways have it', TIMEOUT, async () => {
  const journey = journeyTo((o) => o.disposition.service === 'ambulance', 'an ambulance');
  const parent = { ...ADULT, answering: 'someone_else' };
  const expected = engine.start(journey.pathway, parent, { language: 'cy' }).question;
  const { page, done } = await openPage();
  await page.check('#answering-someone_else');
  assert.equal((await page.locator('label[for="age-years"]').textContent()).trim(), 'How old are they?');
  await startByMouse(page, { years: 40, sex: 'female', title: journey.title });
  await page.click('#language a');
  assert.equal(await page.locator('#language a').textContent(), 'English');
  // The question is worded for someone answering for another adult; where the
  // pathways have no Welsh it stays English and says so for screen readers.
  assert.equal(await heading(page), expected.text);
  assert.equal(await page.locator('h1').getAttribute('lang'), expected.lang === 'cy' ? 'cy' : 'en');
  for (const [index, option] of expected.options.entries()) {
    const label = page.locator(`label[for="answer-${index}"]`);
    assert.equal((await label.textContent()).trim(), option.label);
    assert.equal(await label.getAttribute('lang'), option.lang);
  }
  assert.ok(expected.options.some((o) => o.lang === 'cy'), 'the fixed answers have Welsh labels');
  await checkAccessibility(page, 'question in Welsh');
  await page.click('#language a');
  assert.equal(await page.locator('#language a').textContent(), 'Cymraeg');
  await done();
});

test('a journey to self-care shows the care advice in green', TIMEOUT, async () => {
  const journey = journeyTo((o) => o.disposition.urgency === 'self_care', 'self-care');
  const { page, done } = await openPage();
  await startByMouse(page, { years: 40, sex: 'female', title: journey.title });
  for (const step of journey.answers) {
    assert.equal(await heading(page), step.text);
    await answerByMouse(page, step);
  }
  await expectHeadingFocused(page, journey.outcome.disposition.title);
  assert.equal(await page.locator('.outcome').getAttribute('class'), 'outcome outcome--self-care');
  const colour = await page.locator('.outcome').evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(colour, 'rgb(0, 127, 59)');
  // What to do if it gets worse, with links that dial 111 and 999.
  assert.equal(await page.locator('.worse h2').textContent(), 'If you get worse');
  assert.equal(await page.locator('.worse a[href="tel:111"]').count(), 1);
  assert.equal(await page.locator('.worse a[href="tel:999"]').count(), 1);
  const box = await page.locator('.worse a[href="tel:111"]').boundingBox();
  assert.ok(box.height >= 44, `the 111 link is ${box.height}px high`);
  const advice = await page.locator('.care-card__heading').allTextContents();
  assert.deepEqual(advice, journey.outcome.care_advice.map((a) => a.title));
  await page.locator('summary').click();
  const answers = await page.locator('.summary-list__value').allTextContents();
  assert.equal(answers.length, journey.answers.length);
  await checkAccessibility(page, 'outcome (self-care)');

  await page.click('text=Start again');
  await expectHeadingFocused(page, 'How old are you?');
  assert.equal(await page.inputValue('#age-years'), '');
  await done();
});

test('an outcome with a deadline says how soon to go; a call-back never shows its target as one', TIMEOUT, async () => {
  const journey = journeyTo(
    (o) => o.disposition.service === 'emergency_department' && o.disposition.act_within_minutes === 60,
    'A&E within 1 hour',
  );
  const { page, done } = await openPage();
  await startByMouse(page, { years: 40, sex: 'female', title: journey.title });
  for (const step of journey.answers) await answerByMouse(page, step);
  await expectHeadingFocused(page, journey.outcome.disposition.title);
  assert.equal((await page.locator('.outcome__when').textContent()).trim(), 'Go within 1 hour');

  await done();

  const callBack = journeyTo((o) => o.disposition.service === 'clinician_call_back', 'a call-back');
  assert.ok(callBack.outcome.disposition.service_standard_minutes > 0);
  const second = await openPage();
  await startByMouse(second.page, { years: 40, sex: 'female', title: callBack.title });
  for (const step of callBack.answers) await answerByMouse(second.page, step);
  await expectHeadingFocused(second.page, callBack.outcome.disposition.title);
  assert.equal(await second.page.locator('.outcome__when').count(), 0);
  await second.done();
});

test('"Your answers" lists what a "None of these" ruled out', TIMEOUT, async () => {
  const journey = journeyTo((o) => o.transcript.some((e) => e.answer === 'None of these' && e.ruled_out?.length > 1),
    'a "None of these" answer');
  const entry = journey.outcome.transcript.find((e) => e.answer === 'None of these' && e.ruled_out.length > 1);
  const { page, done } = await openPage();
  await startByMouse(page, { years: 40, sex: 'female', title: journey.title });
  for (const step of journey.answers) await answerByMouse(page, step);
  await expectHeadingFocused(page, journey.outcome.disposition.title);
  await page.locator('summary').click();
  const row = page.locator('.summary-list__row').filter({ has: page.getByText(entry.text, { exact: true }) }).first();
  assert.equal(await row.locator('.summary-list__answer').textContent(), 'None of these');
  assert.match(await row.locator('.summary-list__ruled-out').textContent(), /^You said no to:/);
  assert.deepEqual(await row.locator('.summary-list__ruled-out li').allTextContents(), entry.ruled_out);
  // The options offered, less the exclusive answers, are the ones ruled out.
  const asked = journey.answers.find((a) => a.text === entry.text);
  assert.ok(asked && asked.answer === 'none');
  await checkAccessibility(page, 'outcome (answers open)');
  await done();
});

test('opened as a file, the page says how to serve it instead of loading for ever', TIMEOUT, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  // The preloads in index.html (the modules, the .wasm and bundle.triage) are
  // refused under file:// by Chromium's CORS rules before any script runs:
  // each logs a CORS error and a failed load. Those are the browser's, not
  // the page's; anything else is a problem.
  const preloaded = ['app.js', 'pkg/triage.js', 'pkg/triage_wasm.js', 'pkg/triage_wasm_bg.wasm', 'bundle/catalog.triage'];
  const blockedPreload = (text) => /blocked by CORS policy/.test(text)
    && preloaded.some((file) => text.includes(`${pathToFileURL(join(SITE_DIR, file)).href}'`));
  let lastBlocked = false;
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (blockedPreload(text)) {
      lastBlocked = true;
      return;
    }
    // The failed load that follows each refused preload.
    if (lastBlocked && /net::ERR_FAILED/.test(text)) {
      lastBlocked = false;
      return;
    }
    problems.push(text);
  });
  await page.goto(pathToFileURL(join(SITE_DIR, 'index.html')).href);
  await page.waitForSelector('body[data-problem]', { timeout: 10_000 });
  await expectHeadingFocused(page, 'This page needs to be served, not opened as a file');
  assert.equal(await page.locator('#loading').count(), 0);
  assert.equal(await page.locator('pre code').textContent(),
    `python3 -m http.server 8000 --directory ${JSON.stringify(`${SITE_DIR}/`)}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a missing catalog or .wasm gives a clear message, not "Loading…"', TIMEOUT, async () => {
  for (const missing of ['bundle/catalog.triage', 'pkg/triage_wasm_bg.wasm', 'pkg/triage.js']) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route(`**/${missing}`, (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.goto(baseUrl);
    await page.waitForSelector('body[data-problem]', { timeout: 10_000 });
    await expectHeadingFocused(page, 'Sorry, there is a problem with this page');
    assert.match(await page.locator('pre code').textContent(), /^python3 -m http\.server 8000 --directory triage-wasm\/site$/);
    if (missing !== 'pkg/triage.js') assert.match(await page.locator('main').textContent(), new RegExp(missing.split('/').at(-1).replace('.', '\\.')));
    await context.close();
  }
});

test('a part that is missing, damaged or of other pathways shows the problem page when its pathway is chosen', TIMEOUT, async () => {
  const part = 'bundle/chest-pain.part.triage';
  const bytes = readFileSync(join(SITE_DIR, part));
  const damaged = Buffer.from(bytes);
  damaged[damaged.length - 1] ^= 1;
  const other = readFileSync(join(SITE_DIR, 'bundle/sore-throat.part.triage'));
  const foreign = Buffer.from(other);
  // Another bundle's part: the same bytes under another content hash, sealed again.
  const { createHash } = await import('node:crypto');
  const payload = Buffer.from(foreign.subarray(44));
  const hashAt = payload.indexOf(Buffer.from(engine.hash));
  assert.ok(hashAt > 0, 'the part carries the content hash');
  payload.write('0'.repeat(64), hashAt, 'latin1');
  const resealed = Buffer.concat([foreign.subarray(0, 12), createHash('sha256').update(payload).digest(), payload]);
  for (const [body, status, reason] of [
    ['not found', 404, /HTTP 404/],
    [damaged, 200, /artifact_corrupted/],
    [resealed, 200, /part_mismatch/],
  ]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route(`**/${part}`, (route) => route.fulfill({ status, body, contentType: 'application/octet-stream' }));
    await page.goto(baseUrl);
    await page.fill('#age-years', '40');
    await page.click('button[type="submit"]');
    await page.check('#sex-female');
    await page.click('button[type="submit"]');
    await page.fill('#symptom-search', 'chest pain');
    await page.click('.search__button');
    await page.click('a.results__link[data-pathway="chest-pain"]');
    await page.waitForSelector('body[data-problem]', { timeout: 10_000 });
    await expectHeadingFocused(page, 'Sorry, there is a problem with this page');
    assert.match(await page.locator('main').textContent(), reason);
    assert.match(await page.locator('main').textContent(), /chest-pain\.part\.triage/);
    await context.close();
  }
});

test('the page is served compressed: the engine and the pathways come as brotli when the browser takes it', TIMEOUT, async () => {
  // Chromium's own Accept-Encoding, then a browser that takes only gzip, then none.
  for (const accept of [null, 'gzip', 'identity']) {
    const context = await browser.newContext(accept ? { extraHTTPHeaders: { 'Accept-Encoding': accept } } : {});
    const page = await context.newPage();
    const responses = [];
    page.on('response', (response) => responses.push(response));
    await page.goto(baseUrl);
    await engineReady(page);
    for (const [file, type] of [['pkg/triage_wasm_bg.wasm', 'application/wasm'], ['bundle/catalog.triage', 'application/octet-stream']]) {
      const got = responses.filter((response) => response.url() === new URL(file, baseUrl).href);
      // Once: the preload in index.html is the request the page's fetch() uses.
      assert.equal(got.length, 1, `${file} was downloaded ${got.length} times`);
      const [response] = got;
      const offered = (await response.request().allHeaders())['accept-encoding'] ?? '';
      const takes = new Set(offered.split(',').map((coding) => coding.trim().split(';')[0]));
      const expected = takes.has('br') ? 'br' : takes.has('gzip') ? 'gzip' : undefined;
      if (accept === null) assert.ok(takes.has('br'), `Chromium does not take brotli here (Accept-Encoding: ${offered})`);
      const headers = await response.allHeaders();
      assert.equal(response.status(), 200, file);
      assert.equal(headers['content-encoding'], expected, `${file}, asked with Accept-Encoding: ${offered}`);
      assert.equal(headers['content-type'], type, file);
      assert.equal(headers.vary, 'Accept-Encoding', file);
    }
    // Whatever came, the page runs: the search finds pathways.
    await page.fill('#age-years', '40');
    await page.click('button[type="submit"]');
    await page.check('#sex-female');
    await page.click('button[type="submit"]');
    await page.fill('#symptom-search', 'chest pain');
    await page.click('.search__button');
    assert.ok(await page.locator('a.results__link').count() > 0, `no results with Accept-Encoding: ${accept ?? 'Chromium\'s'}`);
    await context.close();
  }
  // And the server says what it sent.
  const log = server.log();
  for (const [file, coding] of [['/pkg/triage_wasm_bg.wasm', 'br'], ['/bundle/catalog.triage', 'br'], ['/bundle/catalog.triage', 'gzip'], ['/bundle/catalog.triage', 'identity']]) {
    assert.match(log, new RegExp(`"GET ${file.replace(/\./g, '\\.')} HTTP/1\\.1" 200 ${coding} \\d+`), `${file} never sent as ${coding}`);
  }
});

test('the first screens work before the engine has loaded; a screen that needs it waits, then goes on by itself', TIMEOUT, async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // The pathways are held back until the person is on the symptom search.
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  await page.route('**/bundle/catalog.triage', async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(baseUrl);
  await page.waitForSelector('body[data-ready]');
  assert.equal(await page.evaluate(() => document.body.dataset.engine), undefined, 'the engine loaded without its pathways');
  assert.equal(await heading(page), 'How old are you?');
  await page.fill('#age-years', '40');
  await page.click('button[type="submit"]');
  await expectHeadingFocused(page, 'Are you male or female?');
  await page.check('#sex-female');
  await page.click('button[type="submit"]');
  // The search needs the pathways: a loading page stands in, its heading focused.
  const waiting = await heading(page);
  assert.match(waiting, /load/i, `"${waiting}" does not say it is loading`);
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  assert.equal(await page.locator('#symptom-search').count(), 0);
  assert.equal(await page.evaluate(() => document.body.dataset.engine), undefined);
  await checkAccessibility(page, 'loading');
  release();
  await engineReady(page);
  await expectHeadingFocused(page, 'What is your main symptom?');
  await page.fill('#symptom-search', 'chest pain');
  await page.click('.search__button');
  assert.ok(await page.locator('a.results__link').count() > 0, 'no results once loaded');
  assert.deepEqual(problems, []);
  await context.close();
});

/** Opens `url` (after `setup(page)`) and expects the page's problem message about the catalog with `code`. */
async function expectBundleProblem(url, code, setup = async () => {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await setup(page);
  await page.goto(url);
  // Not a page that loads for ever: the problem is shown, whatever screen was up.
  await page.waitForSelector('body[data-problem]', { timeout: 15_000 });
  await expectHeadingFocused(page, 'Sorry, there is a problem with this page');
  const text = await page.locator('main').textContent();
  assert.match(text, /catalog\.triage/, 'the message does not name the file');
  assert.match(text, new RegExp(code), `the message does not give the reason ${code}`);
  assert.equal(await page.evaluate(() => document.body.dataset.engine), 'failed');
  await checkAccessibility(page, 'problem');
  await context.close();
}

test('a damaged catalog makes the page show its problem message, not hang', TIMEOUT, async (t) => {
  // A copy of the site whose catalog has one byte changed, and no
  // compressed copies (they would be of the good file).
  const dir = mkdtempSync(join(tmpdir(), 'triage-damaged-site-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(SITE_DIR, dir, { recursive: true, preserveTimestamps: true });
  const catalog = join(dir, 'bundle', 'catalog.triage');
  writeFileSync(catalog, flipPayloadByte(readFileSync(catalog)));
  rmSync(`${catalog}.br`);
  rmSync(`${catalog}.gz`);
  const damaged = await serveSite(dir);
  t.after(() => damaged.stop());
  await expectBundleProblem(damaged.url, 'artifact_corrupted');
  assert.match(damaged.log(), /"GET \/bundle\/catalog\.triage HTTP\/1\.1" 200 identity \d+/);
  // A server that answers with a page of its own instead of the file.
  await expectBundleProblem(baseUrl, 'not_an_artifact', (page) => page.route('**/bundle/catalog.triage', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Welcome</title><p>It works!</p>' })));
});

test('Back goes to the previous question, then out to the search, sex and age', TIMEOUT, async () => {
  const journey = journeyTo(() => true, 'an outcome');
  assert.ok(journey.answers.length >= 2, 'the journey is too short to test Back');
  const { page, done } = await openPage();
  await startByMouse(page, { years: 40, sex: 'female', title: journey.title });
  const [first, second] = journey.answers;
  await answerByMouse(page, first);
  await expectHeadingFocused(page, second.text);
  await page.click('a.back-link__link');
  await expectHeadingFocused(page, first.text);
  await page.click('a.back-link__link');
  await expectHeadingFocused(page, 'What is your main symptom?');
  assert.equal(await page.inputValue('#symptom-search'), journey.title);
  await page.click('a.back-link__link');
  await expectHeadingFocused(page, 'Are you male or female?');
  assert.equal(await page.isChecked('#sex-female'), true);
  await page.click('a.back-link__link');
  await expectHeadingFocused(page, 'How old are you?');
  assert.equal(await page.inputValue('#age-years'), '40');
  assert.equal(await page.locator('a.back-link__link').count(), 0);

  // Back from an outcome returns to the last question.
  await page.click('button[type="submit"]');
  await page.click('button[type="submit"]');
  await page.click(`a.results__link:text-is("${journey.title}")`);
  await partLoaded(page);
  for (const step of journey.answers) await answerByMouse(page, step);
  await expectHeadingFocused(page, journey.outcome.disposition.title);
  await page.click('a.back-link__link');
  await expectHeadingFocused(page, journey.answers.at(-1).text);
  await done();
});

test('a reload mid-journey loses nothing', TIMEOUT, async () => {
  const journey = journeyTo(() => true, 'an outcome');
  const { page, load, done } = await openPage();
  await startByMouse(page, { years: 40, sex: 'female', title: journey.title });
  const half = Math.max(1, Math.floor(journey.answers.length / 2));
  for (const step of journey.answers.slice(0, half)) await answerByMouse(page, step);
  const before = await heading(page);
  await load(() => page.reload());
  assert.equal(await heading(page), before);
  for (const step of journey.answers.slice(half)) await answerByMouse(page, step);
  assert.equal(await heading(page), journey.outcome.disposition.title);
  await load(() => page.reload());
  assert.equal(await heading(page), journey.outcome.disposition.title);
  await page.click('a.back-link__link');
  assert.equal(await heading(page), journey.answers.at(-1).text);
  await done();
});

test('a stored journey that no longer fits the pathways starts again cleanly', TIMEOUT, async () => {
  const { page, load, done } = await openPage();
  const store = (value) => page.evaluate((v) => sessionStorage.setItem('triage-demo', JSON.stringify(v)), value);
  // A session saved with other pathways: back to the symptom search, age and sex kept.
  await store({ screen: 'journey', years: '40', months: '', sex: 'female', words: '', session: '{"bundle": "0"}' });
  await load(() => page.reload());
  assert.equal(await heading(page), 'What is your main symptom?');
  // Stored answers that the engine refuses: back to the start.
  await store({ screen: 'symptom', years: 'many', sex: 'robot', words: 'x' });
  await load(() => page.reload());
  assert.equal(await heading(page), 'How old are you?');
  await done();
});

test('nothing chosen shows an error summary that links to the answer', TIMEOUT, async () => {
  const { page, done } = await openPage();
  // Age: empty, then not a number.
  await page.click('button[type="submit"]');
  await expectErrorSummary(page, 'Enter an age in years', '#age-years');
  assert.match(await page.title(), /^Error: How old are you\?/);
  await checkAccessibility(page, 'age (error)');
  await page.fill('#age-years', 'forty');
  await page.click('button[type="submit"]');
  await expectErrorSummary(page, 'Enter the age as a whole number of years, like 34', '#age-years');
  assert.equal(await page.inputValue('#age-years'), 'forty');
  await page.fill('#age-years', '40');
  await page.click('button[type="submit"]');

  // Sex: nothing chosen.
  await page.click('button[type="submit"]');
  await expectErrorSummary(page, 'Select female or male', '#sex-female');
  await checkAccessibility(page, 'sex (error)');
  await page.check('#sex-female');
  await page.click('button[type="submit"]');
  await engineReady(page);
  await expectHeadingFocused(page, 'What is your main symptom?');
  await checkAccessibility(page, 'symptom search');

  // A question: nothing chosen, then a choice goes on.
  const journey = journeyTo(() => true, 'an outcome');
  await page.fill('#symptom-search', 'zzzz');
  await page.click('.search__button');
  assert.match(await page.locator('#results-heading').textContent(), /^No results for/);
  await page.click(`a.results__link:text-is("${journey.title}")`);
  await partLoaded(page);
  const first = journey.answers[0];
  await page.click('button[type="submit"]');
  await expectErrorSummary(page, null, first.kind === 'number' ? '#answer-number' : '#answer-0');
  assert.ok(await page.locator('.form-group--error').isVisible());
  await checkAccessibility(page, 'question (error)');
  await answerByMouse(page, first);
  assert.equal(await page.locator('.error-summary').count(), 0);
  await done();
});

test('a number question refuses what is not a number in its range', TIMEOUT, async () => {
  const path = findPath(engine, ADULT, (step) => step.type === 'question' && step.kind === 'number' && step.range !== null);
  if (!path) return; // No shipped pathway asks for a number yet.
  const question = path.step;
  const { page, done } = await openPage();
  await startByMouse(page, { years: 40, sex: 'female', title: path.title });
  for (const step of path.answers) await answerByMouse(page, step);
  assert.equal(await heading(page), question.text);
  await checkAccessibility(page, 'question (number)');
  const [min, max] = question.range;
  const expected = `Enter a number from ${min} to ${max}`;
  for (const typed of ['warm', String(max + 1)]) {
    await page.fill('#answer-number', typed);
    await page.click('button[type="submit"]');
    const message = await page.locator('.error-summary__list a').textContent();
    assert.ok(message.startsWith(expected), `"${message}" for ${typed}`);
    assert.equal(await page.inputValue('#answer-number'), typed);
  }
  await page.fill('#answer-number', String(min));
  await page.click('button[type="submit"]');
  assert.notEqual(await heading(page), question.text);
  await done();
});

test('every kind of page state was checked with axe', () => {
  for (const state of ['age', 'age (error)', 'sex (error)', 'symptom search', 'question (error)', 'outcome (emergency)', 'outcome (self-care)',
    'loading', 'problem']) {
    assert.ok(checked.has(state), `no axe check of the ${state} page`);
  }
});

async function expectErrorSummary(page, message, fieldSelector) {
  const summary = page.locator('.error-summary');
  assert.ok(await summary.isVisible(), 'no error summary');
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true,
    'focus did not move to the error summary');
  assert.equal(await summary.locator('h2').textContent(), 'There is a problem');
  const link = summary.locator('a').first();
  if (message) assert.equal(await link.textContent(), message);
  assert.equal(await link.getAttribute('href'), fieldSelector);
  const inline = await page.locator('.error-message').first().textContent();
  assert.equal(inline, `Error: ${await link.textContent()}`);
  await link.click();
  assert.equal(await page.evaluate((s) => document.activeElement?.matches(s), fieldSelector), true,
    'the error link did not move focus to the answer');
}
