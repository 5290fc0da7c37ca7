#!/usr/bin/env node
// Writes a pathway directory as the bundle file a page loads:
//   triage-write-bundle PATHWAY_DIR -o bundle.json
// {"files": {"dispositions.yaml": "...", "pathways/chest-pain.yaml": "...", ...}}
//
// Keys are paths relative to the directory, as the engine expects. Case packs
// (*.cases.yaml) are left out: a page never runs them, and checking them more
// than doubles the size and the loading time. The content hash therefore
// covers exactly the files written. Every file taken and every file left out
// is listed. When the engine (triage.js) is next to this tool, as in the npm
// package, the bundle is checked before it is written: errors stop it.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const CASE_PACK = 'case pack: pages never run it';

const USAGE = `usage: triage-write-bundle PATHWAY_DIR -o OUT.json [--quiet] [--no-check]

Writes the YAML files of PATHWAY_DIR (dispositions.yaml, care-advice.yaml,
modules/, pathways/) into OUT.json, the bundle a page loads with
Engine.load(files). Case packs (*.cases.yaml) are left out. "-o -" writes to
standard output.
  -q, --quiet     list only the files left out (case packs by count), not every file taken
  --no-check      do not check the bundle with the engine before writing it`;

function fail(message) {
  console.error(`triage-write-bundle: error: ${message}`);
  process.exit(1);
}

function parseArgs(args) {
  const options = { dir: null, out: null, quiet: false, check: true };
  const positional = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === '-o' || arg === '--out') {
      if (i + 1 >= args.length) usage(`${arg} needs a file name`);
      options.out = args[(i += 1)];
    } else if (arg.startsWith('--out=')) {
      options.out = arg.slice('--out='.length);
    } else if (arg === '-q' || arg === '--quiet') {
      options.quiet = true;
    } else if (arg === '--no-check') {
      options.check = false;
    } else if (arg.startsWith('-') && arg !== '-') {
      usage(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  // The older form, PATHWAY_DIR OUT.json, still works.
  if (positional.length === 2 && options.out === null) options.out = positional.pop();
  if (positional.length !== 1) usage(positional.length ? 'give one pathway directory' : 'no pathway directory given');
  if (options.out === null) usage('no output file given (-o bundle.json)');
  options.dir = positional[0];
  return options;
}

function usage(message) {
  console.error(`triage-write-bundle: error: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** Every file under `root`, as {path, key, take, why}; symbolic links are followed. */
function survey(root) {
  const found = [];
  const walk = (at) => {
    let entries;
    try {
      entries = readdirSync(at).sort();
    } catch (error) {
      fail(`cannot read the directory ${at}: ${error.code ?? error.message}`);
    }
    for (const name of entries) {
      const path = join(at, name);
      const key = relative(root, path).split(sep).join('/');
      let stat;
      try {
        stat = statSync(path);
      } catch (error) {
        fail(`cannot read ${path}: ${error.code === 'ENOENT' ? 'it is a link to nothing' : error.code ?? error.message}`);
      }
      if (name.startsWith('.')) {
        found.push({ path, key, take: false, why: 'hidden' });
      } else if (stat.isDirectory()) {
        walk(path);
      } else if (!stat.isFile()) {
        found.push({ path, key, take: false, why: 'not a regular file' });
      } else if (/\.cases\.ya?ml$/.test(name)) {
        found.push({ path, key, take: false, why: CASE_PACK });
      } else if (/\.ya?ml$/.test(name)) {
        found.push({ path, key, take: true });
      } else {
        found.push({ path, key, take: false, why: 'not YAML' });
      }
    }
  };
  walk(root);
  return found;
}

/** Checks the bundle with the engine next to this tool, if there is one. */
async function check(files) {
  let triage;
  try {
    triage = await import(new URL('./triage.js', import.meta.url).href);
  } catch {
    console.error('not checked: the engine (triage.js) is not next to this tool; run `triage validate` on the directory');
    return;
  }
  await triage.init();
  const report = triage.validate(files);
  for (const d of report.diagnostics) {
    const where = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''}: ` : '';
    console.error(`${where}${d.severity} ${d.code}: ${d.message}${d.help ? `\n  help: ${d.help}` : ''}`);
  }
  const { errors, warnings } = report.summary;
  if (errors > 0) fail(`the bundle has ${errors} error(s); nothing was written`);
  console.error(`checked: ${report.summary.pathways} pathway(s), ${warnings} warning(s)`);
}

const options = parseArgs(process.argv.slice(2));
const root = resolve(options.dir);
let rootStat;
try {
  rootStat = statSync(root);
} catch (error) {
  fail(error.code === 'ENOENT' ? `no such directory: ${options.dir}` : `cannot read ${options.dir}: ${error.code ?? error.message}`);
}
if (!rootStat.isDirectory()) fail(`${options.dir} is not a directory`);

const found = survey(root);
const taken = found.filter((f) => f.take);
if (taken.length === 0) {
  fail(`no YAML files in ${options.dir} (a pathway directory has dispositions.yaml, care-advice.yaml and pathways/*.yaml)`);
}
const files = {};
for (const file of taken) {
  try {
    files[file.key] = readFileSync(file.path, 'utf8');
  } catch (error) {
    fail(`cannot read ${file.path}: ${error.code ?? error.message}`);
  }
  if (!options.quiet) console.error(`  took     ${file.key}`);
}
const leftOut = found.filter((f) => !f.take);
for (const file of leftOut) {
  if (!options.quiet || file.why !== CASE_PACK) console.error(`  left out ${file.key} (${file.why})`);
}
const casePacks = leftOut.filter((f) => f.why === CASE_PACK).length;
if (options.quiet && casePacks) console.error(`  left out ${casePacks} case pack(s) (*.cases.yaml: pages never run them)`);
if (!('dispositions.yaml' in files)) {
  console.error(`warning: there is no dispositions.yaml at the top of ${options.dir}; is it the right directory?`);
}
if (options.check) await check(files);

const json = JSON.stringify({ files });
if (options.out === '-') {
  process.stdout.write(`${json}\n`);
} else {
  try {
    writeFileSync(options.out, json);
  } catch (error) {
    fail(`cannot write ${options.out}: ${error.code ?? error.message}`);
  }
}
const skipped = found.length - taken.length;
console.error(`${taken.length} file(s) written to ${options.out === '-' ? 'standard output' : options.out}` +
  `${skipped ? `, ${skipped} left out` : ''}`);
