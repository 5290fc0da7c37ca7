// Types of the triage engine's JavaScript API (triage.js).
//
// Two WebAssembly modules: `init()` loads the runtime (triage_wasm_bg.wasm),
// which runs compiled bundles (`Engine.fromArtifact`); `initSources()` loads
// the module that reads pathway files (triage_wasm_sources_bg.wasm), needed by
// `validate`, `compile` and `Engine.load` only.

/** A person's sex, as pathways are written for it. */
export type Sex = 'female' | 'male';

/** The person being triaged. */
export interface Patient {
  /** Whole years. */
  age_years: number;
  /** Extra months (0 to 11), for babies and toddlers. */
  age_months?: number;
  sex: Sex;
  /** Who is answering: the person themself (the default) or someone for them. */
  answering?: Answering;
}

/** Who is answering the questions. */
export type Answering = 'self' | 'someone_else';

/** A language texts can be shown in: English, or Welsh where the bundle has it. */
export type Language = 'en' | 'cy';

/** An answer id (`yes`, `no`, an option id, `none`, `not_sure`), several option ids, or a number. */
export type AnswerValue = string | string[] | number;

/** One answer given. */
export interface Answer {
  /** Public question id. */
  question: string;
  answer: AnswerValue;
}

export type QuestionKind = 'yes_no' | 'single' | 'multiple' | 'number';

/** One answer a person may choose. */
export interface OptionView {
  id: string;
  label: string;
  /** The label's language: 'en' where the bundle has no Welsh for it. */
  lang: Language;
}

/** A question as shown to the person. */
export interface QuestionView {
  /** Public question id, to send back with the answer. */
  id: string;
  text: string;
  help: string | null;
  /** The language of the text (and of the help and unit where the bundle has them in it). */
  lang: Language;
  kind: QuestionKind;
  /**
   * The answers offered, in order. For `number` questions only the
   * "I'm not sure" answer, if there is one; the number itself is typed.
   */
  options: OptionView[];
  /** Unit of a number question, e.g. `°C`. */
  unit: string | null;
  /** Accepted range of a number question, inclusive: `[min, max]`. */
  range: [number, number] | null;
  /** The pathway the journey started on (a module's question too reports the pathway that called it). */
  pathway: string;
  /** 1 for the first question of the journey, then 2, 3, ... */
  step: number;
}

/** The services a disposition sends a person to. */
export type Service =
  | 'ambulance'
  | 'emergency_department'
  | 'urgent_treatment_centre'
  | 'clinician_call_back'
  | 'gp'
  | 'own_gp'
  | 'dental'
  | 'eye_casualty'
  | 'sexual_health'
  | 'mental_health_crisis'
  | 'maternity'
  | 'pharmacy'
  | 'self_care';

/** How urgent a disposition is: ambulance or A&E; within 24 hours; later; at home. */
export type Urgency = 'emergency' | 'urgent' | 'routine' | 'self_care';

/** A disposition as shown to the person. */
export interface DispositionView {
  id: string;
  /** Dx-style code. */
  code: string;
  title: string;
  description: string | null;
  /** The language of the title (and description). */
  lang: Language;
  service: Service;
  /**
   * How soon the person should act (go, call, contact), in minutes: 0 means
   * now (every 999 outcome), e.g. 60 reads "within 1 hour". `null` where there
   * is no deadline: a routine booking, self-care, or a call-back, where the
   * person waits for the call.
   */
  act_within_minutes: number | null;
  /**
   * The service's own target, in minutes: the ambulance response standard of
   * a 999 category, or the time within which a clinician calls back. For
   * reports and the receiving service: never show it to the person as time
   * they have before acting.
   */
  service_standard_minutes: number | null;
  /** Urgency order: lower is more urgent, unique in the catalogue (not necessarily from 1, nor consecutive). */
  rank: number;
  urgency: Urgency;
}

/** A piece of care advice. */
export interface AdviceView {
  id: string;
  title: string;
  text: string;
  /** The language of the title (and text). */
  lang: Language;
}

/** A reason (symptom discriminator) met on the way. */
export interface ReasonView {
  code: string;
  text: string;
  lang: Language;
  /** The question whose answer gave it, or the outcome node for the outcome's own reason. */
  question: string;
}

/** One question and answer of a journey. */
export interface TranscriptEntry {
  question: string;
  text: string;
  /** The answer's labels, or the number with its unit. */
  answer: string;
  /**
   * For a multiple-choice question: the labels of the options offered and not
   * chosen, so that "None of these" can say what it ruled out. Empty for
   * yes/no, single-choice and number questions, and when the person was not sure.
   */
  ruled_out: string[];
  /** The language of the question text and answer. */
  lang: Language;
  /** For the clinician who receives the journey: always English. */
  report: string | null;
}

