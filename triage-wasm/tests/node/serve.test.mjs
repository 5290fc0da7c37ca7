// Tests of the static server for the demo page (tools/serve.py) and of the
// precompression it relies on (tools/precompress.mjs): the right copy for
// each Accept-Encoding, the original's Content-Type, revalidation, and no way
// out of the served directory. They need python3 and fail without it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { CRATE_DIR } from '../support.mjs';

const PYTHON = process.env.PYTHON ?? 'python3';
const SERVE = join(CRATE_DIR, 'tools', 'serve.py');
const PRECOMPRESS = join(CRATE_DIR, 'tools', 'precompress.mjs');
const TIMEOUT = { timeout: 30_000 };

const scratch = mkdtempSync(join(tmpdir(), 'triage-serve-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Bytes that compress well, like the page's files: repeated text, or a repeated binary pattern. */
function text(line, times) {
  return Array.from({ length: times }, (_, i) => `${line} ${i % 7}\n`).join('');
}
function binary(head, size) {
  const bytes = Buffer.alloc(size);
  head.copy(bytes);
  for (let i = head.length; i < size; i += 1) bytes[i] = (i * 7) % 13;
  return bytes;
}

const FILES = {
  'index.html': text('<p>Check your symptoms</p>', 200),
  'app.js': text('export const answer = (question) => question.options[0];', 200),
  'bundle.json': JSON.stringify({ files: { 'a.yaml': text('pathway: { id: a }', 300) } }),
  'pkg/engine.wasm': binary(Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]), 20_000),
  'bundle.triage': binary(Buffer.from('TRIAGE01'), 30_000),
  'css/style.css': text('.button { color: #007f3b; }', 200),
  'tiny.txt': 'x',
};

