//! What a person is shown: the next question or the outcome, rendered from
//! the compiled bundle in the reader's language and words.
//!
//! Every text is chosen once, here, by [`Reader`]: the language asked for
//! (Welsh where the bundle has it, English otherwise) and whom it speaks to.
//! Each view says which language its texts are in, so a page can mark
//! English shown in a Welsh journey for screen readers.

use super::walk::{AnswerIds, Chosen};
use super::write::{AdviceOut, DispositionOut, ReasonOut, StepJson, TranscriptOut};
use super::{broken, EvalError};
use crate::compile::{CompiledBundle, NodeId, PathwayId, Position};
use crate::format;
use crate::ir::{
    AdviceIdx, AdviceIr, AnswerIr, DispositionIr, NodeKindIr, OutcomeIr, QuestionIr, ReasonIr,
};
use crate::model::{QuestionKindDoc, ServiceDoc, TextDoc};
use crate::vocab::{Language, Reader};
use serde::{Deserialize, Serialize};

/// Where a journey is: the next question, or the outcome.
///
/// As JSON it is one object: `"format": "triage.step/1"` (see
/// [`crate::format`]), `"type": "question"` or `"outcome"`, then the
/// view's fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Ask this next.
    Question(QuestionView),
    /// The journey has ended here.
    Outcome(OutcomeView),
}

/// A step as written: its format, then the tagged view.
#[derive(Serialize)]
struct StepOut<'a> {
    format: format::Step,
    #[serde(flatten)]
    step: StepRef<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StepRef<'a> {
    Question(&'a QuestionView),
    Outcome(&'a OutcomeView),
}

/// A step of a journey: its `format`, then `type` (`question` or
/// `outcome`) and the fields of that view.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct StepIn {
    #[allow(dead_code)] // Checked as it is read.
    format: format::Step,
    #[serde(flatten)]
    step: StepBody,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
enum StepBody {
    /// Ask this next.
    Question(QuestionView),
    /// The journey has ended here.
    Outcome(OutcomeView),
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let step = match self {
            Step::Question(q) => StepRef::Question(q),
            Step::Outcome(o) => StepRef::Outcome(o),
        };
        StepOut {
            format: format::Step,
            step,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match StepIn::deserialize(deserializer)?.step {
            StepBody::Question(q) => Step::Question(q),
            StepBody::Outcome(o) => Step::Outcome(o),
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Step {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Step".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        StepIn::json_schema(generator)
    }
}

impl Step {
    /// The question, if the journey is not finished.
    pub fn question(&self) -> Option<&QuestionView> {
        match self {
            Step::Question(q) => Some(q),
            Step::Outcome(_) => None,
        }
    }

    /// The outcome, if the journey is finished.
    pub fn outcome(&self) -> Option<&OutcomeView> {
        match self {
            Step::Question(_) => None,
            Step::Outcome(o) => Some(o),
        }
    }
}

/// Where a journey is, borrowed from the bundle and the journey: nothing is
/// rendered until asked for. Made by [`crate::eval::evaluate`] (through
/// [`crate::eval::Evaluation::view`]) and by a
/// [`crate::session::Session`]; cheap to make and to copy.
///
/// Ask for the whole [`Step`] with [`StepView::render`], for one part with
/// [`StepView::question`] or [`StepView::outcome`], or for ids only with
/// [`StepView::disposition_id`] and [`StepView::position`]. As JSON it is
/// exactly the [`Step`] it renders, written straight from the bundle's
/// texts.
#[derive(Clone, Copy)]
pub struct StepView<'a> {
    pub(crate) bundle: &'a CompiledBundle,
    pub(crate) pathway: PathwayId,
    pub(crate) at: NodeId,
    pub(crate) history: &'a [AnswerIds],
    pub(crate) reader: Reader,
}

impl std::fmt::Debug for StepView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepView")
            .field("pathway", &self.bundle.pathway_id(self.pathway))
            .field("at", &self.name())
            .field("answers", &self.history.len())
            .finish()
    }
}

