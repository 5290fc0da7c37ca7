// Times the demo page as a phone on a slow mobile network would load it, in
// headless Chromium:
//   node benches/page/timing.mjs [--runs 5] [--site triage-wasm/site] [--label NAME]
//                                [--uncompressed] [--json FILE] [--cpu-rate 4]
//                                [--words headache] [--pathway headache] [--age 40] [--sex female]
//
// Each run opens the page in a fresh browser context (empty cache, cache
// disabled), with the network and the CPU throttled as Lighthouse's default
// mobile profile ("Slow 4G", throttlingMethod "devtools"), then goes through
// the start of a journey as a person would, with the mouse: age, sex, a
// symptom search, the pathway. It reports, from navigation start
// (performance.timeOrigin):
//   - first screen: the age form painted and usable. The page marks it with
//     <body data-ready="true">, set by app.js right after its first render;
//     a MutationObserver (installed before any page script) records when
//     that happens, and the next frame after it counts as painted.
//   - first question: the first clinical question of the pathway painted.
//     For each user action, the page's own time is measured from the
//     action's input event (event.timeStamp of the click) to the next
//     screen painted; the time the automation takes between actions stands
//     for the person's time. "Page time" sums the first screen and those
//     steps; "total" is wall time from navigation start, automation included.
//   - bytes: encodedDataLength of every Network.loadingFinished (headers and
//     body as sent over the network), per file and in total: everything
//     downloaded to reach the first question (the page, the engine, the
//     pathway catalog and the chosen pathway's part).
// Budgets (checked on the medians, exit status 1 when over; --no-budget to
// only report): at most 400,000 bytes to the first question
// (--bytes-budget), and the first screen within 3,000 ms (--first-screen-budget).
//
// Throttling (CDP, set on the page's own session before navigating):
//   Network.emulateNetworkConditions
//     latency            562.5 ms        = 150 ms RTT x 3.75
//     downloadThroughput 188,743 bytes/s = floor(1.6 x 1024 kbit/s x 0.9 x 1024 / 8)
//                                          (1,474.56 kbit/s)
//     uploadThroughput    86,400 bytes/s = floor(750 kbit/s x 0.9 x 1024 / 8)
//                                          (675 kbit/s)
//   Emulation.setCPUThrottlingRate rate 4
// These are Lighthouse's throttling.mobileSlow4G (core/config/constants.js:
// rttMs 150, throughputKbps 1.6 * 1024, requestLatencyMs 150 *
// DEVTOOLS_RTT_ADJUSTMENT_FACTOR (3.75), downloadThroughputKbps 1.6 * 1024 *
// DEVTOOLS_THROUGHPUT_ADJUSTMENT_FACTOR (0.9), uploadThroughputKbps 750 * 0.9,
// cpuSlowdownMultiplier 4), converted to bytes per second as Lighthouse's
// core/lib/emulation.js (enableNetworkThrottling) does. The screen is
// Lighthouse's mobile one (412 x 823 CSS px, device scale factor 1.75).
// DevTools throttling adds the latency to each request and caps throughput
// per browser; it does not model TCP slow start, and the CPU slowdown applies
// to the page's main thread only (not to V8's background WebAssembly
// compilation threads).
//
// Served compressed by triage-wasm/tools/serve.py (after precompressing the
// site with tools/precompress.mjs, which only redoes what changed), or with
// --uncompressed by `python3 -m http.server`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, precompress } from '../../triage-wasm/tools/precompress.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CRATE = join(ROOT, 'triage-wasm');
const { chromium } = createRequire(join(CRATE, 'package.json'))('playwright-core');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const NETWORK = {
  offline: false,
  latency: 150 * 3.75,
  downloadThroughput: Math.floor((1.6 * 1024 * 0.9 * 1024) / 8),
  uploadThroughput: Math.floor((750 * 0.9 * 1024) / 8),
};
const SCREEN = { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true };
const RUN_TIMEOUT_MS = 180_000;

const USAGE = `usage: node benches/page/timing.mjs [options]
  --runs N          runs to take (default 5)
  --site DIR        the built demo site (default triage-wasm/site)
  --label NAME      a name for this measurement, in the report and the JSON
  --uncompressed    serve with python3 -m http.server instead of tools/serve.py
  --json FILE       also write every run and the summary as JSON
  --cpu-rate N      CPU slowdown (default 4, Lighthouse's; 1 for none)
  --words TEXT      what to search for (default "headache")
  --pathway ID      the pathway to choose from the results (default headache)
  --age YEARS       (default 40)
  --sex female|male (default female)
  --bytes-budget N  most bytes to the first question (default 400000)
  --first-screen-budget MS  latest first screen (default 3000)
  --no-budget       report, but do not fail on the budgets`;