/** A directory with the test files, precompressed; and a file outside it with a link to it. */
function makeSite(name) {
  const dir = join(scratch, name);
  for (const [path, content] of Object.entries(FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const secret = join(scratch, `${name}-secret.txt`);
  writeFileSync(secret, 'not to be served');
  symlinkSync(secret, join(dir, 'leak.txt'));
  const result = precompress(dir);
  assert.equal(result.status, 0, result.stderr);
  return dir;
}

function precompress(dir) {
  return spawnSync(process.execPath, [PRECOMPRESS, dir], { encoding: 'utf8' });
}

function original(path) {
  return Buffer.from(FILES[path]);
}

/** Starts serve.py on a free port: {port, child, exited, log()}. Rejects if python3 cannot run it. */
function startServer(dir, ...args) {
  const child = spawn(PYTHON, [SERVE, '--port', '0', '--bind', '127.0.0.1', ...args, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => { out += chunk; });
  child.stderr.on('data', (chunk) => { err += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(
      error.code === 'ENOENT' ? `${PYTHON} is needed to run tools/serve.py and was not found` : error.message)));
    child.stdout.on('data', () => {
      const match = /^Serving .* at http:\/\/127\.0\.0\.1:(\d+)\/ \(compressed: br, gzip\)$/m.exec(out);
      if (match) resolve(Number(match[1]));
    });
    exited.then(({ code }) => reject(new Error(`serve.py exited (${code}) before serving: ${err}`)));
    setTimeout(() => reject(new Error(`serve.py did not start: ${out}${err}`)), 15_000).unref();
  });
  return port.then((chosen) => ({ port: chosen, child, exited, log: () => out }));
}

/** One request, without any decoding: {status, headers, body}. */
function fetchRaw(port, path, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

// One server for the tests that only read; started by the first test that needs it.
let shared = null;
function sharedServer() {
  shared ??= startServer(makeSite('site'));
  return shared;
}
after(async () => {
  if (!shared) return;
  const server = await shared.catch(() => null);
  server?.child.kill('SIGKILL');
});

const BOTH = { 'Accept-Encoding': 'gzip, deflate, br, zstd' };
const TYPES = {
  '/app.js': ['app.js', 'text/javascript'],
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/bundle.json': ['bundle.json', 'application/json'],
  '/pkg/engine.wasm': ['pkg/engine.wasm', 'application/wasm'],
  '/bundle.triage': ['bundle.triage', 'application/octet-stream'],
  '/css/style.css': ['css/style.css', 'text/css'],
};

test('precompress writes a .br and a .gz copy where they are smaller, and running it again changes nothing', (t) => {
  const dir = makeSite('twice');
  const copies = (at, prefix = '') => readdirSync(at, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory()
    ? copies(join(at, entry.name), `${prefix}${entry.name}/`)
    : [`${prefix}${entry.name}`])).filter((name) => /\.(br|gz)$/.test(name)).sort();
  const expected = Object.keys(FILES).filter((path) => path !== 'tiny.txt').flatMap((path) => [`${path}.br`, `${path}.gz`]).sort();
  assert.deepEqual(copies(dir), expected, 'tiny.txt does not shrink, so it has no copies');
  for (const path of expected) {
    const source = FILES[path.replace(/\.(br|gz)$/, '')];
    const unpack = path.endsWith('.br') ? brotliDecompressSync : gunzipSync;
    assert.deepEqual(unpack(readFileSync(join(dir, path))), Buffer.from(source), `${path} holds its original`);
  }
  const times = expected.map((path) => statSync(join(dir, path)).mtimeMs);
  const again = precompress(dir);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(copies(dir), expected, 'no copy of a copy');
  assert.deepEqual(expected.map((path) => statSync(join(dir, path)).mtimeMs), times, 'nothing rewritten');
  assert.match(again.stdout, /12 copies were already up to date/);
  assert.match(again.stdout, /^total +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+$/m);
  t.diagnostic(again.stdout);
});

test('precompress refuses a missing directory', () => {
  const result = precompress(join(scratch, 'missing'));
  assert.equal(result.status, 1);
  assert.match(result.stderr, /no such directory/);
});

test('brotli goes to a browser that takes it, with the type of the original', TIMEOUT, async (t) => {
  const { port } = await sharedServer();
  t.diagnostic(`serve.py is on port ${port}`);
  for (const [url, [path, type]] of Object.entries(TYPES)) {
    const res = await fetchRaw(port, url, { headers: BOTH });
    assert.equal(res.status, 200, url);
    assert.equal(res.headers['content-encoding'], 'br', url);
    assert.ok(res.headers['content-type'].startsWith(type), `${url}: ${res.headers['content-type']}`);
    assert.equal(res.headers.vary, 'Accept-Encoding', url);
    assert.equal(res.headers['cache-control'], 'no-cache', url);
    assert.equal(Number(res.headers['content-length']), res.body.length, url);
    assert.ok(res.body.length < original(path).length, `${url} went out smaller`);
    assert.deepEqual(brotliDecompressSync(res.body), original(path), url);
  }
});

test('gzip goes to a browser that takes only gzip, or refuses brotli', TIMEOUT, async () => {
  const { port } = await sharedServer();
  for (const acceptEncoding of ['gzip', 'gzip, deflate', 'br;q=0, gzip;q=0.8', 'identity, gzip']) {
    for (const [url, [path, type]] of Object.entries(TYPES)) {
      const res = await fetchRaw(port, url, { headers: { 'Accept-Encoding': acceptEncoding } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], 'gzip', `${url} for ${acceptEncoding}`);
      assert.ok(res.headers['content-type'].startsWith(type), url);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      assert.deepEqual(gunzipSync(res.body), original(path), url);
    }
  }
});

test('the file itself goes to a browser that takes neither', TIMEOUT, async () => {
  const { port } = await sharedServer();
  for (const headers of [{}, { 'Accept-Encoding': 'identity' }, { 'Accept-Encoding': 'deflate' }, { 'Accept-Encoding': 'br;q=0, gzip;q=0' }]) {
    for (const [url, [path, type]] of Object.entries(TYPES)) {
      const res = await fetchRaw(port, url, { headers });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], undefined, `${url} for ${JSON.stringify(headers)}`);
      assert.ok(res.headers['content-type'].startsWith(type), url);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      assert.equal(Number(res.headers['content-length']), original(path).length);
      assert.deepEqual(res.body, original(path), url);
    }
  }
  // A file that does not shrink has no copies, and goes out as it is.
  const tiny = await fetchRaw(port, '/tiny.txt', { headers: BOTH });
  assert.equal(tiny.headers['content-encoding'], undefined);
  assert.equal(tiny.body.toString(), 'x');
});

