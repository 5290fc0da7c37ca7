//! The shipped bundle and journeys through it: every case of every shipped
//! case pack, and every journey through the chest-pain pathway found by
//! walking it.

use std::path::{Path, PathBuf};
use triage_core::compile::CompiledBundle;
use triage_core::eval::{evaluate, Answer, AnswerValue, EvalError, Patient, Sex, Step};
use triage_core::model::QuestionKindDoc;
use triage_core::Built;

/// The pathway the baselines mirror.
pub const CHEST_PAIN: &str = "chest-pain";

/// The shipped bundle directory.
pub fn bundle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pathways")
}

/// Loads, validates and compiles the shipped bundle.
pub fn build_shipped() -> Result<Built, String> {
    let built = triage_core::build_dir(&bundle_dir());
    if built.has_errors() || built.bundle.is_none() {
        return Err(format!(
            "the shipped bundle has errors: {:#?}",
            built.diagnostics
        ));
    }
    Ok(built)
}

/// Loads, validates and compiles the shipped bundle with only one pathway
/// (and its case pack): the catalogues and modules it may use, but no other
/// pathway or case pack. Much quicker than the whole bundle in a debug build;
/// the pathway evaluates exactly as in the whole bundle (pathways are compiled
/// separately), and a `goto` to a pathway left out fails the build loudly.
pub fn build_shipped_pathway(pathway: &str) -> Result<Built, String> {
    let (sources, diagnostics) = triage_core::load::Sources::from_dir(&bundle_dir());
    if !diagnostics.is_empty() {
        return Err(format!("reading the shipped bundle: {diagnostics:#?}"));
    }
    let own = [
        format!("pathways/{pathway}.yaml"),
        format!("pathways/{pathway}.cases.yaml"),
    ];
    let texts: Vec<(String, String)> = sources
        .files
        .into_iter()
        .filter(|file| {
            own.contains(&file.path)
                || !(file.path.starts_with("pathways/") || file.path.ends_with(".cases.yaml"))
        })
        .map(|file| (file.path, file.text))
        .collect();
    let (sources, diagnostics) = triage_core::load::Sources::from_texts(texts);
    if !diagnostics.is_empty() {
        return Err(format!("reading the shipped bundle: {diagnostics:#?}"));
    }
    let built = triage_core::build(sources);
    if built.has_errors() || built.bundle.is_none() {
        return Err(format!(
            "the shipped bundle with only {pathway} has errors: {:#?}",
            built.diagnostics
        ));
    }
    Ok(built)
}

/// One journey: a person and the answers they give, in order.
#[derive(Debug, Clone)]
pub struct Journey {
    /// What it is, for messages.
    pub name: String,
    /// The pathway started.
    pub pathway: String,
    /// The person.
    pub patient: Patient,
    /// The answers.
    pub answers: Vec<Answer>,
}

/// Every case of every shipped case pack, in load order.
pub fn case_pack_journeys(built: &Built) -> Vec<Journey> {
    let Some(ir) = &built.ir else {
        return Vec::new();
    };
    let mut journeys = Vec::new();
    for pack in &ir.case_packs {
        let Some(unit) = ir.units.get(usize::from(pack.pathway)) else {
            continue;
        };
        for case in &pack.cases {
            journeys.push(Journey {
                name: case.name.clone(),
                pathway: unit.id.clone(),
                patient: Patient {
                    age_years: case.age_years,
                    age_months: case.age_months,
                    sex: case.sex,
                    answering: Default::default(),
                },
                answers: case
                    .answers
                    .iter()
                    .map(|a| Answer::new(a.question.clone(), a.value.clone()))
                    .collect(),
            });
        }
    }
    journeys
}

/// The journey timed as "one journey": the longest of the chest-pain case pack
/// that also passes a branch node, so an expression is evaluated on the way.
pub const TIMED_JOURNEY: &str = "unexplained pain that has stopped goes to the GP within 3 days";

/// [`TIMED_JOURNEY`], or the longest chest-pain case if it has been renamed.
pub fn timed_journey(journeys: &[Journey]) -> Option<Journey> {
    journeys
        .iter()
        .find(|j| j.name == TIMED_JOURNEY && j.pathway == CHEST_PAIN)
        .cloned()
        .or_else(|| longest(journeys, CHEST_PAIN))
}