/** The end of a journey. */
export interface OutcomeView {
  disposition: DispositionView;
  care_advice: AdviceView[];
  reasons: ReasonView[];
  transcript: TranscriptEntry[];
}

/** The format of a step object: its shape and version (docs/schema/step.schema.json). */
export interface StepFormat {
  format: 'triage.step/1';
}

/** Where a journey is: the next question, or the outcome. */
export type Step = ({ type: 'question' } & QuestionView & StepFormat) | ({ type: 'outcome' } & OutcomeView & StepFormat);

/** A problem found in a bundle, as `triage validate --format json` reports it. */
export interface Diagnostic {
  /** Stable code, e.g. `E203`. */
  code: string;
  severity: 'error' | 'warning';
  /** The key the file was given under; `""` for the bundle as a whole. */
  file: string;
  /** 1-based; 0 when the problem is with the file as a whole. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  message: string;
  /** What to do about it. */
  help: string | null;
  /** A second place that matters, such as the first definition of a duplicate. */
  related?: { file: string; line: number; column: number; message: string };
}

/** What `validate` returns. */
export interface ValidateReport {
  /** The report's format and version (docs/schema/validation.schema.json). */
  format: 'triage.validation/1';
  summary: {
    pathways: number;
    modules: number;
    nodes: number;
    dispositions: number;
    errors: number;
    warnings: number;
  };
  diagnostics: Diagnostic[];
}

/** Counts of what a compiled bundle holds. */
export interface BundleStats {
  pathways: number;
  modules: number;
  nodes: number;
  dispositions: number;
}

/** What the pathway list and symptom search show about a pathway. */
export interface PathwayInfo {
  id: string;
  title: string;
  version: string;
  summary: string | null;
  /** In years: `from` inclusive, `to` exclusive (null for no limit). */
  ages: { from: number; to: number | null };
  sexes: Sex[];
  /** The NHS 111 online topics it serves; pass a topic's id to `Engine.start` to start where it starts. */
  topics: { id: string; title: string; start?: string }[];
  keywords: string[];
  sources: { title: string; url: string }[];
  /** Ids of the dispositions it can reach, most urgent first. */
  dispositions: string[];
}

/** A pathway found by a search: the pathway, and why it matched. */
export interface PathwayMatch extends PathwayInfo {
  /** The topic of the pathway that best matched the words, if any. */
  topic: { id: string; title: string; start?: string } | null;
  /** How well it matched (higher is better; 0 without words). */
  score: number;
  /** The words of the query that matched, as stems or corrected spellings. */
  matched: string[];
  /** A catch-all ("Other symptoms"), listed after every real match. */
  fallback: boolean;
}

/** Which pathways to list. */
export interface PathwayQuery {
  /** Only the pathways for this person. */
  patient?: Patient;
  /** Symptom words; best match first. Without them every pathway is listed by title. */
  words?: string;
}

/** The record of a journey: enough to replay it and check the result. */
export interface AuditRecord {
  /** The record's format and version (docs/schema/audit.schema.json). */
  format: 'triage.audit/1';
  /** Content hash of the bundle. */
  bundle: string;
  pathway: string;
  topic?: string;
  pathway_version: string;
  patient: Required<Patient>;
  answers: Answer[];
  /** Public ids of the questions asked, in order. */
  steps: string[];
  disposition: { id: string; code: string } | null;
  /** Reason codes, in order. */
  reasons: string[];
  /** When it was made (RFC 3339), set by the service that keeps it; the engine has no clock. */
  recorded_at?: string;
  /**
   * The seal a service made with its key (HMAC-SHA256). The browser module cannot check
   * it (a key in a page is no secret): `replay` checks the journey, and keeps the seal.
   */
  seal?: { alg: 'hmac-sha256'; key: string; mac: string };
}

/** A bundle as named texts: `{ 'pathways/chest-pain.yaml': '...' }` (or a Map). */
export type BundleFiles = Record<string, string> | Map<string, string>;