function parseArgs(args) {
  const options = {
    runs: 5, site: join(CRATE, 'site'), label: null, uncompressed: false, json: null,
    words: 'headache', pathway: 'headache', age: 40, sex: 'female', 'cpu-rate': 4,
    'bytes-budget': 400_000, 'first-screen-budget': 3_000, budget: true,
  };
  const value = (i, name) => {
    if (i + 1 >= args.length) usage(`${name} needs a value`);
    return args[i + 1];
  };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === '--uncompressed') options.uncompressed = true;
    else if (arg === '--no-budget') options.budget = false;
    else if (['--runs', '--site', '--label', '--json', '--words', '--pathway', '--age', '--sex', '--cpu-rate',
      '--bytes-budget', '--first-screen-budget'].includes(arg)) {
      options[arg.slice(2)] = value(i, arg);
      i += 1;
    } else usage(`unknown argument ${arg}`);
  }
  options.runs = Number(options.runs);
  options.age = Number(options.age);
  options.cpuRate = Number(options['cpu-rate']);
  delete options['cpu-rate'];
  options.bytesBudget = Number(options['bytes-budget']);
  options.firstScreenBudget = Number(options['first-screen-budget']);
  delete options['bytes-budget'];
  delete options['first-screen-budget'];
  if (!(options.bytesBudget > 0) || !(options.firstScreenBudget > 0)) usage('a budget is a positive number');
  if (!(options.cpuRate >= 1)) usage('--cpu-rate takes a number of at least 1');
  if (!Number.isInteger(options.runs) || options.runs < 1) usage('--runs takes a whole number of at least 1');
  if (!['female', 'male'].includes(options.sex)) usage('--sex is female or male');
  options.site = resolve(options.site);
  options.label ??= options.uncompressed ? 'uncompressed' : 'compressed';
  return options;
}