impl<'a> StepView<'a> {
    /// The whole step, every text copied out of the bundle.
    pub fn render(&self) -> Result<Step, EvalError> {
        render_step(
            self.bundle,
            self.pathway,
            self.at,
            self.history,
            self.reader,
        )
    }

    /// The question, rendered, if the journey is not finished.
    pub fn question(&self) -> Option<QuestionView> {
        match self.bundle.ir_node(self.at).map(|n| &n.kind) {
            Some(NodeKindIr::Question(question)) => {
                let mut view = QuestionView::default();
                refill_question_view(
                    &mut view,
                    self.bundle,
                    self.pathway,
                    self.at,
                    question,
                    self.history,
                    self.reader,
                );
                Some(view)
            }
            _ => None,
        }
    }

    /// The outcome, rendered, if the journey is finished.
    pub fn outcome(&self) -> Option<OutcomeView> {
        let (outcome, disposition) = self.outcome_ir()?;
        Some(outcome_view(&OutcomeParts::new(self, outcome, disposition)))
    }

    /// Every question asked and its answer, in order, rendered: the
    /// outcome's transcript (empty before the outcome).
    pub fn transcript(&self) -> Vec<TranscriptEntry> {
        match self.outcome_ir() {
            Some((outcome, disposition)) => {
                transcript(&OutcomeParts::new(self, outcome, disposition))
            }
            None => Vec::new(),
        }
    }

    /// The step as JSON without the outcome's transcript, for a caller that
    /// shows the transcript only when asked ([`StepView::transcript_json`]).
    /// Before the outcome it is the whole step.
    pub fn without_transcript(self) -> impl Serialize + 'a {
        StepJson {
            view: self,
            transcript: false,
        }
    }

    /// The outcome's transcript as JSON, written straight from the bundle's
    /// texts (an empty list before the outcome).
    pub fn transcript_json(self) -> impl Serialize + 'a {
        TranscriptJson(self)
    }

    /// The disposition reached, rendered, if the journey has ended.
    pub fn disposition(&self) -> Option<DispositionView> {
        self.outcome_ir()
            .map(|(_, disposition)| DispositionView::of(disposition, self.reader))
    }

    /// Whether the journey has ended.
    pub fn is_outcome(&self) -> bool {
        self.outcome_ir().is_some()
    }

    /// The id of the disposition reached, if the journey has ended.
    pub fn disposition_id(&self) -> Option<&'a str> {
        self.outcome_ir().map(|(_, d)| d.id.as_str())
    }

    /// Where the journey is, as ids.
    pub fn position(&self) -> Position {
        if self.is_outcome() {
            Position::Outcome(self.at)
        } else {
            Position::Question(self.at)
        }
    }

    /// The public id of the question being asked (empty at the outcome).
    pub fn question_id(&self) -> String {
        if self.is_outcome() {
            String::new()
        } else {
            self.bundle.public_id(self.pathway.0, self.at)
        }
    }

    /// The same step with texts in `language`, where the bundle has them.
    pub fn in_language(self, language: Language) -> StepView<'a> {
        StepView {
            reader: Reader {
                language,
                ..self.reader
            },
            ..self
        }
    }

    fn outcome_ir(&self) -> Option<(&'a OutcomeIr, &'a DispositionIr)> {
        match self.bundle.ir_node(self.at).map(|n| &n.kind) {
            Some(NodeKindIr::Outcome(outcome)) => {
                Some((outcome, self.bundle.disposition_ir(outcome.disposition)?))
            }
            _ => None,
        }
    }

    /// `question X` or `outcome Y`, as a mismatch names the step.
    pub(crate) fn name(&self) -> String {
        match self.disposition_id() {
            Some(disposition) => format!("outcome {disposition}"),
            None => format!(
                "question {}",
                self.bundle.public_id(self.pathway.0, self.at)
            ),
        }
    }
}

