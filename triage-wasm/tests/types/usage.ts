// A typed use of the package, checked with `tsc --noEmit` (never run).
import {
  init,
  initSync,
  initSources,
  compile,
  Engine,
  TriageError,
  validate,
  type AnswerValue,
  type ArtifactBytes,
  type ArtifactErrorCode,
  type TriageErrorCode,
  type AuditRecord,
  type Diagnostic,
  type OutcomeView,
  type PathwayMatch,
  type Patient,
  type QuestionView,
  type Step,
} from 'triage-wasm';

export async function triage(files: Record<string, string>, choose: (q: QuestionView) => AnswerValue): Promise<OutcomeView> {
  await init();
  await initSources();
  const report = validate(files);
  const problems: Diagnostic[] = report.diagnostics.filter((d) => d.severity === 'error');
  if (problems.length > 0) {
    throw new Error(problems.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`).join('\n'));
  }

  const engine = Engine.load(new Map(Object.entries(files)));
  const patient: Patient = { age_years: 34, sex: 'female' };
  const found: PathwayMatch[] = engine.pathways({ patient, words: 'chest pain' });
  const why: string = found.map((hit) => `${hit.title} ${hit.score} ${hit.matched.join('+')} ${hit.fallback} ${hit.topic?.title ?? ''}`).join('; ');
  if (why.length < 0) throw new Error('unreachable');
  const first = found[0];
  if (!first) throw new Error('no pathway');

  const session = engine.start(first.id, patient);
  let step: Step = session.step;
  while (step.type === 'question') {
    const question: QuestionView = step;
    try {
      step = session.answer(question.id, choose(question));
    } catch (error) {
      if (error instanceof TriageError && error.code === 'option_not_offered') {
        const offered = error.detail.offered as string[];
        step = session.answer(question.id, offered[0] ?? 'not_sure');
      } else {
        throw error;
      }
    }
  }
  const saved: string = session.save();
  const again = engine.resume(saved);
  const record: AuditRecord = again.audit();
  engine.replay(record);
  if (again.canGoBack) again.back();
  const urgency: 'emergency' | 'urgent' | 'routine' | 'self_care' = step.disposition.urgency;
  const ruledOut: string[] = step.transcript.flatMap((entry) => entry.ruled_out);
  const standard: number | null = step.disposition.service_standard_minutes;
  const formats: string = [step.format, record.format, report.format].join(' ');
  if (ruledOut.length + (standard ?? 0) + formats.length < 0) throw new Error('unreachable');
  const summary = [urgency, step.disposition.act_within_minutes ?? 'no deadline', record.reasons.join(', ')].join(' ');
  if (summary.length === 0) throw new Error('unreachable');
  again.free();
  session.free();
  engine.free();
  return step;
}

export function firstAnswer(question: QuestionView): AnswerValue {
  switch (question.kind) {
    case 'number':
      return question.range ? question.range[0] : 0;
    case 'multiple':
      return ['none'];
    default:
      return question.options[0]?.id ?? 'not_sure';
  }
}

// The module can be given as bytes, a response-shaped value, a URL string or a
// URL-shaped value, with no DOM or Node types in scope.
export async function initFrom(bytes: Uint8Array, buffer: ArrayBuffer): Promise<void> {
  initSync(bytes);
  initSync(buffer);
  await init(bytes);
  await init('https://example.org/triage_wasm_bg.wasm');
  await init({ href: 'https://example.org/triage_wasm_bg.wasm' });
  await init({ ok: true, status: 200, arrayBuffer: async () => buffer });
  await init(Promise.resolve(buffer));
}

// A page loads a compiled bundle with the runtime module only; a tool compiles
// one with the sources module. Engines from either path have the same hash.
export async function fromArtifact(bytes: ArtifactBytes, files: Map<string, string>): Promise<string> {
  await init();
  let engine: Engine;
  try {
    engine = Engine.fromArtifact(bytes);
  } catch (error) {
    if (error instanceof TriageError) {
      const artifactCodes: ArtifactErrorCode[] = ['not_an_artifact', 'artifact_truncated', 'artifact_format', 'artifact_corrupted', 'artifact_malformed'];
      const code: TriageErrorCode = error.code;
      if ((artifactCodes as TriageErrorCode[]).includes(code)) return `compile it again: ${error.message}`;
    }
    throw error;
  }
  await initSources(Promise.resolve(bytes));
  const compiled: Uint8Array = compile(files);
  const again = Engine.fromArtifact(compiled);
  const views: ArtifactBytes[] = [compiled.subarray(0), new DataView(compiled.buffer), new ArrayBuffer(0)];
  for (const view of views) Engine.fromArtifact(view).free();
  const same: boolean = again.hash === engine.hash && again.diagnostics.length === 0;
  return same ? engine.hash : again.hash;
}

// What the types refuse, as the engine would at run time (bad_input).
export function refusedByTypes(files: Record<string, string>): void {
  // @ts-expect-error a compiled bundle is bytes, not the text of a bundle.json
  Engine.fromArtifact(JSON.stringify({ files }));
  // @ts-expect-error nor the files themselves: compile() them first
  Engine.fromArtifact(files);
  // @ts-expect-error compile() returns bytes, not an Engine
  const engine: Engine = compile(files);
  if (engine) engine.free();
}