function usage(message) {
  console.error(`timing: ${message}\n${USAGE}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/** Starts the server on a free port; resolves to {url, stop()}. */
function startServer(site, uncompressed) {
  const args = uncompressed
    ? ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', site]
    : [join(CRATE, 'tools', 'serve.py'), '--port', '0', '--bind', '127.0.0.1', site];
  const child = spawn('python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const stop = () => new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
  });
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${seen}`)), 15_000);
    const look = (chunk) => {
      seen += chunk;
      const port = /http:\/\/127\.0\.0\.1:(\d+)\/|port (\d+)/.exec(seen);
      if (port) {
        clearTimeout(timer);
        resolveUrl({ url: `http://127.0.0.1:${port[1] ?? port[2]}/`, stop });
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', (chunk) => { seen += chunk; });
    child.on('error', (error) => reject(new Error(`python3 could not run: ${error.message}`)));
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${seen}`)));
  });
}

// ---------------------------------------------------------------------------
// In the page
// ---------------------------------------------------------------------------

/**
 * Runs before any script of the page. Records each new screen (the content
 * of #app replaced) with the time its DOM was in place, the time of the
 * next frame, and the time of the click that led to it.
 */
function pageProbe() {
  const probe = { screens: [], waiting: [] };
  window.__pageTiming = probe;
  let lastClick = null;
  addEventListener('click', (event) => { lastClick = event.timeStamp; }, true);
  const settle = () => {
    probe.waiting = probe.waiting.filter((waiter) => !waiter());
  };
  const screenAt = (index) => probe.screens.find((screen, i) => i >= index && screen.painted !== null
    && screen.kind !== 'loading');
  new MutationObserver((records) => {
    const body = document.body;
    const appChanged = records.some((r) => r.type === 'childList' && r.target.id === 'app');
    const ready = records.some((r) => r.type === 'attributes' && r.target === body && r.attributeName === 'data-ready');
    const problem = records.some((r) => r.type === 'attributes' && r.target === body && r.attributeName === 'data-problem');
    if (!appChanged && !ready && !problem) return;
    const dom = performance.now();
    // The page's own "Loading the symptom checker…" screen, shown when the
    // person gets ahead of the engine, is waiting, not a screen reached.
    const waiting = !body?.dataset.ready || document.getElementById('engine-loading') !== null;
    const kind = problem ? 'problem' : ready ? 'ready' : waiting ? 'loading' : 'screen';
    const screen = {
      kind,
      dom,
      painted: null,
      action: kind === 'screen' ? lastClick : null,
      heading: document.querySelector('#app h1')?.textContent.trim() ?? null,
    };
    probe.screens.push(screen);
    // The frame that shows the change is produced right after this rAF
    // callback; a task queued from it runs once that frame has gone out.
    requestAnimationFrame(() => setTimeout(() => {
      screen.painted = performance.now();
      settle();
    }, 0));
  }).observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['data-ready', 'data-problem'],
  });
  /** Resolves with the first painted screen (not the "Loading…" one) at or after `index`. */
  probe.next = (index) => new Promise((resolveScreen) => {
    const waiter = () => {
      const screen = screenAt(index);
      if (screen) resolveScreen({ ...screen, index: probe.screens.indexOf(screen) });
      return Boolean(screen);
    };
    if (!waiter()) probe.waiting.push(waiter);
  });
  probe.count = () => probe.screens.length;
}

/** What the page knows about its own loading, in ms from navigation start. */
function pageTimeline() {
  const [navigation] = performance.getEntriesByType('navigation');
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    document: { startTime: 0, responseEnd: navigation?.responseEnd ?? null },
    domContentLoaded: navigation?.domContentLoadedEventEnd || null,
    load: navigation?.loadEventEnd || null,
    firstContentfulPaint: fcp?.startTime ?? null,
    resources: performance.getEntriesByType('resource').map((entry) => ({
      url: entry.name,
      startTime: entry.startTime,
      responseEnd: entry.responseEnd,
      transferSize: entry.transferSize,
      decodedBodySize: entry.decodedBodySize,
    })),
  };
}

// ---------------------------------------------------------------------------
// One run
// ---------------------------------------------------------------------------

async function measure(browser, url, options) {
  const context = await browser.newContext(SCREEN);
  try {
    await context.addInitScript(pageProbe);
    const page = await context.newPage();
    page.setDefaultTimeout(RUN_TIMEOUT_MS);
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });

    const cdp = await context.newCDPSession(page);
    const requests = new Map();
    cdp.on('Network.requestWillBeSent', ({ requestId, request }) => {
      requests.set(requestId, { url: request.url, status: null, encoding: null, bytes: null });
    });
    cdp.on('Network.responseReceived', ({ requestId, response }) => {
      const entry = requests.get(requestId);
      if (!entry) return;
      const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      entry.status = response.status;
      entry.encoding = headers['content-encoding'] ?? 'identity';
    });
    cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
      const entry = requests.get(requestId);
      if (entry) entry.bytes = encodedDataLength;
    });
    cdp.on('Network.loadingFailed', ({ requestId, errorText }) => {
      const entry = requests.get(requestId);
      if (entry) entry.failed = errorText;
    });
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', NETWORK);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: options.cpuRate });

    await page.goto(url, { waitUntil: 'commit' });
    const first = await page.evaluate(() => window.__pageTiming.next(0));
    if (first.kind === 'problem') throw new Error(`the page shows a problem: ${await page.locator('#app').innerText()}`);
    await page.waitForSelector('#age-years');

    /** Does `act`, then waits for the screen it leads to and checks it with `expect`. */
    const step = async (name, act, expect) => {
      const before = await page.evaluate(() => window.__pageTiming.count());
      await act();
      const screen = await page.evaluate((index) => window.__pageTiming.next(index), before);
      if (screen.kind === 'problem') throw new Error(`${name}: the page shows a problem`);
      await page.waitForSelector(expect, { state: 'attached' });
      if (screen.action === null) throw new Error(`${name}: no click was seen before the screen changed`);
      return { name, heading: screen.heading, pageMs: screen.painted - screen.action, at: screen.painted };
    };
    const submit = 'button[type="submit"]';
    const steps = [];
    await page.fill('#age-years', String(options.age));
    steps.push(await step('age -> sex', () => page.click(submit), `#sex-${options.sex}`));
    await page.check(`#sex-${options.sex}`);
    steps.push(await step('sex -> symptoms', () => page.click(submit), '#symptom-search'));
    await page.fill('#symptom-search', options.words);
    const link = `a.results__link[data-pathway="${options.pathway}"]`;
    steps.push(await step('search -> results', () => page.click('.search__button'), 'a.results__link'));
    if (!(await page.locator(link).count())) {
      const found = await page.locator('a.results__link').evaluateAll((links) => links.map((a) => a.dataset.pathway));
      throw new Error(`no result for pathway "${options.pathway}" when searching "${options.words}": ${found.join(', ')}`);
    }
    steps.push(await step('pathway -> first question', () => page.click(link), 'input[name="answer"], #answer-number'));

    const timeline = await page.evaluate(pageTimeline);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    const files = [...requests.values()].filter((r) => !r.url.startsWith('data:')).map((r) => {
      const timing = r.url === url ? timeline.document : timeline.resources.find((entry) => entry.url === r.url);
      return {
        path: new URL(r.url).pathname,
        status: r.status,
        encoding: r.encoding,
        bytes: r.bytes ?? 0,
        failed: r.failed ?? null,
        // DevTools throttling holds the response back after its first byte:
        // responseEnd is when the file was in the page.
        startTime: timing?.startTime ?? null,
        responseEnd: timing?.responseEnd ?? null,
      };
    });
    const failed = files.filter((f) => f.failed || f.status >= 400);
    if (failed.length) throw new Error(`requests failed: ${failed.map((f) => `${f.path} ${f.status ?? f.failed}`).join(', ')}`);
    const lastByte = Math.max(...files.map((f) => f.responseEnd ?? 0));
    const question = steps.at(-1);
    return {
      firstContentfulPaint: timeline.firstContentfulPaint,
      domContentLoaded: timeline.domContentLoaded,
      load: timeline.load,
      lastByte,
      firstScreenDom: first.dom,
      firstScreen: first.painted,
      firstScreenAfterLastByte: first.painted - lastByte,
      steps,
      firstQuestionPage: first.painted + steps.reduce((sum, s) => sum + s.pageMs, 0),
      firstQuestionTotal: question.at,
      question: question.heading,
      bytes: files.reduce((sum, f) => sum + f.bytes, 0),
      files,
    };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function stats(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

function summarise(runs) {
  const rows = [
    ['first contentful paint ("Loading…")', runs.map((r) => r.firstContentfulPaint), 'ms'],
    ['last byte of the page\'s files', runs.map((r) => r.lastByte), 'ms'],
    ['**first screen** (age form painted, data-ready)', runs.map((r) => r.firstScreen), 'ms'],
    ['  of which after the last byte', runs.map((r) => r.firstScreenAfterLastByte), 'ms'],
    ...runs[0].steps.map((s, i) => [`  page time: ${s.name}`, runs.map((r) => r.steps[i].pageMs), 'ms']),
    ['**first question**: page time (first screen + steps)', runs.map((r) => r.firstQuestionPage), 'ms'],
    ['first question: total, with the automation\'s time', runs.map((r) => r.firstQuestionTotal), 'ms'],
    ['bytes over the network', runs.map((r) => r.bytes), 'B'],
  ];
  const files = new Map();
  for (const run of runs) {
    for (const file of run.files) {
      const key = file.path;
      if (!files.has(key)) files.set(key, { path: key, encoding: file.encoding, bytes: [], startTime: [], responseEnd: [] });
      files.get(key).bytes.push(file.bytes);
      if (file.startTime !== null) files.get(key).startTime.push(file.startTime);
      if (file.responseEnd !== null) files.get(key).responseEnd.push(file.responseEnd);
    }
  }
  return {
    measures: rows.map(([name, values, unit]) => ({ name, unit, ...stats(values) })),
    files: [...files.values()].map((f) => ({
      path: f.path,
      encoding: f.encoding,
      bytes: median(f.bytes),
      requestedMs: f.startTime.length ? median(f.startTime) : null,
      finishedMs: f.responseEnd.length ? median(f.responseEnd) : null,
    })),
  };
}

const fmt = (n) => (n === null || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-GB'));

function markdown(report) {
  const { summary, options, conditions } = report;
  const load = report.loadAverage.map((n) => n.toFixed(1)).join(' -> ');
  const lines = [
    `### ${options.label}`,
    '',
    `${report.runs.length} run${report.runs.length === 1 ? '' : 's'}, served ${options.uncompressed ? 'uncompressed by python3 -m http.server' : 'compressed by tools/serve.py'} from ${options.site}; load average ${load} (${cpus().length} CPUs).`,
    `Chromium ${report.chromium}; Slow 4G (latency ${conditions.network.latency} ms, down ${conditions.network.downloadThroughput.toLocaleString('en-GB')} B/s, up ${conditions.network.uploadThroughput.toLocaleString('en-GB')} B/s), CPU ${conditions.cpuRate}x slower, ${SCREEN.viewport.width}x${SCREEN.viewport.height} at ${SCREEN.deviceScaleFactor}x. Times in ms from navigation start.`,
    `Journey: ${options.age}, ${options.sex}, search "${options.words}", pathway ${options.pathway}; first question: "${report.runs[0].question}".`,
    '',
    '| measure | median | min | max |',
    '|---|--:|--:|--:|',
    ...summary.measures.map((m) => `| ${m.name.replace(/^ {2}/, '&nbsp;&nbsp;')} | ${fmt(m.median)} | ${fmt(m.min)} | ${fmt(m.max)} |`),
    '',
    '| file | encoding | bytes | requested (ms) | finished (ms) |',
    '|---|---|--:|--:|--:|',
    ...summary.files.map((f) => `| ${f.path} | ${f.encoding} | ${fmt(f.bytes)} | ${fmt(f.requestedMs)} | ${fmt(f.finishedMs)} |`),
    `| **total** | | **${fmt(summary.files.reduce((sum, f) => sum + f.bytes, 0))}** | | |`,
    '',
    'Bytes are medians over the runs, as sent (headers included); requested and finished are medians from navigation start.',
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  console.error(`${CHROMIUM} is missing: installing it with scripts/install-chromium.sh`);
  const result = spawnSync(join(ROOT, 'scripts', 'install-chromium.sh'), { stdio: 'inherit', env: { ...process.env, CHROMIUM_PATH: CHROMIUM } });
  if (result.status !== 0 || !existsSync(CHROMIUM)) {
    console.error(`timing: error: no Chromium at ${CHROMIUM}`);
    process.exit(1);
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(options.site, 'index.html'))) {
    console.error(`timing: error: no index.html in ${options.site} (build it with scripts/build-wasm.sh)`);
    process.exit(1);
  }
  ensureChromium();
  if (!options.uncompressed) {
    const hadCopies = readdirSync(options.site, { recursive: true }).some((name) => name.endsWith('.br'));
    console.error(hadCopies ? 'precompressing what changed:' : 'no .br files in the site: precompressing it');
    console.error(formatTable(precompress(options.site)));
  }
  const server = await startServer(options.site, options.uncompressed);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const chromiumVersion = browser.version();
  const stopAll = async () => {
    await browser.close().catch(() => {});
    await server.stop();
  };
  process.once('SIGINT', () => stopAll().then(() => process.exit(130)));
  const runs = [];
  const loadBefore = loadavg()[0];
  try {
    for (let i = 0; i < options.runs; i += 1) {
      const run = await measure(browser, server.url, options);
      console.error(`run ${i + 1}/${options.runs}: first screen ${Math.round(run.firstScreen)} ms, `
        + `first question ${Math.round(run.firstQuestionPage)} ms page time (${Math.round(run.firstQuestionTotal)} ms total), `
        + `${run.bytes.toLocaleString('en-GB')} bytes`);
      runs.push(run);
    }
  } finally {
    await stopAll();
  }
  const report = {
    date: new Date().toISOString(),
    chromium: chromiumVersion,
    loadAverage: [loadBefore, loadavg()[0]],
    options,
    conditions: { network: NETWORK, cpuRate: options.cpuRate, screen: SCREEN, source: 'Lighthouse throttling.mobileSlow4G' },
    summary: summarise(runs),
    runs,
  };
  console.log(markdown(report));
  if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  const medianOf = (name) => report.summary.measures.find((m) => m.name === name).median;
  const checks = [
    ['bytes to the first question', medianOf('bytes over the network'), options.bytesBudget, 'B'],
    ['first screen', medianOf('**first screen** (age form painted, data-ready)'), options.firstScreenBudget, 'ms'],
  ];
  let over = false;
  console.log('');
  for (const [name, value, budget, unit] of checks) {
    const within = value <= budget;
    over ||= !within;
    console.log(`budget: ${name} ${fmt(value)} ${unit} of at most ${fmt(budget)} ${unit}: ${within ? 'within' : 'OVER'}`);
  }
  if (over && options.budget) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`timing: error: ${error.stack ?? error}`);
  process.exit(1);
});