/// Writes the [`Step`] the view renders, straight from the bundle's texts.
impl Serialize for StepView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StepJson {
            view: *self,
            transcript: true,
        }
        .serialize(serializer)
    }
}

/// See [`StepView::transcript_json`].
struct TranscriptJson<'a>(StepView<'a>);

impl Serialize for TranscriptJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.outcome_ir() {
            Some((outcome, disposition)) => {
                TranscriptOut(&OutcomeParts::new(&self.0, outcome, disposition))
                    .serialize(serializer)
            }
            None => serializer.collect_seq(std::iter::empty::<()>()),
        }
    }
}

/// Equal when they show the same: the same step, rendered.
impl PartialEq for StepView<'_> {
    fn eq(&self, other: &StepView<'_>) -> bool {
        match (self.render(), other.render()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

/// A question as shown to the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QuestionView {
    /// Public question id, to send back with the answer.
    pub id: String,
    /// The question.
    pub text: String,
    /// Extra help.
    pub help: Option<String>,
    /// The language of the question's text (and, where the bundle has it in
    /// that language, of its help and unit).
    pub lang: Language,
    /// The kind of answer expected.
    pub kind: QuestionKindDoc,
    /// The answers to choose from (for `number`: only "I'm not sure", if offered).
    pub options: Vec<OptionView>,
    /// `number`: the unit.
    pub unit: Option<String>,
    /// `number`: the values accepted, inclusive `(min, max)`.
    pub range: Option<(f64, f64)>,
    /// The pathway the journey started on.
    pub pathway: String,
    /// 1 for the first question, 2 for the second, ...
    pub step: usize,
}

impl Default for QuestionView {
    fn default() -> QuestionView {
        QuestionView {
            id: String::new(),
            text: String::new(),
            help: None,
            lang: Language::En,
            kind: QuestionKindDoc::YesNo,
            options: Vec::new(),
            unit: None,
            range: None,
            pathway: String::new(),
            step: 0,
        }
    }
}

/// One answer a person may choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OptionView {
    /// Answer id to send back.
    pub id: String,
    /// Label.
    pub label: String,
    /// The label's language.
    pub lang: Language,
}

/// The end of a journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OutcomeView {
    /// Where to go.
    pub disposition: DispositionView,
    /// Care advice: from the answers in journey order, then the outcome, then the disposition.
    pub care_advice: Vec<AdviceView>,
    /// Why: the symptom discriminators met, in journey order (the chosen
    /// options of one question most urgent first); when none was met, the
    /// reason the author wrote for reaching the outcome without one.
    pub reasons: Vec<ReasonView>,
    /// Every question asked and its answer, in order.
    pub transcript: Vec<TranscriptEntry>,
}

/// How urgent a disposition is, in four plain groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Ambulance or A&E.
    Emergency,
    /// Another service within 24 hours.
    Urgent,
    /// Another service, not within 24 hours.
    Routine,
    /// Look after yourself at home.
    SelfCare,
}

/// A disposition as shown to the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DispositionView {
    /// Id.
    pub id: String,
    /// Dx-style code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Explanation.
    pub description: Option<String>,
    /// The language of the title (and of the description, where the bundle has it).
    pub lang: Language,
    /// Service.
    pub service: ServiceDoc,
    /// How soon the person should act (go, call, contact), in minutes: 0
    /// means now. Absent (null) where there is no deadline: a routine booking,
    /// self-care, or a call-back, where the person waits for the call.
    pub act_within_minutes: Option<u32>,
    /// The service's own target, in minutes: the ambulance response standard
    /// of a 999 category, or the time within which a clinician calls back.
    /// For reports and the receiving service: never show it as time the
    /// person has before acting.
    pub service_standard_minutes: Option<u32>,
    /// Urgency order: lower is more urgent, unique in the bundle's catalogue
    /// (compare ranks; do not expect them to start at 1 or to be consecutive).
    pub rank: u32,
    /// Urgency group.
    pub urgency: Urgency,
}

