// The triage engine for web pages and Node: a typed wrapper over the
// WebAssembly bindings. Values cross into the engine as JSON text and come back
// as plain objects; every refusal is thrown as a TriageError with a stable code.
// A session lives inside the engine between calls, so an answer sends only the
// answer and gets back only the new step.
//
// Two WebAssembly modules: triage_wasm_bg.wasm runs compiled bundles (what a
// page loads), and triage_wasm_sources_bg.wasm also reads and validates
// pathway files; it is loaded only by initSources(), for tools and authoring.

import initBindings, {
  initSync as initBindingsSync,
  Engine as RawEngine,
} from './triage_wasm.js';

let ready = false;
let initialising = null;
// The sources module's bindings, once initSources() has loaded it.
let sources = null;
let initialisingSources = null;

/** Why the engine refused a call. `code` is a stable tag; see the README. */
export class TriageError extends Error {
  constructor(detail) {
    super(String(detail.message ?? detail.code));
    this.name = 'TriageError';
    this.code = String(detail.code);
    this.detail = detail;
    if (Array.isArray(detail.diagnostics)) this.diagnostics = detail.diagnostics;
  }
}

/**
 * What `init(source)` or `initSources(source)` was given, made something the
 * bindings take: without one, the module `fileName` next to this file
 * (read from disk under Node).
 */
async function moduleSource(source, fileName) {
  source = await source;
  if (source === undefined) {
    const url = new URL(fileName, import.meta.url);
    if (url.protocol === 'file:') {
      const { readFile } = await import('node:fs/promises');
      return readFile(url);
    }
    return url;
  }
  if (source !== null && typeof source === 'object' && !(source instanceof ArrayBuffer) && !ArrayBuffer.isView(source)) {
    // Values that have the shape of a Response or a URL without being one
    // (from another realm, or a polyfill) are read here.
    const isResponse = typeof Response === 'function' && source instanceof Response;
    if (!isResponse && typeof source.arrayBuffer === 'function') {
      if (source.ok === false) {
        throw new Error(`could not fetch the WebAssembly module: HTTP ${source.status}${source.url ? ` (${source.url})` : ''}`);
      }
      return source.arrayBuffer();
    }
    if (!isResponse && !(source instanceof URL) && typeof source.href === 'string') {
      return new URL(source.href);
    }
  }
  return source;
}

/**
 * Loads the WebAssembly module that runs compiled bundles. Without an
 * argument it is fetched from next to this file (read from disk under Node).
 * Call once before anything else.
 */
export async function init(source) {
  if (ready) return undefined;
  // Calls made while the module loads wait for that one load.
  initialising ??= (async () => {
    await initBindings({ module_or_path: await moduleSource(source, 'triage_wasm_bg.wasm') });
    ready = true;
  })().catch((error) => {
    initialising = null;
    throw error;
  });
  return initialising;
}

/**
 * Loads the second module, which reads and validates pathway files (YAML):
 * needed by validate(), compile() and Engine.load(), not by pages that load a
 * compiled bundle with Engine.fromArtifact(). Without an argument it is
 * fetched from next to this file (read from disk under Node).
 */
export async function initSources(source) {
  initialisingSources ??= (async () => {
    const bindings = await import('./triage_wasm_sources.js');
    await bindings.default({ module_or_path: await moduleSource(source, 'triage_wasm_sources_bg.wasm') });
    sources = bindings;
  })().catch((error) => {
    initialisingSources = null;
    throw error;
  });
  return initialisingSources;
}

/** Loads the WebAssembly module from bytes or a compiled module, synchronously. */
export function initSync(source) {
  if (ready) return;
  initBindingsSync({ module: source });
  ready = true;
}

function toJson(what, value) {
  let text;
  try {
    text = JSON.stringify(value instanceof Map ? Object.fromEntries(value) : value);
  } catch (error) {
    throw new TriageError({ code: 'bad_input', message: `${what} cannot be written as JSON: ${error.message}` });
  }
  if (text === undefined) {
    throw new TriageError({ code: 'bad_input', message: `${what} is missing` });
  }
  return text;
}

