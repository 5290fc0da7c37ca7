//! The validated model: every reference resolved to an index, every check passed.
//!
//! [`crate::validate`] builds a [`BundleIr`] only when a bundle has no errors,
//! so everything here may be trusted by [`crate::compile`]: ids exist, the
//! graph is acyclic, expressions type-check, bands cover their range.
//! Nodes are still the authored ones (modules are not yet expanded per call).

use crate::diag::Loc;
use crate::expr::Expr;
use crate::model::{QuestionKindDoc, ServiceDoc, SexDoc, TextDoc};
use serde::{Deserialize, Serialize};

/// Index into [`BundleIr::dispositions`].
pub type DispositionIdx = u16;
/// Index into [`BundleIr::advice`].
pub type AdviceIdx = u16;
/// Index into [`BundleIr::variables`].
pub type VariableIdx = u16;
/// Index into [`BundleIr::units`].
pub type UnitIdx = u16;
/// Index into [`BundleIr::nodes`].
pub type NodeIdx = u32;

/// A whole validated bundle.
#[derive(Debug, Clone)]
pub struct BundleIr {
    /// The disposition catalogue, in file order.
    pub dispositions: Vec<DispositionIr>,
    /// The care-advice catalogue, in file order.
    pub advice: Vec<AdviceIr>,
    /// Every variable and score of every pathway and module (one namespace).
    pub variables: Vec<VariableIr>,
    /// Pathways and modules, in load order.
    pub units: Vec<UnitIr>,
    /// Every node of every unit; a unit's nodes are contiguous.
    pub nodes: Vec<NodeIr>,
    /// Case packs with answers resolved to questions.
    pub case_packs: Vec<CasePackIr>,
    /// Groups of words that mean the same to a searcher (`synonyms.yaml`).
    pub synonyms: Vec<Vec<String>>,
}

/// A disposition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DispositionIr {
    /// Id, e.g. `call-999-cat2`.
    pub id: String,
    /// Dx-style code.
    pub code: String,
    /// Title.
    #[serde(with = "crate::artifact::wire::text")]
    pub title: TextDoc,
    /// Longer explanation.
    #[serde(with = "crate::artifact::wire::opt_text")]
    pub description: Option<TextDoc>,
    /// Service.
    pub service: ServiceDoc,
    /// How soon the person should act, in minutes (0: now).
    pub act_within_minutes: Option<u32>,
    /// The service's own target, in minutes; not the person's deadline.
    pub service_standard_minutes: Option<u32>,
    /// Urgency rank: lower is more urgent; unique.
    pub rank: u32,
    /// Care advice always given with it.
    pub advice: Vec<AdviceIdx>,
    /// Where it is defined (not carried by a compiled artifact).
    #[serde(skip)]
    pub loc: Loc,
}

/// A care-advice entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdviceIr {
    /// Key.
    pub id: String,
    /// Heading.
    #[serde(with = "crate::artifact::wire::text")]
    pub title: TextDoc,
    /// Text.
    #[serde(with = "crate::artifact::wire::text")]
    pub text: TextDoc,
    /// Where it is defined (not carried by a compiled artifact).
    #[serde(skip)]
    pub loc: Loc,
}

/// Whether a variable holds a flag, a number, or a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    /// true/false, starts false; read as `var.NAME`.
    Bool,
    /// A number, starts 0; read as `var.NAME`.
    Number,
    /// A score, starts 0, only added to; read as `score.NAME`.
    Score,
}

/// A variable or score.
#[derive(Debug, Clone)]
pub struct VariableIr {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: VariableKind,
}

/// Is a unit a pathway a person can start, or a module that pathways call?
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum UnitKind {
    /// A symptom pathway.
    Pathway(Applicability),
    /// A shared module.
    Module,
}

/// Who a pathway is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Applicability {
    /// Youngest age in years, inclusive.
    pub from_years: f64,
    /// Age in years at which it stops applying, exclusive (`f64::INFINITY` for none).
    pub to_years: f64,
    /// Sexes it is for.
    pub sexes: Vec<SexDoc>,
    /// Search keywords.
    pub keywords: Vec<String>,
    /// The 111 online topics it serves.
    pub topics: Vec<TopicClaimIr>,
    /// Offered at the end of every search.
    pub fallback: bool,
}