/// The longest case-pack journey of `pathway` (the first of the longest).
pub fn longest(journeys: &[Journey], pathway: &str) -> Option<Journey> {
    journeys
        .iter()
        .filter(|j| j.pathway == pathway)
        .fold(None::<&Journey>, |best, j| match best {
            Some(b) if b.answers.len() >= j.answers.len() => Some(b),
            _ => Some(j),
        })
        .cloned()
}

/// Every answer a question offers, for walking: each single answer, and for
/// multiple choice every non-empty set of options plus `none` and `not_sure`.
fn answers_to(step: &Step) -> Vec<AnswerValue> {
    let Some(question) = step.question() else {
        return Vec::new();
    };
    let ids: Vec<String> = question.options.iter().map(|o| o.id.clone()).collect();
    match question.kind {
        QuestionKindDoc::YesNo | QuestionKindDoc::Single => {
            ids.into_iter().map(AnswerValue::Choice).collect()
        }
        QuestionKindDoc::Multiple => {
            let (exclusive, options): (Vec<String>, Vec<String>) = ids
                .into_iter()
                .partition(|id| id == "none" || id == "not_sure");
            let count = options.len().min(16);
            let mut values: Vec<AnswerValue> = (1u32..(1 << count))
                .map(|set| {
                    let chosen = options
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| set & (1 << i) != 0)
                        .map(|(_, id)| id.clone())
                        .collect();
                    AnswerValue::Choices(chosen)
                })
                .collect();
            values.extend(exclusive.into_iter().map(AnswerValue::Choice));
            values
        }
        QuestionKindDoc::Number => {
            let mut values: Vec<AnswerValue> = ids.into_iter().map(AnswerValue::Choice).collect();
            if let Some((min, max)) = question.range {
                values.extend([min, (min + max) / 2.0, max].map(AnswerValue::Number));
            }
            values
        }
    }
}

/// Every complete journey through `pathway` for `patient`, found by giving
/// each question every answer it offers (see [`answers_to`]).
pub fn walk_all(
    bundle: &CompiledBundle,
    pathway: &str,
    patient: &Patient,
) -> Result<Vec<Journey>, EvalError> {
    let mut found = Vec::new();
    let mut pending = vec![Vec::<Answer>::new()];
    while let Some(answers) = pending.pop() {
        let step = evaluate(bundle, pathway, patient, &answers).and_then(|e| e.render())?;
        match &step {
            Step::Outcome(_) => found.push(Journey {
                name: format!("walk {}", found.len() + 1),
                pathway: pathway.to_string(),
                patient: *patient,
                answers,
            }),
            Step::Question(question) => {
                for value in answers_to(&step) {
                    let mut longer = answers.clone();
                    longer.push(Answer::new(question.id.clone(), value));
                    pending.push(longer);
                }
            }
        }
    }
    Ok(found)
}

/// The people the baselines are checked with: the youngest the chest-pain
/// pathway takes, two adults, and one just too young.
pub fn chest_pain_patients() -> [Patient; 4] {
    [
        Patient {
            age_years: 16,
            age_months: 0,
            sex: Sex::Female,
            answering: Default::default(),
        },
        Patient {
            age_years: 58,
            age_months: 0,
            sex: Sex::Male,
            answering: Default::default(),
        },
        Patient {
            age_years: 47,
            age_months: 6,
            sex: Sex::Female,
            answering: Default::default(),
        },
        Patient {
            age_years: 15,
            age_months: 11,
            sex: Sex::Male,
            answering: Default::default(),
        },
    ]
}

/// A stable hash (FNV-1a, 64 bits) of the files the baselines mirror, ignoring
/// blank lines, whole-line comments and trailing spaces, so that rewording a
/// comment does not count as a change but any change to a node does.
pub fn mirrored_content_hash() -> Result<u64, String> {
    let dir = bundle_dir();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in ["pathways/chest-pain.yaml", "modules/emergency-screen.yaml"] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let lines = text
            .lines()
            .map(str::trim_end)
            .filter(|line| !line.is_empty() && !line.trim_start().starts_with('#'));
        for line in std::iter::once(file).chain(lines) {
            for byte in line.bytes().chain(std::iter::once(b'\n')) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    Ok(hash)
}