impl DispositionView {
    pub(crate) fn of(disposition: &DispositionIr, reader: Reader) -> DispositionView {
        let chosen = DispositionOut::of(disposition, reader);
        DispositionView {
            id: chosen.id.to_string(),
            code: chosen.code.to_string(),
            title: chosen.title.to_string(),
            description: chosen.description.map(str::to_string),
            lang: chosen.lang,
            service: chosen.service,
            act_within_minutes: chosen.act_within_minutes,
            service_standard_minutes: chosen.service_standard_minutes,
            rank: chosen.rank,
            urgency: chosen.urgency,
        }
    }
}

/// The urgency group: emergency services first, then anything that must
/// happen within a day, by the person or by the service.
pub(crate) fn urgency(disposition: &DispositionIr) -> Urgency {
    let within_a_day = |minutes: Option<u32>| minutes.is_some_and(|m| m <= 24 * 60);
    match disposition.service {
        ServiceDoc::Ambulance | ServiceDoc::EmergencyDepartment => Urgency::Emergency,
        ServiceDoc::SelfCare => Urgency::SelfCare,
        _ if within_a_day(disposition.act_within_minutes)
            || within_a_day(disposition.service_standard_minutes) =>
        {
            Urgency::Urgent
        }
        _ => Urgency::Routine,
    }
}

/// A piece of care advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AdviceView {
    /// Key.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Text.
    pub text: String,
    /// The language of the heading (and of the text, where the bundle has it).
    pub lang: Language,
}

/// A symptom discriminator met on the way, or the outcome's own reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReasonView {
    /// Stable code.
    pub code: String,
    /// Shown to the person.
    pub text: String,
    /// The text's language.
    pub lang: Language,
    /// Public id of the question whose answer gave it, or of the outcome
    /// node for a reason written on the outcome.
    pub question: String,
}

/// One question and answer of a journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TranscriptEntry {
    /// Public question id.
    pub question: String,
    /// Question text.
    pub text: String,
    /// The answer, as labels (several joined with ", "), or the number with its unit.
    pub answer: String,
    /// For a multiple-choice question: the options offered and not chosen,
    /// so a "None of these" shows what it ruled out. Empty for other kinds,
    /// and when the person was not sure.
    pub ruled_out: Vec<String>,
    /// The language of the question text and the answer.
    pub lang: Language,
    /// Report text of the answers given, if authored: for the clinician
    /// who receives the journey, so always in English.
    pub report: Option<String>,
}

/// The words of `doc` for `reader`, in `lang` where the text has it (so a
/// view's texts share the language of its main text), else in English.
pub(crate) fn text_in(doc: &TextDoc, reader: Reader, lang: Language) -> &str {
    doc.pick(Reader {
        language: lang,
        ..reader
    })
    .0
}

/// English words for the clinical report.
fn english(doc: &TextDoc, reader: Reader) -> &str {
    text_in(doc, reader, Language::En)
}