/** The stable tags of a TriageError. */
export type TriageErrorCode =
  | 'not_initialised'
  | 'bad_input'
  | 'invalid_bundle'
  | 'internal'
  | ArtifactErrorCode
  | 'unknown_pathway'
  | 'pathway_not_loaded'
  | 'unknown_topic'
  | 'implausible_patient'
  | 'not_applicable'
  | 'wrong_question'
  | 'option_not_offered'
  | 'number_out_of_range'
  | 'wrong_answer_kind'
  | 'exclusive_option'
  | 'duplicate_option'
  | 'nothing_chosen'
  | 'answer_after_outcome'
  | 'nothing_to_go_back'
  | 'bundle_mismatch'
  | 'replay_mismatch'
  | 'bad_session'
  | 'step_mismatch'
  | 'broken_bundle';

/**
 * Why `Engine.fromArtifact` refused bytes; each message says to compile the
 * pathways again with `triage compile`.
 * - `not_an_artifact`: they do not start with the artifact signature (e.g. a JSON or HTML file).
 * - `artifact_truncated`: fewer bytes than the 44-byte header.
 * - `artifact_format`: compiled in another format version (bytes 8..12, little-endian).
 * - `artifact_corrupted`: the SHA-256 at bytes 12..44 does not match the bytes after it.
 * - `artifact_malformed`: the checksum matches but the contents are not a sound compiled bundle.
 * - `artifact_not_a_part` (`addPart`): a whole bundle or a catalog, not a part.
 * - `part_mismatch` (`addPart`): a part compiled from another bundle than the catalog.
 */
export type ArtifactErrorCode =
  | 'not_an_artifact'
  | 'artifact_truncated'
  | 'artifact_format'
  | 'artifact_corrupted'
  | 'artifact_malformed'
  | 'artifact_not_a_part'
  | 'part_mismatch';

/** Why the engine refused a call. */
export class TriageError extends Error {
  readonly name: 'TriageError';
  readonly code: TriageErrorCode;
  /** The error as the engine gave it: `{code, message, ...fields}`. */
  readonly detail: { code: TriageErrorCode; message: string; [field: string]: unknown };
  /** For `invalid_bundle`: every problem found. */
  readonly diagnostics?: Diagnostic[];
}

// The types below describe the platform's values by their shape, so that this
// file needs neither the DOM library nor Node's types: a page's `URL`,
// `Request`, `Response`, `Uint8Array` and `WebAssembly.Module`, and Node's
// `Buffer`, fit them as they are.

/** The module's bytes: an `ArrayBuffer` or a view of one (`Uint8Array`, Node's `Buffer`). */
export type WasmBytes = ArrayBuffer | ArrayBufferView;

/** A compiled `WebAssembly.Module`. */
export type WasmModule = object;

/** Where to fetch the module from: a URL string, a `URL`, or a `Request`. */
export type WasmLocation = string | { readonly href: string } | { readonly url: string; readonly method: string };

