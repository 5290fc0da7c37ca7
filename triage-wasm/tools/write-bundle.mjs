#!/usr/bin/env node
// Compiles a pathway directory into the bundle file a page loads:
//   triage-write-bundle PATHWAY_DIR -o bundle.triage
// or, split for a page that downloads only the pathway chosen (the same files
// as `triage compile PATHWAY_DIR --split OUT_DIR`):
//   triage-write-bundle PATHWAY_DIR --split OUT_DIR
// the same compiled artifact, with the same content hash, as
// `triage compile PATHWAY_DIR -o bundle.triage`; a page loads it with
// Engine.fromArtifact(bytes).
//
// Every YAML file is read, case packs (*.cases.yaml) included: they are
// checked, and counted in the content hash, but not compiled in (a page never
// runs them). The bundle is checked with the engine's sources module first,
// as `triage validate` does: errors stop it, and nothing is written.
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';


const USAGE = `usage: triage-write-bundle PATHWAY_DIR (-o OUT.triage | --split OUT_DIR) [--quiet] [--no-check]

Compiles the YAML files of PATHWAY_DIR (dispositions.yaml, care-advice.yaml,
modules/, pathways/) into OUT.triage, the compiled bundle a page loads with
Engine.fromArtifact(bytes). "-o -" writes it to standard output.
  --split OUT_DIR write catalog.triage (for Engine.fromArtifact) and one
                  PATHWAY.part.triage per pathway (for engine.addPart) into
                  OUT_DIR, as \`triage compile --split\` does
  -q, --quiet     list only the files left out, not every file read
  --no-check      do not report warnings and case-pack problems first (errors
                  in the pathways still stop it)`;

function fail(message) {
  console.error(`triage-write-bundle: error: ${message}`);
  process.exit(1);
}

function parseArgs(args) {
  const options = { dir: null, out: null, split: null, quiet: false, check: true };
  const positional = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === '-o' || arg === '--out') {
      if (i + 1 >= args.length) usage(`${arg} needs a file name`);
      options.out = args[(i += 1)];
    } else if (arg === '--split') {
      if (i + 1 >= args.length) usage(`${arg} needs a folder name`);
      options.split = args[(i += 1)];
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
  if (options.out !== null && options.split !== null) usage('give -o or --split, not both');
  if (options.out === null && options.split === null) usage('no output file given (-o bundle.triage)');
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

/** The engine next to this tool, with its sources module loaded. */
async function engine() {
  let triage;
  try {
    triage = await import(new URL('./triage.js', import.meta.url).href);
  } catch (error) {
    fail(`the engine (triage.js) is not next to this tool (${error.message}); run the copy in the npm package`);
  }
  // The runtime module too: the artifact written is read back with it.
  await Promise.all([triage.init(), triage.initSources()]);
  return triage;
}

/** Reports every problem `triage validate` would; errors stop the tool. */
function check(triage, files) {
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
if (!rootStat.isDirectory()) {
  fail(`${options.dir} is not a directory; give the pathway directory (a file ending .triage is already compiled: load it with Engine.fromArtifact)`);
}

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
if (options.quiet) {
  const byReason = new Map();
  for (const file of leftOut) byReason.set(file.why, (byReason.get(file.why) ?? 0) + 1);
  for (const [why, count] of byReason) console.error(`  left out ${count} file(s): ${why}`);
} else {
  for (const file of leftOut) console.error(`  left out ${file.key} (${file.why})`);
}
if (!('dispositions.yaml' in files)) {
  console.error(`warning: there is no dispositions.yaml at the top of ${options.dir}; is it the right directory?`);
}
const triage = await engine();
if (options.check) check(triage, files);
let bytes;
try {
  if (options.split !== null) writeSplit(triage.compileSplit(files));
  bytes = triage.compile(files);
} catch (error) {
  for (const d of error.diagnostics ?? []) {
    if (d.severity === 'error') console.error(`${d.file ? `${d.file}:${d.line}: ` : ''}error ${d.code}: ${d.message}`);
  }
  fail(`${error.message}; nothing was written`);
}
/** Writes the split bundle into options.split, each file whole, then exits. */
function writeSplit(split) {
  const folder = resolve(options.split);
  if (folder === root || folder.startsWith(root + sep)) {
    fail(`${options.split} is inside the bundle's own folder; write the split bundle elsewhere`);
  }
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    fail(`cannot make ${options.split}: ${why(error)}`);
  }
  const sizes = [];
  for (const [name, data] of split) {
    const out = join(folder, name);
    const temporary = `${out}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, data);
      renameSync(temporary, out);
    } catch (error) {
      try { unlinkSync(temporary); } catch { /* not written */ }
      fail(`cannot write ${out}: ${why(error)}`);
    }
    if (name !== 'catalog.triage') sizes.push(data.length);
  }
  sizes.sort((a, b) => a - b);
  const { hash } = triage.Engine.fromArtifact(split.get('catalog.triage'));
  console.error(`${taken.length} file(s) compiled into ${options.split}: catalog.triage ` +
    `(${split.get('catalog.triage').length} bytes) and ${sizes.length} parts ` +
    `(${sizes[0]} to ${sizes[sizes.length - 1]} bytes, median ${sizes[sizes.length >> 1]}); content hash ${hash}`);
  process.exit(0);
}

/** A system error code in words. */
function why(error) {
  const words = {
    ENOENT: 'its folder does not exist',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
  };
  return words[error.code] ?? error.code ?? error.message;
}

if (options.out !== '-') {
  // Never over one of the files it was compiled from.
  let target = null;
  try {
    target = realpathSync(options.out);
  } catch {
    // Not there yet: it cannot be one of them.
  }
  if (target !== null && taken.some((file) => {
    try {
      return realpathSync(file.path) === target;
    } catch {
      return false;
    }
  })) {
    fail(`${options.out} is one of the bundle's own files; write the compiled bundle elsewhere, e.g. -o bundle.triage`);
  }
}
if (options.out === '-') {
  process.stdout.write(bytes);
} else {
  // Written beside the target, then renamed over it: never half written.
  const temporary = `${options.out}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, options.out);
  } catch (error) {
    try { unlinkSync(temporary); } catch { /* not written */ }
    fail(`cannot write ${options.out}: ${why(error)}`);
  }
}
const { hash, stats } = triage.Engine.fromArtifact(bytes);
console.error(`${taken.length} file(s) compiled into ${options.out === '-' ? 'standard output' : options.out}: ` +
  `${stats.pathways} pathway(s), ${bytes.length} bytes, content hash ${hash}`);