impl CompiledBundle {
    /// The disposition catalogue, in file order, in English for a person
    /// answering for themself.
    pub fn dispositions(&self) -> impl Iterator<Item = DispositionView> + '_ {
        self.dispositions
            .iter()
            .map(|d| DispositionView::of(d, Reader::default()))
    }

    /// One disposition by id, in English for a person answering for themself.
    pub fn disposition(&self, id: &str) -> Option<DispositionView> {
        self.dispositions
            .iter()
            .find(|d| d.id == id)
            .map(|d| DispositionView::of(d, Reader::default()))
    }

    /// Every question a journey on `pathway` can ask, each once, in the
    /// order a walk first meets them (the first answer's route first), worded
    /// for `reader`: for a page that previews a pathway, a review sheet or an
    /// export. Questions of the modules it calls and the pathways it goes to
    /// are included, with the ids a journey answers them by. `step` is 0: the
    /// list is not a journey. `None` when there is no such pathway.
    ///
    /// ```
    /// use triage_core::prelude::*;
    ///
    /// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
    /// let bundle = triage_core::open(&dir)?;
    /// let questions = bundle.questions("chest-pain", Reader::default()).unwrap();
    /// // The emergency screen comes first, then the pathway's own questions.
    /// assert!(questions[0].id.starts_with("emergency-screen/"));
    /// assert!(questions.iter().any(|q| !q.id.contains('/')));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn questions(&self, pathway: &str, reader: Reader) -> Option<Vec<QuestionView>> {
        let id = self.pathway_index(pathway)?;
        let mut starts: Vec<NodeId> = self.entry(id).map(|e| e.start).into_iter().collect();
        starts.extend(
            self.topic_starts
                .iter()
                .filter(|(unit, _, _)| *unit == id.0)
                .map(|&(_, _, node)| node),
        );
        let mut seen = vec![false; self.compiled_nodes()];
        let mut listed = std::collections::HashSet::new();
        let mut questions = Vec::new();
        // Depth first, answers in order: the stack holds them reversed.
        let mut stack: Vec<NodeId> = starts.into_iter().rev().collect();
        while let Some(at) = stack.pop() {
            match seen.get_mut(at.index()) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            if let Some(NodeKindIr::Question(question)) = self.ir_node(at).map(|n| &n.kind) {
                let mut view = QuestionView::default();
                refill_question_view(&mut view, self, id, at, question, &[], reader);
                view.step = 0;
                if listed.insert(view.id.clone()) {
                    questions.push(view);
                }
            }
            stack.extend(self.edges_of(at).iter().rev());
        }
        Some(questions)
    }
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

/// The step at node `at` of a journey started on `pathway` after `history`.
/// Every text is copied once, into a buffer of its exact size.
pub(crate) fn render_step(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    at: NodeId,
    history: &[AnswerIds],
    reader: Reader,
) -> Result<Step, EvalError> {
    match bundle.ir_node(at).map(|n| &n.kind) {
        Some(NodeKindIr::Question(question)) => {
            let mut view = QuestionView::default();
            refill_question_view(&mut view, bundle, pathway, at, question, history, reader);
            Ok(Step::Question(view))
        }
        Some(NodeKindIr::Outcome(outcome)) => {
            let disposition = bundle
                .disposition_ir(outcome.disposition)
                .ok_or_else(broken)?;
            let view = StepView {
                bundle,
                pathway,
                at,
                history,
                reader,
            };
            Ok(Step::Outcome(outcome_view(&OutcomeParts::new(
                &view,
                outcome,
                disposition,
            ))))
        }
        _ => Err(broken()),
    }
}