impl Applicability {
    /// The ages in words: `16 years and over`, `1 up to (not including) 5 years`.
    pub fn ages_in_words(&self) -> String {
        let (from, to) = (self.from_years, self.to_years);
        if to.is_finite() {
            format!("{from} up to (not including) {to} years")
        } else {
            format!("{from} years and over")
        }
    }
}

/// A topic a pathway serves, and where a journey for it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicClaimIr {
    /// The topic, an index into [`crate::topics::all`].
    pub topic: crate::topics::TopicIdx,
    /// Where a journey for this topic starts, if not at the pathway's start.
    pub start: Option<NodeIdx>,
}

/// A public source.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceIr {
    /// Title.
    pub title: String,
    /// URL.
    pub url: String,
}

/// A pathway or module.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitIr {
    /// Id.
    pub id: String,
    /// Pathway or module.
    pub kind: UnitKind,
    /// Title.
    #[serde(with = "crate::artifact::wire::text")]
    pub title: TextDoc,
    /// Summary.
    #[serde(with = "crate::artifact::wire::opt_text")]
    pub summary: Option<TextDoc>,
    /// Content version.
    pub version: String,
    /// Public sources.
    pub sources: Vec<SourceIr>,
    /// First node.
    pub start: NodeIdx,
    /// This unit's nodes: `nodes[first..first + len]`.
    pub nodes: std::ops::Range<NodeIdx>,
    /// The file it came from (index into [`crate::load::Sources`]).
    pub file: usize,
}

/// Where an answer, case or band leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// Another node.
    Node(NodeIdx),
    /// Back to the node after the module call (modules only).
    Return,
}

/// A node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeIr {
    /// The unit it belongs to.
    pub unit: UnitIdx,
    /// Its id within the unit.
    pub id: String,
    /// Where it is defined (not carried by a compiled artifact).
    #[serde(skip)]
    pub loc: Loc,
    /// What it does.
    pub kind: NodeKindIr,
}

/// What a node does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum NodeKindIr {
    /// Ask a question.
    Question(QuestionIr),
    /// Choose by expression.
    Branch(BranchIr),
    /// End at a disposition.
    Outcome(OutcomeIr),
    /// Run a module, then go to `next`.
    Call {
        /// The module.
        module: UnitIdx,
        /// Where to carry on when it returns.
        next: Target,
    },
    /// Carry on in another pathway, at `at`.
    Goto {
        /// The pathway.
        pathway: UnitIdx,
        /// The node to carry on at.
        at: NodeIdx,
    },
}

/// A question.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuestionIr {
    /// Question text.
    #[serde(with = "crate::artifact::wire::text")]
    pub text: TextDoc,
    /// Help text.
    #[serde(with = "crate::artifact::wire::opt_text")]
    pub help: Option<TextDoc>,
    /// Kind of answer.
    pub kind: QuestionKindDoc,
    /// The answers a person may give, in this order:
    /// `yes_no`: `yes`, `no`; `single`: the options; `multiple`: the options then `none`;
    /// `number`: the bands, lowest first. Then `not_sure` last, if offered.
    pub answers: Vec<AnswerIr>,
    /// `number`: unit.
    #[serde(with = "crate::artifact::wire::opt_text")]
    pub unit: Option<TextDoc>,
    /// `number`: allowed range, inclusive.
    pub range: Option<(f64, f64)>,
}

impl QuestionIr {
    /// The "I'm not sure" answer, if offered.
    pub fn not_sure(&self) -> Option<&AnswerIr> {
        self.answers.last().filter(|a| a.not_sure)
    }

    /// Bits of the answers that must be chosen alone: `none` and `not_sure`.
    pub fn exclusive_answers(&self) -> u64 {
        self.answers
            .iter()
            .enumerate()
            .filter(|(i, a)| *i < 64 && (a.id == "none" || a.not_sure))
            .fold(0, |mask, (i, _)| mask | 1u64 << i)
    }
}