// The sources module, or a not_initialised error naming `what` needs it.
function sourcesModule(what) {
  if (!sources) {
    throw new TriageError({
      code: 'not_initialised',
      message: `${what} reads pathway files: call initSources() first (pages load a compiled bundle with Engine.fromArtifact(), which needs only init())`,
    });
  }
  return sources;
}

// Runs a call into the engine, turning what it throws into a TriageError.
function guard(call, loaded = ready) {
  if (!loaded) {
    throw new TriageError({ code: 'not_initialised', message: 'call init() before using the engine' });
  }
  try {
    return call();
  } catch (error) {
    if (typeof error === 'string') {
      let detail;
      try {
        detail = JSON.parse(error);
      } catch {
        detail = { code: 'internal', message: error };
      }
      throw new TriageError(detail);
    }
    if (error instanceof WebAssembly.RuntimeError) {
      throw new TriageError({ code: 'internal', message: `the engine stopped: ${error.message}` });
    }
    throw error;
  }
}

function parsed(call, loaded = ready) {
  return JSON.parse(guard(call, loaded));
}

/**
 * Checks a bundle (`{path: yaml text}`) and reports every problem, as
 * `triage validate --format json` does. Throws only for an argument that is
 * not such an object. Needs initSources().
 */
export function validate(files) {
  const bindings = sourcesModule('validate()');
  const text = toJson('the bundle files', files);
  return parsed(() => bindings.validate(text), true);
}

/**
 * Compiles a bundle (`{path: yaml text}`) into the bytes of a compiled
 * artifact, as `triage compile` writes it, for Engine.fromArtifact(). Throws
 * `invalid_bundle` (with its diagnostics) when the bundle has errors. Needs
 * initSources().
 */
export function compile(files) {
  const bindings = sourcesModule('compile()');
  const text = toJson('the bundle files', files);
  return guard(() => bindings.compile(text), true);
}

/**
 * Compiles a bundle as compile() does, split as `triage compile --split`
 * writes it for a page that downloads only what a person needs: a Map from
 * file name to bytes, first `catalog.triage` (for Engine.fromArtifact()),
 * then `PATHWAY.part.triage` per pathway (for engine.addPart()). Throws
 * `invalid_bundle` as compile() does. Needs initSources().
 */