/// Renders the question at `at` into `view`, reusing its buffers: a session
/// moving from one question to the next allocates only where a text is longer
/// than the one it replaces.
pub(crate) fn refill_question_view(
    view: &mut QuestionView,
    bundle: &CompiledBundle,
    pathway: PathwayId,
    at: NodeId,
    question: &QuestionIr,
    history: &[AnswerIds],
    reader: Reader,
) {
    // A buffer is reused when it fits and is at most twice the size needed,
    // so a session never holds much more than its texts.
    fn set_parts(target: &mut String, parts: &[&str]) {
        let length: usize = parts.iter().map(|p| p.len()).sum();
        let capacity = target.capacity();
        if capacity < length || capacity > 2 * length {
            *target = String::with_capacity(length);
        }
        target.clear();
        for part in parts {
            target.push_str(part);
        }
    }
    fn set(target: &mut String, value: &str) {
        set_parts(target, &[value]);
    }
    fn set_option(target: &mut Option<String>, value: Option<&str>) {
        match (target.as_mut(), value) {
            (Some(old), Some(value)) => set(old, value),
            (_, value) => *target = value.map(str::to_string),
        }
    }
    match bundle.public_id_parts(pathway.0, at) {
        Some((Some(unit), node)) => set_parts(&mut view.id, &[unit, "/", node]),
        Some((None, node)) => set(&mut view.id, node),
        None => view.id.clear(),
    }
    let (text, lang) = question.text.pick(reader);
    set(&mut view.text, text);
    view.lang = lang;
    set_option(
        &mut view.help,
        question.help.as_ref().map(|h| text_in(h, reader, lang)),
    );
    view.kind = question.kind;
    let shown = question
        .answers
        .iter()
        .filter(|a| question.kind != QuestionKindDoc::Number || a.not_sure);
    view.options.truncate(shown.clone().count());
    for (index, answer) in shown.enumerate() {
        let (label, label_lang) = answer.label.pick(reader);
        match view.options.get_mut(index) {
            Some(option) => {
                set(&mut option.id, &answer.id);
                set(&mut option.label, label);
                option.lang = label_lang;
            }
            None => view.options.push(OptionView {
                id: answer.id.clone(),
                label: label.to_string(),
                lang: label_lang,
            }),
        }
    }
    view.options.shrink_to_fit();
    set_option(
        &mut view.unit,
        question.unit.as_ref().map(|u| text_in(u, reader, lang)),
    );
    view.range = question.range;
    set(&mut view.pathway, bundle.pathway_id(pathway));
    view.step = history.len() + 1;
}

/// The answers of `question` chosen in `given`, in the question's order.
fn chosen_answers<'q>(question: &'q QuestionIr, given: &AnswerIds) -> ChosenAnswers<'q> {
    let (one, mask) = match given.chosen {
        Chosen::One(i) | Chosen::Number { band: i, .. } => (Some(usize::from(i)), 0),
        Chosen::Many(mask) => (None, mask),
    };
    ChosenAnswers {
        answers: &question.answers,
        one,
        mask,
    }
}

/// See [`chosen_answers`]: one answer, or the set bits of a mask.
#[derive(Clone)]
struct ChosenAnswers<'q> {
    answers: &'q [AnswerIr],
    one: Option<usize>,
    mask: u64,
}

impl<'q> Iterator for ChosenAnswers<'q> {
    type Item = &'q AnswerIr;

    fn next(&mut self) -> Option<&'q AnswerIr> {
        if let Some(index) = self.one.take() {
            return self.answers.get(index);
        }
        while self.mask != 0 {
            let index = self.mask.trailing_zeros() as usize;
            self.mask &= self.mask - 1;
            if let Some(answer) = self.answers.get(index) {
                return Some(answer);
            }
        }
        None
    }
}

// ---------------------------------------------------------------------------
// What an outcome shows, chosen once
// ---------------------------------------------------------------------------

/// The parts of an outcome, chosen from the bundle and the journey and
/// borrowed from the bundle: [`outcome_view`] copies them into an
/// [`OutcomeView`], and [`super::write`] writes them as JSON without copying.
/// Both read them here, so the two cannot disagree.
pub(crate) struct OutcomeParts<'a> {
    pub(crate) bundle: &'a CompiledBundle,
    pub(crate) pathway: PathwayId,
    pub(crate) at: NodeId,
    pub(crate) history: &'a [AnswerIds],
    pub(crate) reader: Reader,
    pub(crate) disposition: &'a DispositionIr,
    pub(crate) outcome: &'a OutcomeIr,
}