/// One answer and what it does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerIr {
    /// Answer id: `yes`, `no`, an option id, `none`, `not_sure`, or for a number band
    /// a generated id such as `band-1`.
    pub id: String,
    /// Label shown to the person ("Yes", the option label, "None of these", "I'm not sure").
    #[serde(with = "crate::artifact::wire::text")]
    pub label: TextDoc,
    /// Number band `[from, below)`; `None` for other answers.
    pub band: Option<(f64, f64)>,
    /// Where it leads.
    pub next: Target,
    /// The symptom discriminator it records.
    pub reason: Option<ReasonIr>,
    /// Report text.
    #[serde(with = "crate::artifact::wire::opt_text")]
    pub report: Option<TextDoc>,
    /// Care advice it adds.
    pub advice: Vec<AdviceIdx>,
    /// Variables it sets (`Bool` as 0.0 / 1.0).
    pub set: Vec<(VariableIdx, f64)>,
    /// Scores it adds to.
    pub add: Vec<(VariableIdx, f64)>,
    /// True for the "I'm not sure" answer.
    pub not_sure: bool,
    /// Where it is written (not carried by a compiled artifact).
    #[serde(skip)]
    pub loc: Loc,
}

/// A symptom discriminator: why the journey went where it did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReasonIr {
    /// Stable code (the answer's `reason_code`, or `unit/node/answer` if none was written).
    pub code: String,
    /// Text shown to the person.
    #[serde(with = "crate::artifact::wire::text")]
    pub text: TextDoc,
}

/// A branch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum BranchIr {
    /// Ordered cases then a fallback.
    Cases {
        /// `(condition, target)`, first match wins.
        cases: Vec<(Expr, Target)>,
        /// Taken when no case holds.
        otherwise: Target,
        /// Each case's condition as written, and where, for authors' reports
        /// (not carried by a compiled artifact).
        #[serde(skip)]
        written: Vec<(String, Loc)>,
    },
    /// Numeric bands over one expression, covering every value.
    Bands {
        /// A number-typed expression.
        on: Expr,
        /// `(from, below, target)`, lowest first; the first `from` is `-inf`, the last `below` `+inf`.
        bands: Vec<(f64, f64, Target)>,
    },
}

/// An outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutcomeIr {
    /// The disposition.
    pub disposition: DispositionIdx,
    /// Why, when the journey met no symptom discriminator on the way.
    pub reason: Option<ReasonIr>,
    /// Care advice given with it.
    pub advice: Vec<AdviceIdx>,
}

/// A case pack, resolved.
#[derive(Debug, Clone)]
pub struct CasePackIr {
    /// The file it came from.
    pub file: usize,
    /// The pathway the cases start.
    pub pathway: UnitIdx,
    /// The cases.
    pub cases: Vec<CaseIr>,
}

/// One case, resolved.
#[derive(Debug, Clone)]
pub struct CaseIr {
    /// What it shows.
    pub name: String,
    /// Where it is written.
    pub loc: Loc,
    /// Age in whole years.
    pub age_years: u32,
    /// Extra months.
    pub age_months: u32,
    /// Sex.
    pub sex: SexDoc,
    /// Who answers.
    pub answering: crate::vocab::Answering,
    /// Answers as the public API takes them: question id (`node`, or `unit/node`
    /// for a node of another unit) and value.
    pub answers: Vec<CaseAnswerIr>,
    /// Expected disposition.
    pub expect_disposition: DispositionIdx,
    /// Expected reason codes or texts, in order, if given.
    pub expect_reasons: Option<Vec<String>>,
    /// Care advice that must be given.
    pub expect_advice: Vec<AdviceIdx>,
}

/// One answer of a case.
#[derive(Debug, Clone)]
pub struct CaseAnswerIr {
    /// Public question id.
    pub question: String,
    /// The answer.
    pub value: crate::vocab::AnswerValue,
    /// Where it is written.
    pub loc: Loc,
}