test('HEAD gives the headers of GET and no body', TIMEOUT, async () => {
  const { port } = await sharedServer();
  const get = await fetchRaw(port, '/pkg/engine.wasm', { headers: BOTH });
  const head = await fetchRaw(port, '/pkg/engine.wasm', { method: 'HEAD', headers: BOTH });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  for (const name of ['content-type', 'content-encoding', 'content-length', 'etag', 'vary']) {
    assert.equal(head.headers[name], get.headers[name], name);
  }
});

test('an unchanged file is revalidated with a 304, per encoding', TIMEOUT, async () => {
  const { port } = await sharedServer();
  const first = await fetchRaw(port, '/app.js', { headers: BOTH });
  const { etag } = first.headers;
  assert.match(etag, /^"[^"]+"$/);
  assert.ok(first.headers['last-modified']);
  const again = await fetchRaw(port, '/app.js', { headers: { ...BOTH, 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, etag);
  assert.equal(again.headers.vary, 'Accept-Encoding');
  const weak = await fetchRaw(port, '/app.js', { headers: { ...BOTH, 'If-None-Match': `"other", W/${etag}` } });
  assert.equal(weak.status, 304);
  // The gzip body differs from the brotli one: the brotli tag does not validate it.
  const gzip = await fetchRaw(port, '/app.js', { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': etag } });
  assert.equal(gzip.status, 200);
  assert.notEqual(gzip.headers.etag, etag);
  const since = await fetchRaw(port, '/app.js', { headers: { ...BOTH, 'If-Modified-Since': first.headers['last-modified'] } });
  assert.equal(since.status, 304);
});

test('nothing outside the directory is served, nor the copies by name', TIMEOUT, async () => {
  const { port } = await sharedServer();
  for (const path of [
    '/../etc/passwd',
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/pkg/..%2f..%2f..%2fetc%2fpasswd',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/css/%00',
    '/%ff',
    '/leak.txt', // a link to a file outside
    '/app.js.br',
    '/app.js.gz',
    '/missing.js',
  ]) {
    const res = await fetchRaw(port, path, { headers: BOTH });
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(res.body.toString('latin1'), /root:|not to be served/, path);
  }
});

test('methods other than GET and HEAD get 405', TIMEOUT, async () => {
  const { port } = await sharedServer();
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const res = await fetchRaw(port, '/app.js', { method });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.allow, 'GET, HEAD', method);
  }
});

test('a copy older than its original is not sent', TIMEOUT, async (t) => {
  const dir = makeSite('stale');
  const server = await startServer(dir);
  t.after(() => server.child.kill('SIGKILL'));
  const changed = text('export const answer = () => "changed";', 200);
  writeFileSync(join(dir, 'app.js'), changed);
  const later = new Date(Date.now() + 5_000);
  utimesSync(join(dir, 'app.js'), later, later);
  const res = await fetchRaw(server.port, '/app.js', { headers: BOTH });
  assert.equal(res.headers['content-encoding'], undefined);
  assert.equal(res.body.toString(), changed);
});

test('one log line per request, and SIGTERM or Ctrl-C stops it with status 0', TIMEOUT, async () => {
  const dir = makeSite('stop');
  for (const signal of ['SIGTERM', 'SIGINT']) {
    const server = await startServer(dir);
    await fetchRaw(server.port, '/app.js', { headers: BOTH });
    await fetchRaw(server.port, '/nothing', { headers: BOTH });
    server.child.kill(signal);
    assert.deepEqual(await server.exited, { code: 0, signal: null }, signal);
    assert.match(server.log(), /"GET \/app\.js HTTP\/1\.1" 200 br \d+\n/);
    assert.match(server.log(), /"GET \/nothing HTTP\/1\.1" 404 /);
  }
});

test('a missing directory or a port in use is a clear error', TIMEOUT, async () => {
  const missing = spawnSync(PYTHON, [SERVE, join(scratch, 'missing')], { encoding: 'utf8' });
  assert.ok(!missing.error, `${PYTHON} is needed to run tools/serve.py: ${missing.error?.message}`);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /error: no such directory: .*missing/);

  const taken = createServer();
  await new Promise((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const busy = spawnSync(PYTHON, [SERVE, '--port', String(taken.address().port), scratch], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /error: port \d+ on 127\.0\.0\.1 is already in use/);
  } finally {
    taken.close();
  }
});