impl<'a> OutcomeParts<'a> {
    pub(crate) fn new(
        view: &StepView<'a>,
        outcome: &'a OutcomeIr,
        disposition: &'a DispositionIr,
    ) -> OutcomeParts<'a> {
        OutcomeParts {
            bundle: view.bundle,
            pathway: view.pathway,
            at: view.at,
            history: view.history,
            reader: view.reader,
            disposition,
            outcome,
        }
    }

    /// Each question asked, with its answer.
    pub(crate) fn asked(&self) -> impl Iterator<Item = (&'a AnswerIds, &'a QuestionIr)> + Clone {
        let bundle = self.bundle;
        self.history.iter().filter_map(move |given| {
            match bundle.ir_node(given.node).map(|n| &n.kind) {
                Some(NodeKindIr::Question(question)) => Some((given, question)),
                _ => None,
            }
        })
    }

    /// The care advice, in order (the chosen answers', the outcome's, then
    /// the disposition's), each once.
    pub(crate) fn care_advice(&self) -> Vec<&'a AdviceIr> {
        let keys = self
            .asked()
            .flat_map(|(given, question)| chosen_answers(question, given))
            .flat_map(|a| a.advice.iter())
            .chain(&self.outcome.advice)
            .chain(&self.disposition.advice)
            .copied();
        let mut seen: Vec<AdviceIdx> = Vec::with_capacity(keys.clone().count());
        for key in keys {
            if !seen.contains(&key) {
                seen.push(key);
            }
        }
        seen.iter()
            .filter_map(|key| self.bundle.advice_ir(*key))
            .collect()
    }

    /// Every chosen answer's reason, in journey order (a multiple-choice
    /// answer's in option order, which is most urgent first); when none was
    /// met, the outcome's own reason. With the node each is shown against.
    pub(crate) fn reasons(&self) -> impl Iterator<Item = (NodeId, &'a ReasonIr)> + Clone + '_ {
        let met = self.asked().flat_map(|(given, question)| {
            chosen_answers(question, given)
                .filter_map(|a| a.reason.as_ref())
                .map(move |reason| (given.node, reason))
        });
        let own = self.outcome.reason.as_ref().map(|r| (self.at, r));
        let none_met = met.clone().next().is_none();
        met.chain(own.filter(|_| none_met))
    }

    /// The public id of `node` as this journey names it.
    pub(crate) fn public_id(&self, node: NodeId) -> PublicId<'a> {
        PublicId::of(self.bundle, self.pathway, node)
    }
}

/// A question's public id, written without building a string: `node` for
/// the pathway's own, `unit/node` otherwise.
#[derive(Clone, Copy)]
pub(crate) struct PublicId<'a> {
    unit: Option<&'a str>,
    node: &'a str,
}

impl<'a> PublicId<'a> {
    pub(crate) fn of(bundle: &'a CompiledBundle, pathway: PathwayId, node: NodeId) -> PublicId<'a> {
        let (unit, node) = bundle
            .public_id_parts(pathway.0, node)
            .unwrap_or((None, ""));
        PublicId { unit, node }
    }
}

impl std::fmt::Display for PublicId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(unit) = self.unit {
            f.write_str(unit)?;
            f.write_str("/")?;
        }
        f.write_str(self.node)
    }
}

/// One transcript entry's parts, borrowed.
pub(crate) struct TranscriptParts<'a> {
    pub(crate) given: &'a AnswerIds,
    pub(crate) question: &'a QuestionIr,
    pub(crate) reader: Reader,
    /// The language of the question's text, which its answer follows.
    pub(crate) lang: Language,
}

impl<'a> TranscriptParts<'a> {
    pub(crate) fn new(given: &'a AnswerIds, question: &'a QuestionIr, reader: Reader) -> Self {
        let lang = question.text.pick(reader).1;
        TranscriptParts {
            given,
            question,
            reader,
            lang,
        }
    }