export function compileSplit(files) {
  const bindings = sourcesModule('compileSplit()');
  const text = toJson('the bundle files', files);
  const packed = guard(() => bindings.compileSplit(text), true);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const names = new TextDecoder();
  const out = new Map();
  let at = 0;
  while (at < packed.byteLength) {
    const nameLength = view.getUint32(at, true);
    const name = names.decode(packed.subarray(at + 4, at + 4 + nameLength));
    at += 4 + nameLength;
    const length = view.getUint32(at, true);
    out.set(name, packed.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

/** `bytes` as a Uint8Array, or a bad_input error. */
function asBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  // By its tag, not instanceof: a buffer from another realm (a worker, an
  // iframe, node:vm) is one all the same.
  const tag = Object.prototype.toString.call(bytes);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TriageError({
    code: 'bad_input',
    message: 'a compiled bundle is bytes: a Uint8Array or an ArrayBuffer (e.g. from `await response.arrayBuffer()`)',
  });
}

// Only this file makes Engines and Sessions: their constructors take this.
const MADE_HERE = Symbol('triage');

/** A compiled bundle: starts, resumes and replays journeys. */
export class Engine {
  #raw;
  #info;

  constructor(raw, madeHere) {
    if (madeHere !== MADE_HERE) {
      throw new TypeError('use Engine.fromArtifact(bytes) or Engine.load(files) to make an Engine');
    }
    this.#raw = raw;
    this.#info = parsed(() => raw.info(), true);
  }

  /**
   * Loads a compiled bundle (the bytes `triage compile` or `compile()`
   * wrote). Throws `not_an_artifact`, `artifact_truncated`, `artifact_format`
   * (compiled for another release), `artifact_corrupted` or
   * `artifact_malformed` for bytes it cannot use.
   */
  static fromArtifact(bytes) {
    const data = asBytes(bytes);
    return new Engine(guard(() => RawEngine.fromArtifact(data)), MADE_HERE);
  }

  /**
   * Loads, validates and compiles a bundle given as `{path: yaml text}`.
   * Needs initSources(); pages should load a compiled bundle instead.
   */
  static load(files) {
    const bindings = sourcesModule('Engine.load()');
    const text = toJson('the bundle files', files);
    return new Engine(guard(() => bindings.Engine.load(text), true), MADE_HERE);
  }

  /** The content hash of the bundle's files (SHA-256, hex). */
  get hash() {
    return this.#info.hash;
  }

  /**
   * 'whole' for a compiled bundle, 'catalog' for the catalog of a split one
   * (`triage compile --split`), which lists and searches pathways and starts
   * journeys once their parts are added.
   */
  get kind() {
    return this.#info.kind;
  }

  /**
   * Adds a part of a split bundle (the bytes of `PATHWAY.part.triage`) to
   * this catalog; returns the ids of the pathways journeys can now start on.
   * Throws `artifact_not_a_part`, `part_mismatch` (a part of another bundle
   * than the catalog), or the codes of fromArtifact() for bytes it cannot use.
   */
  addPart(bytes) {
    const data = asBytes(bytes);
    return parsed(() => this.#raw.addPart(data), true);
  }

  /**
   * The file name of the part to add before a journey on `pathway` can start
   * (`PATHWAY.part.triage`, beside the catalog), or null when none is needed
   * (a whole bundle, a part already added, or a pathway the catalog lacks).
   */
  partNeeded(pathway) {
    return this.#raw.partNeeded(String(pathway)) ?? null;
  }

  /** Counts of pathways, modules, nodes and dispositions. */
  get stats() {
    return { ...this.#info.stats };
  }

  /** The warnings found while loading. */
  get diagnostics() {
    return this.#info.diagnostics.map((d) => ({ ...d }));
  }

  /** The pathways for a person and search words, best match first. */
  pathways(query = {}) {
    const text = toJson('the pathway query', query);
    return parsed(() => this.#raw.pathways(text), true);
  }

  /**
   * Starts a journey on `pathway` for `patient`. `options.language` ('en' or
   * 'cy') chooses the language of the texts; `options.topic` (a topic id from
   * `pathways()`) starts where that topic starts.
   */
  start(pathway, patient, options = {}) {
    const request = { pathway, patient };
    if (options.topic !== undefined) request.topic = options.topic;
    if (options.language !== undefined) request.language = options.language;
    const text = toJson('the start request', request);
    return new Session(guard(() => this.#raw.start(text), true), MADE_HERE);
  }

  /** Resumes a session saved with `Session.save()`; refuses one from another bundle. */
  resume(saved) {
    if (typeof saved !== 'string') {
      throw new TriageError({ code: 'bad_session', message: 'a saved session is the string Session.save() returned' });
    }
    return new Session(guard(() => this.#raw.resume(saved), true), MADE_HERE);
  }

  /** Replays an audit record; returns it when this bundle gives the same journey. */
  replay(record) {
    const text = toJson('the audit record', record);
    return parsed(() => this.#raw.replay(text), true);
  }

  /** Releases the engine's memory now rather than when it is garbage collected. */
  free() {
    this.#raw.free();
  }
}

/**
 * One person's journey. A refused answer leaves it exactly as it was. Its
 * memory is released when it is garbage collected, or at once by `free()`.
 */
export class Session {
  #raw;
  #pathway;
  #topic;
  #patient;
  #language;
  // The answers as last read from the engine; null once an answer or back()
  // has changed them, until they are asked for again.
  #answers;
  #answerCount;
  // The step as JSON text, parsed afresh for every reader so no caller can
  // change another's copy. An outcome comes without its transcript, the
  // larger part of it: `transcript` is read from the engine when first used.
  #stepText;
  #stepType;
  // The transcript of the current outcome, shared by the steps handed out
  // for it: { text } once read, { text: null } until then, null at a question.
  #transcript = null;

  constructor(raw, madeHere) {
    if (madeHere !== MADE_HERE) {
      throw new TypeError('use Engine.start() or Engine.resume() to make a Session');
    }
    const state = parsed(() => raw.state(), true);
    this.#raw = raw;
    this.#pathway = state.pathway;
    this.#topic = state.topic ?? null;
    this.#patient = state.patient;
    this.#language = state.language;
    this.#answers = state.answers;
    this.#answerCount = state.answers.length;
    this.#setStep(JSON.stringify(state.step), state.step);
  }

  #setStep(text, step) {
    this.#stepText = text;
    this.#stepType = step.type;
    this.#transcript = step.type === 'outcome' ? { text: null } : null;
    return this.#withTranscript(step);
  }

  /**
   * Gives an outcome its `transcript`, read from the engine the first time it
   * is used (and written by JSON.stringify like any other field), so an
   * answer that ends the journey does not pay for what may never be shown.
   */
  #withTranscript(step) {
    const held = this.#transcript;
    if (held === null || 'transcript' in step) return step;
    const raw = this.#raw;
    const settle = (value) => {
      Object.defineProperty(step, 'transcript', {
        value, writable: true, enumerable: true, configurable: true,
      });
      return value;
    };
    Object.defineProperty(step, 'transcript', {
      enumerable: true,
      configurable: true,
      get() {
        if (held.text === null) held.text = guard(() => raw.transcript(), true);
        return settle(JSON.parse(held.text));
      },
      set: settle,
    });
    return step;
  }

  /**
   * Before the session changes: the outcome it leaves keeps its transcript,
   * read now, for the steps already handed out for it.
   */
  #keepTranscript() {
    const held = this.#transcript;
    if (held !== null && held.text === null) {
      held.text = guard(() => this.#raw.transcript(), true);
    }
  }

  /** The current step: the next question, or the outcome. */
  get step() {
    return this.#withTranscript(JSON.parse(this.#stepText));
  }

  /** The question being asked, or null once the journey has ended. */
  get question() {
    return this.#stepType === 'question' ? this.step : null;
  }

  /** The outcome, or null while questions remain. */
  get outcome() {
    return this.#stepType === 'outcome' ? this.step : null;
  }

  /** The pathway started. */
  get pathway() {
    return this.#pathway;
  }

  /** The topic the journey was started for, or null. */
  get topic() {
    return this.#topic;
  }

  /** The person, and who is answering. */
  get patient() {
    return { ...this.#patient };
  }

  /** The language of the texts: 'en' or 'cy'. */
  get language() {
    return this.#language;
  }

  /**
   * Shows texts in `language` ('en' or 'cy') from now on and returns the
   * current step in it. Texts the bundle has no Welsh for stay in English,
   * marked `lang: 'en'`.
   */
  setLanguage(language) {
    this.#keepTranscript();
    const stepText = guard(() => this.#raw.setLanguage(String(language)), true);
    this.#language = language;
    return this.#setStep(stepText, JSON.parse(stepText));
  }

  /** The answers given, in order. */
  get answers() {
    if (this.#answers === null) this.#answers = parsed(() => this.#raw.answers(), true);
    return structuredClone(this.#answers);
  }

  /** Whether there is an answer to take back. */
  get canGoBack() {
    return this.#answerCount > 0;
  }

  /** Answers `question` (the current question's id) and returns the next step. */
  answer(question, answer) {
    const text = toJson('the answer', { question, answer });
    this.#keepTranscript();
    const stepText = guard(() => this.#raw.answer(text), true);
    this.#answers = null;
    this.#answerCount += 1;
    return this.#setStep(stepText, JSON.parse(stepText));
  }

  /** Takes back the last answer and returns the step before it. */
  back() {
    this.#keepTranscript();
    const stepText = guard(() => this.#raw.back(), true);
    this.#answers = null;
    this.#answerCount -= 1;
    return this.#setStep(stepText, JSON.parse(stepText));
  }

  /** The session as a string, for Engine.resume(). */
  save() {
    return guard(() => this.#raw.save(), true);
  }

  /** The audit record: the answers, the questions asked and the outcome. */
  audit() {
    return parsed(() => this.#raw.audit(), true);
  }

  /** Releases the session's memory now rather than when it is garbage collected. */
  free() {
    this.#raw.free();
  }
}
