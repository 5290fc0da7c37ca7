#!/usr/bin/env node
// Writes a brotli (.br) and a gzip (.gz) copy next to every compressible file
// of a directory, for a server that sends them as they are instead of
// compressing on each request (triage-wasm/tools/serve.py does):
//   node triage-wasm/tools/precompress.mjs DIR
// Brotli runs at quality 11 and gzip at level 9: too slow to do per request,
// but done once here. A copy that would not be smaller is not written. Each
// copy takes the modification time of its original, so a server can tell a
// stale copy (original changed since) from a fresh one; running this again
// compresses only what changed. Prints raw, gzip and brotli bytes per file.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Extensions worth compressing. `.triage` is the compiled bundle (binary). */
export const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.txt', '.triage']);
const BINARY = new Set(['.wasm', '.triage']);
// Timestamps set through utimes lose their nanoseconds: a copy counts as
// fresh when its time is within this of its original's (serve.py agrees).
const MTIME_SLACK_MS = 1;
const ENCODINGS = [
  { suffix: '.br', compress: brotli },
  { suffix: '.gz', compress: (data) => gzipSync(data, { level: 9 }) },
];

function brotli(data, ext) {
  return brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      [constants.BROTLI_PARAM_MODE]: BINARY.has(ext) ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
}

/** The compressible regular files under `dir`, sorted. Symbolic links and dot files are left alone. */
function compressibleFiles(dir) {
  const found = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && COMPRESSIBLE.has(extname(entry.name).toLowerCase())) found.push(path);
    }
  };
  walk(dir);
  return found.sort();
}

function statOrNull(path) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Writes through a temporary name, so a server never sends a half-written copy. */
function writeAtomically(path, data, mtime) {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  utimesSync(temporary, mtime, mtime);
  renameSync(temporary, path);
}

/**
 * Compresses the files of `dir` that need it. Returns one row per file:
 * {path, raw, gzip, brotli, fresh}, where gzip/brotli are the byte sizes of
 * the copies (null when not worth writing) and `fresh` counts the copies that
 * were already up to date.
 */
export function precompress(dir) {
  const root = resolve(dir);
  const rows = [];
  for (const path of compressibleFiles(root)) {
    const original = statSync(path);
    const ext = extname(path).toLowerCase();
    const row = { path: relative(root, path).split(sep).join('/'), raw: original.size, gzip: null, brotli: null, fresh: 0 };
    let data = null;
    for (const { suffix, compress } of ENCODINGS) {
      const key = suffix === '.br' ? 'brotli' : 'gzip';
      const copy = statOrNull(path + suffix);
      if (copy && copy.isFile() && copy.mtimeMs + MTIME_SLACK_MS >= original.mtimeMs && copy.size < original.size) {
        row[key] = copy.size;
        row.fresh += 1;
        continue;
      }
      data ??= readFileSync(path);
      const compressed = compress(data, ext);
      if (compressed.length < data.length) {
        writeAtomically(path + suffix, compressed, original.mtimeMs / 1000);
        row[key] = compressed.length;
      } else if (copy) {
        // A copy from an older version of the file, now not worth having.
        rmSync(path + suffix, { force: true });
      }
    }
    rows.push(row);
  }
  return rows;
}

const number = (n) => (n === null ? '-' : n.toLocaleString('en-GB'));

/** The table of sizes, and the total a browser that takes brotli downloads. */
export function formatTable(rows) {
  const header = ['file', 'raw', 'gzip -9', 'brotli 11', 'sent (br)'];
  const sent = (row) => row.brotli ?? row.raw;
  const body = rows.map((row) => [row.path, number(row.raw), number(row.gzip), number(row.brotli), number(sent(row))]);
  const total = (pick) => rows.reduce((sum, row) => sum + pick(row), 0);
  body.push([
    'total',
    number(total((row) => row.raw)),
    number(total((row) => row.gzip ?? row.raw)),
    number(total((row) => row.brotli ?? row.raw)),
    number(total(sent)),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i].length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), ...body.slice(0, -1).map(line), line(widths.map((w) => '-'.repeat(w))), line(body.at(-1))].join('\n');
}

function main(args) {
  const usage = 'usage: node triage-wasm/tools/precompress.mjs DIR';
  if (args.includes('-h') || args.includes('--help')) {
    console.log(`${usage}\n\nWrites FILE.br (brotli 11) and FILE.gz (gzip -9) next to each ${[...COMPRESSIBLE].join(' ')} file of DIR.`);
    return 0;
  }
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error(usage);
    return 2;
  }
  const stat = statOrNull(args[0]);
  if (!stat || !stat.isDirectory()) {
    console.error(`precompress: error: ${stat ? 'not a directory' : 'no such directory'}: ${args[0]}`);
    return 1;
  }
  const rows = precompress(args[0]);
  if (rows.length === 0) {
    console.log(`no compressible files in ${args[0]}`);
    return 0;
  }
  console.log(formatTable(rows));
  const fresh = rows.reduce((sum, row) => sum + row.fresh, 0);
  if (fresh) console.log(`(${fresh} cop${fresh === 1 ? 'y was' : 'ies were'} already up to date)`);
  return 0;
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  process.exitCode = main(process.argv.slice(2));
}