    pub(crate) fn text(&self) -> &'a str {
        self.question.text.pick(self.reader).0
    }

    /// The answer: labels joined with ", ", or the number with its unit.
    pub(crate) fn answer(&self) -> AnswerText<'a> {
        AnswerText {
            given: *self.given,
            question: self.question,
            reader: self.reader,
            lang: self.lang,
        }
    }

    /// The options offered and not chosen, for a multiple-choice answer
    /// that was not "I'm not sure".
    pub(crate) fn ruled_out(&self) -> impl Iterator<Item = &'a str> + Clone + 'a {
        let given = self.given.chosen;
        let (reader, lang) = (self.reader, self.lang);
        let applies = matches!(given, Chosen::Many(_))
            && !chosen_answers(self.question, self.given).any(|a| a.not_sure);
        self.question
            .answers
            .iter()
            .enumerate()
            .filter(move |&(i, a)| applies && !given.includes(i) && !a.not_sure && a.id != "none")
            .map(move |(_, a)| text_in(&a.label, reader, lang))
    }

    /// The report texts of the answers given, in English, if any was authored.
    pub(crate) fn report(&self) -> Option<Joined<impl Iterator<Item = &'a str> + Clone + 'a>> {
        let reader = self.reader;
        let reports = chosen_answers(self.question, self.given)
            .filter_map(move |a| a.report.as_ref().map(|r| english(r, reader)));
        reports.clone().next().is_some().then_some(Joined {
            parts: reports,
            separator: "; ",
        })
    }
}

/// A transcript's answer, written without building a string.
#[derive(Clone, Copy)]
pub(crate) struct AnswerText<'a> {
    given: AnswerIds,
    question: &'a QuestionIr,
    reader: Reader,
    lang: Language,
}

impl std::fmt::Display for AnswerText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.given.chosen {
            Chosen::Number { value, .. } => match &self.question.unit {
                Some(unit) => write!(f, "{value} {}", text_in(unit, self.reader, self.lang)),
                None => write!(f, "{value}"),
            },
            _ => {
                let (reader, lang) = (self.reader, self.lang);
                Joined {
                    parts: chosen_answers(self.question, &self.given)
                        .map(|a| text_in(&a.label, reader, lang)),
                    separator: ", ",
                }
                .fmt(f)
            }
        }
    }
}

/// Parts written with a separator between them.
#[derive(Clone)]
pub(crate) struct Joined<I> {
    parts: I,
    separator: &'static str,
}

impl<'t, I: Iterator<Item = &'t str> + Clone> std::fmt::Display for Joined<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, part) in self.parts.clone().enumerate() {
            if index > 0 {
                f.write_str(self.separator)?;
            }
            f.write_str(part)?;
        }
        Ok(())
    }
}

fn outcome_view(parts: &OutcomeParts<'_>) -> OutcomeView {
    let reader = parts.reader;
    let care_advice = parts
        .care_advice()
        .into_iter()
        .map(|advice| {
            let chosen = AdviceOut::of(advice, reader);
            AdviceView {
                id: chosen.id.to_string(),
                title: chosen.title.to_string(),
                text: chosen.text.to_string(),
                lang: chosen.lang,
            }
        })
        .collect();
    let reasons = parts
        .reasons()
        .map(|(node, reason)| {
            let chosen = ReasonOut::of(parts, node, reason);
            ReasonView {
                code: chosen.code.to_string(),
                text: chosen.text.to_string(),
                lang: chosen.lang,
                question: chosen.question.0.to_string(),
            }
        })
        .collect();
    OutcomeView {
        disposition: DispositionView::of(parts.disposition, reader),
        care_advice,
        reasons,
        transcript: transcript(parts),
    }
}

/// Every question asked and its answer, rendered.
fn transcript(parts: &OutcomeParts<'_>) -> Vec<TranscriptEntry> {
    parts
        .asked()
        .map(|(given, question)| {
            let entry = TranscriptParts::new(given, question, parts.reader);
            TranscriptEntry {
                question: parts.public_id(given.node).to_string(),
                text: entry.text().to_string(),
                answer: entry.answer().to_string(),
                ruled_out: entry.ruled_out().map(str::to_string).collect(),
                lang: entry.lang,
                report: entry.report().map(|r| r.to_string()),
            }
        })
        .collect()
}
