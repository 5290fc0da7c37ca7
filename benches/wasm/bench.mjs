// Times the engine across the JavaScript/WebAssembly boundary, on the release
// package that scripts/build-wasm.sh writes to triage-wasm/pkg/:
//   node benches/wasm/bench.mjs [PACKAGE_DIR] [BUNDLE_DIR]
// One answer (Session.answer, and the raw binding beneath it), a full
// chest-pain journey, and loading the shipped bundle: compiled (the artifact
// a page loads) and from its YAML files (the sources module). Prints medians.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packageDir = resolve(process.argv[2] ?? join(root, 'triage-wasm', 'pkg'));
const bundleDir = resolve(process.argv[3] ?? join(root, 'pathways'));

// The journey the Rust benches time (benches/support/journeys.rs,
// TIMED_JOURNEY): the longest chest-pain case, through a branch node.
const PATHWAY = 'chest-pain';
const PATIENT = { age_years: 47, sex: 'female' };
const JOURNEY = [
  ['emergency-screen/signs', 'none'],
  ['pain-now', 'over-3-days'],
  ['heart-signs', 'none'],
  ['injury', 'no'],
  ['breathing-pain', 'no'],
  ['heartburn', 'no'],
  ['muscle', 'no'],
];
const EXPECTED = 'own-gp-3-days';

function bundleFiles(dir) {
  const found = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) found.push(path);
    }
  };
  walk(dir);
  const files = {};
  for (const path of found.sort()) {
    files[relative(dir, path).split(sep).join('/')] = readFileSync(path, 'utf8');
  }
  return files;
}

// Median time of `run` in nanoseconds. Each sample times `batch` calls (to
// keep the timer's own cost small) after `prepare` has made their inputs.
function median({ samples, batch, prepare = () => [], run }) {
  const times = [];
  for (let warm = 0; warm < 50; warm++) run(...prepare());
  for (let s = 0; s < samples; s++) {
    const inputs = Array.from({ length: batch }, prepare);
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) run(...inputs[i]);
    times.push(Number(process.hrtime.bigint() - start) / batch);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function show(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

for (const file of ['triage.js', 'triage_wasm.js', 'triage_wasm_bg.wasm']) {
  if (!existsSync(join(packageDir, file))) {
    console.error(`no ${file} in ${packageDir}: build the package first (scripts/build-wasm.sh)`);
    process.exit(2);
  }
}
const wrapper = await import(pathToFileURL(join(packageDir, 'triage.js')).href);
const raw = await import(pathToFileURL(join(packageDir, 'triage_wasm.js')).href);
wrapper.initSync(readFileSync(join(packageDir, 'triage_wasm_bg.wasm')));

const files = bundleFiles(bundleDir);
// The sources module compiles the artifact, as triage-write-bundle does.
await wrapper.initSources();
const artifact = wrapper.compile(files);
const engine = wrapper.Engine.fromArtifact(artifact);

// The saved session before each answer, to resume from.
const before = [];
let session = engine.start(PATHWAY, PATIENT);
for (const [question, answer] of JOURNEY) {
  before.push(session.save());
  session.answer(question, answer);
}
const outcome = session.outcome;
if (!outcome || outcome.disposition.id !== EXPECTED) {
  console.error(`the journey should end at ${EXPECTED}, got ${JSON.stringify(session.step)}`);
  process.exit(1);
}
const last = JOURNEY.length - 1;
const answerJson = JOURNEY.map(([question, answer]) => JSON.stringify({ question, answer }));
const rawEngine = raw.Engine.fromArtifact(artifact);

const rows = [
  [
    'one answer, first question: `Session.answer`',
    median({
      samples: 200,
      batch: 20,
      prepare: () => [engine.resume(before[0])],
      run: (s) => s.answer(...JOURNEY[0]),
    }),
  ],
  [
    `one answer, question ${last + 1}: \`Session.answer\``,
    median({
      samples: 200,
      batch: 20,
      prepare: () => [engine.resume(before[last])],
      run: (s) => s.answer(...JOURNEY[last]),
    }),
  ],
  [
    'one answer, first question: raw binding `SessionHandle.answer(answer)` (JSON text in and out)',
    median({
      samples: 200,
      batch: 20,
      prepare: () => [rawEngine.resume(before[0])],
      run: (h) => h.answer(answerJson[0]),
    }),
  ],
  [
    `one answer, question ${last + 1}: raw binding (JSON text in and out)`,
    median({
      samples: 200,
      batch: 20,
      prepare: () => [rawEngine.resume(before[last])],
      run: (h) => h.answer(answerJson[last]),
    }),
  ],
  [
    `full journey: \`Engine.start\` + ${JOURNEY.length} \`Session.answer\` + outcome`,
    median({
      samples: 100,
      batch: 5,
      run: () => {
        const s = engine.start(PATHWAY, PATIENT);
        for (const [question, answer] of JOURNEY) s.answer(question, answer);
        return s.outcome;
      },
    }),
  ],
  [
    'resume a session (`Engine.resume`), before the last answer',
    median({ samples: 200, batch: 20, run: () => engine.resume(before[last]) }),
  ],
  [
    `load the compiled shipped bundle (\`Engine.fromArtifact\`, ${artifact.length.toLocaleString('en-GB')} bytes)`,
    median({ samples: 20, batch: 1, run: () => wrapper.Engine.fromArtifact(artifact).free() }),
  ],
  [
    'load + validate + compile its YAML files (`Engine.load`, sources module; case packs not parsed)',
    median({ samples: 20, batch: 1, run: () => wrapper.Engine.load(files).free() }),
  ],
];

console.log(`Node ${process.version}, package ${packageDir}`);
console.log(`journey: ${PATHWAY}, ${JOURNEY.length} answers, ends at ${EXPECTED}\n`);
console.log('| WASM, from JavaScript | median |');
console.log('|---|---:|');
for (const [what, ns] of rows) console.log(`| ${what} | ${show(ns)} |`);