/** A `fetch()` response holding the module. */
export interface WasmResponse {
  readonly ok: boolean;
  readonly status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Source of the WebAssembly module: where to fetch it, a response, its bytes, or the compiled module. */
export type InitInput = WasmLocation | WasmResponse | WasmBytes | WasmModule;

/**
 * The bytes of a compiled bundle (an artifact, `.triage`), as `triage compile`,
 * `triage-write-bundle` or `compile()` wrote them: an `ArrayBuffer` (e.g.
 * `await response.arrayBuffer()`) or a view of one (`Uint8Array`, Node's `Buffer`).
 */
export type ArtifactBytes = ArrayBuffer | ArrayBufferView;

/**
 * Loads the runtime module (triage_wasm_bg.wasm), which runs compiled
 * bundles. Without a source, it is fetched from next to triage.js (read from
 * disk under Node). Call once, before `Engine.fromArtifact`; later calls do
 * nothing.
 */
export function init(source?: InitInput | Promise<InitInput>): Promise<void>;

/** Loads the runtime module from its bytes or the compiled module, synchronously. */
export function initSync(source: WasmBytes | WasmModule): void;

/**
 * Loads the second module (triage_wasm_sources_bg.wasm), which reads and
 * validates pathway files (YAML): needed by `validate`, `compile` and
 * `Engine.load`, not by a page that loads a compiled bundle. Without a source,
 * it is fetched from next to triage.js (read from disk under Node). Later
 * calls do nothing.
 */
export function initSources(source?: InitInput | Promise<InitInput>): Promise<void>;

/**
 * Checks a bundle and reports every problem; throws only for an argument of
 * the wrong shape (`bad_input`). Needs `initSources()`, else throws `not_initialised`.
 */
export function validate(files: BundleFiles): ValidateReport;

/**
 * Compiles a bundle into the bytes of a compiled artifact, for
 * `Engine.fromArtifact` (the same content hash as `triage compile` of the same
 * files). Throws `invalid_bundle` with its diagnostics when the bundle has
 * errors, `bad_input` for an argument of the wrong shape. Needs
 * `initSources()`, else throws `not_initialised`.
 */
export function compile(files: BundleFiles): Uint8Array;

/**
 * Compiles a bundle as `compile` does, split as `triage compile --split`
 * writes it (the same bytes): file name to bytes, first `catalog.triage` (for
 * `Engine.fromArtifact`), then `PATHWAY.part.triage` per pathway (for
 * `engine.addPart`). Throws as `compile` does. Needs `initSources()`.
 */
export function compileSplit(files: BundleFiles): Map<string, Uint8Array>;

/** A compiled bundle: starts, resumes and replays journeys. */
export class Engine {
  private constructor();
  /**
   * Loads a compiled bundle (`triage compile`, `triage-write-bundle` or
   * `compile()`). Needs `init()` only. Throws `bad_input` for anything but
   * bytes, and an {@link ArtifactErrorCode} for bytes it cannot use.
   */
  static fromArtifact(bytes: ArtifactBytes): Engine;
  /**
   * Loads, validates and compiles a bundle; throws `invalid_bundle` with its
   * diagnostics. Needs `initSources()`, else throws `not_initialised`; pages
   * should load a compiled bundle with `fromArtifact` instead.
   */
  static load(files: BundleFiles): Engine;
  /** Content hash of the bundle's files (SHA-256, hex); the same for a bundle loaded from files or compiled. */
  readonly hash: string;
  /**
   * `'whole'`, or `'catalog'` for the catalog of a split bundle (`triage
   * compile --split`): it lists and searches pathways, and starts a journey
   * once the part of its pathway is added (else `pathway_not_loaded`).
   */
  readonly kind: 'whole' | 'catalog' | 'part';
  /**
   * Adds a part of a split bundle (the bytes of `PATHWAY.part.triage`) ->
   * the ids of the pathways journeys can now start on. Throws
   * `artifact_not_a_part`, `part_mismatch` (another bundle's part) or the
   * other {@link ArtifactErrorCode}s.
   */
  addPart(bytes: ArtifactBytes): string[];
  /**
   * The file name of the part to add before a journey on `pathway` can start
   * (`PATHWAY.part.triage`, beside the catalog), or null when none is needed.
   */
  partNeeded(pathway: string): string | null;
  readonly stats: BundleStats;
  /** Warnings found while loading; always empty from `fromArtifact` (they were reported when it was compiled). */
  readonly diagnostics: Diagnostic[];
  /** The pathways for a person and search words, best match first. */
  pathways(query?: PathwayQuery): PathwayMatch[];
  /**
   * Starts a journey; throws `unknown_pathway`, `pathway_not_loaded` (a
   * catalog without the pathway's part), `unknown_topic`, `implausible_patient`
   * or `not_applicable`.
   */
  start(pathway: string, patient: Patient, options?: { topic?: string; language?: Language }): Session;
  /** Resumes a session saved with `Session.save()`, its step rebuilt from its answers; throws `bad_session`, `step_mismatch` (a saved step its answers do not lead to) or `bundle_mismatch`. */
  resume(saved: string): Session;
  /** Replays an audit record; throws `replay_mismatch` when this bundle gives another journey. */
  replay(record: AuditRecord): AuditRecord;
  /** Releases the engine's memory now. */
  free(): void;
}

/**
 * One person's journey. A refused answer leaves it exactly as it was. Its
 * memory is released when it is garbage collected, or at once by `free()`.
 */
export class Session {
  private constructor();
  readonly step: Step;
  readonly question: ({ type: 'question' } & QuestionView & StepFormat) | null;
  readonly outcome: ({ type: 'outcome' } & OutcomeView & StepFormat) | null;
  readonly pathway: string;
  readonly topic: string | null;
  readonly patient: Required<Patient>;
  readonly language: Language;
  readonly answers: Answer[];
  readonly canGoBack: boolean;
  /** Answers the current question; throws e.g. `option_not_offered`, `number_out_of_range`. */
  answer(question: string, answer: AnswerValue): Step;
  /** Shows texts in `language` from now on; returns the current step in it. */
  setLanguage(language: Language): Step;
  /** Takes back the last answer; throws `nothing_to_go_back` at the first question. */
  back(): Step;
  /**
   * The session as a string, for `Engine.resume()`: JSON tagged
   * `"format": "triage.session/1"`, to be kept as it is, not read.
   */
  save(): string;
  audit(): AuditRecord;
  /** Releases the session's memory now; the session cannot be used afterwards. */
  free(): void;
}
