// A typed use of the package, checked with `tsc --noEmit` (never run).
import {
  init,
  initSync,
  Engine,
  TriageError,
  validate,
  type AnswerValue,
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
