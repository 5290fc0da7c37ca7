// The triage engine for web pages and Node: a typed wrapper over the
// WebAssembly bindings. Values cross into the engine as JSON text and come back
// as plain objects; every refusal is thrown as a TriageError with a stable code.

import initBindings, {
  initSync as initBindingsSync,
  Engine as RawEngine,
  validate as rawValidate,
} from './triage_wasm.js';

let ready = false;

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
 * Loads the WebAssembly module. Without an argument it is fetched from next to
 * this file (read from disk under Node). Call once before anything else.
 */
export async function init(source) {
  if (ready) return;
  if (source === undefined) {
    const url = new URL('triage_wasm_bg.wasm', import.meta.url);
    if (url.protocol === 'file:') {
      const { readFile } = await import('node:fs/promises');
      source = await readFile(url);
    } else {
      source = url;
    }
  }
  await initBindings({ module_or_path: source });
  ready = true;
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

// Runs a call into the engine, turning what it throws into a TriageError.
function guard(call) {
  if (!ready) {
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

function parsed(call) {
  return JSON.parse(guard(call));
}

/**
 * Checks a bundle (`{path: yaml text}`) and reports every problem, as
 * `triage validate --format json` does. Throws only for an argument that is
 * not such an object.
 */
export function validate(files) {
  const text = toJson('the bundle files', files);
  return parsed(() => rawValidate(text));
}

/** A compiled bundle: starts, resumes and replays journeys. */
export class Engine {
  #raw;
  #info;

  constructor(raw) {
    if (!(raw instanceof RawEngine)) {
      throw new TypeError('use Engine.load(files) to make an Engine');
    }
    this.#raw = raw;
    this.#info = parsed(() => raw.info());
  }

  /** Loads, validates and compiles a bundle given as `{path: yaml text}`. */
  static load(files) {
    const text = toJson('the bundle files', files);
    return new Engine(guard(() => RawEngine.load(text)));
  }

  /** The content hash of the bundle's files (SHA-256, hex). */
  get hash() {
    return this.#info.hash;
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
    return parsed(() => this.#raw.pathways(text));
  }

  /** Starts a journey on `pathway` for `patient`. */
  start(pathway, patient) {
    const text = toJson('the start request', { pathway, patient });
    return new Session(this.#raw, parsed(() => this.#raw.start(text)));
  }

  /** Resumes a session saved with `Session.save()`; refuses one from another bundle. */
  resume(saved) {
    if (typeof saved !== 'string') {
      throw new TriageError({ code: 'bad_session', message: 'a saved session is the string Session.save() returned' });
    }
    return new Session(this.#raw, parsed(() => this.#raw.resume(saved)));
  }

  /** Replays an audit record; returns it when this bundle gives the same journey. */
  replay(record) {
    const text = toJson('the audit record', record);
    return parsed(() => this.#raw.replay(text));
  }

  /** Releases the engine's memory now rather than when it is garbage collected. */
  free() {
    this.#raw.free();
  }
}

/** One person's journey. A refused answer leaves it exactly as it was. */
export class Session {
  #raw;
  #state;

  constructor(raw, state) {
    this.#raw = raw;
    this.#state = state;
  }

  /** The current step: the next question, or the outcome. */
  get step() {
    return structuredClone(this.#state.step);
  }

  /** The question being asked, or null once the journey has ended. */
  get question() {
    return this.#state.step.type === 'question' ? this.step : null;
  }

  /** The outcome, or null while questions remain. */
  get outcome() {
    return this.#state.step.type === 'outcome' ? this.step : null;
  }

  /** The pathway started. */
  get pathway() {
    return this.#state.pathway;
  }

  /** The person. */
  get patient() {
    return { ...this.#state.patient };
  }

  /** The answers given, in order. */
  get answers() {
    return structuredClone(this.#state.answers);
  }

  /** Whether there is an answer to take back. */
  get canGoBack() {
    return this.#state.answers.length > 0;
  }

  /** Answers `question` (the current question's id) and returns the next step. */
  answer(question, answer) {
    const text = toJson('the answer', { question, answer });
    const saved = this.#state.session;
    this.#state = parsed(() => this.#raw.answer(saved, text));
    return this.step;
  }

  /** Takes back the last answer and returns the step before it. */
  back() {
    const saved = this.#state.session;
    this.#state = parsed(() => this.#raw.back(saved));
    return this.step;
  }

  /** The session as a string, for Engine.resume(). */
  save() {
    return this.#state.session;
  }

  /** The audit record: the answers, the questions asked and the outcome. */
  audit() {
    const saved = this.#state.session;
    return parsed(() => this.#raw.audit(saved));
  }
}
