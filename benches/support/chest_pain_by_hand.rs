//! The chest-pain pathway, with the emergency screen it calls, written by hand
//! as Rust `match`: the fastest this decision can be made, and the yardstick
//! the engine is measured against.
//!
//! It mirrors `pathways/pathways/chest-pain.yaml` and
//! `pathways/modules/emergency-screen.yaml` node for node. `tests/baselines.rs`
//! checks that it gives the engine's answer on every journey, and fails when
//! either file changes ([`MIRRORED_CONTENT_HASH`]), so the two never drift apart.

use triage_core::eval::{Answer, AnswerValue, Patient};

/// Hash of the content this file mirrors (see `journeys::mirrored_content_hash`).
/// Change it only after updating this tree and `chest_pain_logic.rs` to match.
pub const MIRRORED_CONTENT_HASH: u64 = 0x2bd2_efcd_adc4_28a7;

/// Youngest age the pathway takes, in years (`ages: { from: 16 }`; every sex).
const MIN_AGE_YEARS: f64 = 16.0;

/// A question of the journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// `emergency-screen/signs` (multiple).
    Signs,
    /// `pain-now` (single).
    PainNow,
    /// `heart-signs` (multiple).
    HeartSigns,
    /// `injury` (yes/no).
    Injury,
    /// `breathing-pain` (yes/no).
    BreathingPain,
    /// `clot-signs` (multiple).
    ClotSigns,
    /// `heartburn` (yes/no).
    Heartburn,
    /// `muscle` (yes/no).
    Muscle,
}

impl Question {
    /// Public question id, as the engine names it.
    pub fn id(self) -> &'static str {
        match self {
            Question::Signs => "emergency-screen/signs",
            Question::PainNow => "pain-now",
            Question::HeartSigns => "heart-signs",
            Question::Injury => "injury",
            Question::BreathingPain => "breathing-pain",
            Question::ClotSigns => "clot-signs",
            Question::Heartburn => "heartburn",
            Question::Muscle => "muscle",
        }
    }
}

/// A disposition the pathway can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// `call-999-cat1`.
    Call999Cat1,
    /// `call-999-cat2`.
    Call999Cat2,
    /// `emergency-department-1h`.
    EmergencyDepartment1h,
    /// `emergency-department-4h`.
    EmergencyDepartment4h,
    /// `urgent-treatment-centre-4h`.
    UrgentTreatmentCentre4h,
    /// `clinician-call-back-1h`.
    ClinicianCallBack1h,
    /// `clinician-call-back-2h`.
    ClinicianCallBack2h,
    /// `clinician-call-back-6h`.
    ClinicianCallBack6h,
    /// `clinician-call-back-24h`.
    ClinicianCallBack24h,
    /// `pharmacist-12h`.
    Pharmacist12h,
    /// `own-gp-3-days`.
    OwnGp3Days,
    /// `self-care`.
    SelfCare,
}

impl Disposition {
    /// Disposition id, as in `dispositions.yaml`.
    pub fn id(self) -> &'static str {
        match self {
            Disposition::Call999Cat1 => "call-999-cat1",
            Disposition::Call999Cat2 => "call-999-cat2",
            Disposition::EmergencyDepartment1h => "emergency-department-1h",
            Disposition::EmergencyDepartment4h => "emergency-department-4h",
            Disposition::UrgentTreatmentCentre4h => "urgent-treatment-centre-4h",
            Disposition::ClinicianCallBack1h => "clinician-call-back-1h",
            Disposition::ClinicianCallBack2h => "clinician-call-back-2h",
            Disposition::ClinicianCallBack6h => "clinician-call-back-6h",
            Disposition::ClinicianCallBack24h => "clinician-call-back-24h",
            Disposition::Pharmacist12h => "pharmacist-12h",
            Disposition::OwnGp3Days => "own-gp-3-days",
            Disposition::SelfCare => "self-care",
        }
    }
}

/// A yes/no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YesNo {
    /// `yes`.
    Yes,
    /// `no`.
    No,
    /// `not_sure`.
    NotSure,
}

/// An answer to `pain-now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PainNow {
    /// `now`.
    Now,
    /// `within-12-hours`.
    Within12Hours,
    /// `within-3-days`.
    Within3Days,
    /// `over-3-days`.
    Over3Days,
    /// `not_sure`.
    NotSure,
}

/// A multiple-choice answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiple {
    /// Options chosen, bit `i` for the `i`th listed option (never 0).
    Chosen(u8),
    /// `none`.
    None,
    /// `not_sure`.
    NotSure,
}

impl Multiple {
    /// The listed position of the first option chosen: it decides the route.
    fn first(bits: u8) -> u32 {
        bits.trailing_zeros()
    }
}

/// An answer already parsed: which question, and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// To [`Question::Signs`].
    Signs(Multiple),
    /// To [`Question::PainNow`].
    PainNow(PainNow),
    /// To [`Question::HeartSigns`].
    HeartSigns(Multiple),
    /// To [`Question::Injury`].
    Injury(YesNo),
    /// To [`Question::BreathingPain`].
    BreathingPain(YesNo),
    /// To [`Question::ClotSigns`].
    ClotSigns(Multiple),
    /// To [`Question::Heartburn`].
    Heartburn(YesNo),
    /// To [`Question::Muscle`].
    Muscle(YesNo),
}

/// Where a journey is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Ask this next.
    Ask(Question),
    /// The journey ends here.
    Outcome(Disposition),
}

/// Why a journey was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The person is younger than the pathway takes.
    NotApplicable,
    /// The answer is to another question than the one asked.
    WrongQuestion,
    /// No such question, or an answer the question does not offer.
    NotOffered,
    /// An answer after the journey ended.
    AfterOutcome,
}

const SIGNS: [&str; 8] = [
    "not-breathing",
    "choking",
    "unresponsive",
    "allergic-reaction",
    "blue",
    "bleeding",
    "stroke",
    "fitting",
];
const HEART_SIGNS: [&str; 4] = ["heavy", "spreading", "sweating-sick", "breathless"];
const CLOT_SIGNS: [&str; 4] = ["coughing-blood", "swollen-leg", "clot-risk", "infection"];

/// Walks pre-parsed replies from the start.
pub fn triage(patient: &Patient, replies: &[Reply]) -> Result<Step, Refusal> {
    walk(patient, replies.iter().map(|reply| Ok(*reply)))
}

/// Parses each answer as it comes, then walks: what a service taking the
/// answers as text would do.
pub fn triage_answers(patient: &Patient, answers: &[Answer]) -> Result<Step, Refusal> {
    walk(patient, answers.iter().map(Reply::parse))
}

fn walk(
    patient: &Patient,
    replies: impl Iterator<Item = Result<Reply, Refusal>>,
) -> Result<Step, Refusal> {
    let age = patient.age_in_years();
    if age < MIN_AGE_YEARS {
        return Err(Refusal::NotApplicable);
    }
    let mut step = Step::Ask(who(age)?);
    let mut pain_now = None;
    for reply in replies {
        let Step::Ask(asked) = step else {
            return Err(Refusal::AfterOutcome);
        };
        step = match (asked, reply?) {
            (Question::Signs, Reply::Signs(answer)) => match answer {
                Multiple::Chosen(bits) => match Multiple::first(bits) {
                    0..=4 => Step::Outcome(Disposition::Call999Cat1),
                    5..=7 => Step::Outcome(Disposition::Call999Cat2),
                    _ => return Err(Refusal::NotOffered),
                },
                Multiple::None => Step::Ask(Question::PainNow),
                Multiple::NotSure => Step::Outcome(Disposition::Call999Cat2),
            },
            (Question::PainNow, Reply::PainNow(answer)) => {
                pain_now = Some(answer);
                match answer {
                    PainNow::NotSure => Step::Outcome(Disposition::ClinicianCallBack1h),
                    _ => Step::Ask(Question::HeartSigns),
                }
            }
            (Question::HeartSigns, Reply::HeartSigns(answer)) => match answer {
                Multiple::Chosen(bits) if Multiple::first(bits) < 4 => {
                    Step::Outcome(heart_timing(pain_now))
                }
                Multiple::Chosen(_) => return Err(Refusal::NotOffered),
                Multiple::None => Step::Ask(Question::Injury),
                Multiple::NotSure => Step::Outcome(heart_timing(pain_now)),
            },
            (Question::Injury, Reply::Injury(answer)) => match answer {
                YesNo::Yes | YesNo::NotSure => Step::Outcome(Disposition::UrgentTreatmentCentre4h),
                YesNo::No => Step::Ask(Question::BreathingPain),
            },
            (Question::BreathingPain, Reply::BreathingPain(answer)) => match answer {
                YesNo::Yes | YesNo::NotSure => Step::Ask(Question::ClotSigns),
                YesNo::No => Step::Ask(Question::Heartburn),
            },
            (Question::ClotSigns, Reply::ClotSigns(answer)) => match answer {
                Multiple::Chosen(bits) => match Multiple::first(bits) {
                    0..=2 => Step::Outcome(Disposition::EmergencyDepartment1h),
                    3 => Step::Outcome(Disposition::ClinicianCallBack2h),
                    _ => return Err(Refusal::NotOffered),
                },
                Multiple::None => Step::Outcome(Disposition::ClinicianCallBack6h),
                Multiple::NotSure => Step::Outcome(Disposition::ClinicianCallBack1h),
            },
            (Question::Heartburn, Reply::Heartburn(answer)) => match answer {
                YesNo::Yes => Step::Outcome(Disposition::Pharmacist12h),
                YesNo::No => Step::Ask(Question::Muscle),
                YesNo::NotSure => Step::Outcome(unexplained(pain_now)),
            },
            (Question::Muscle, Reply::Muscle(answer)) => match answer {
                YesNo::Yes => Step::Outcome(Disposition::SelfCare),
                YesNo::No | YesNo::NotSure => Step::Outcome(unexplained(pain_now)),
            },
            _ => return Err(Refusal::WrongQuestion),
        };
    }
    Ok(step)
}

/// `emergency-screen/who`: the screen asked depends on age. Everyone the
/// pathway takes gets the adult `signs`; the children's and babies' screens
/// cannot be reached from it.
fn who(age: f64) -> Result<Question, Refusal> {
    if age >= 16.0 {
        Ok(Question::Signs)
    } else {
        Err(Refusal::NotApplicable)
    }
}

/// `heart-timing`: how long ago the pain was decides how urgent heart signs are.
fn heart_timing(pain_now: Option<PainNow>) -> Disposition {
    match pain_now {
        Some(PainNow::Now | PainNow::Within12Hours) => Disposition::Call999Cat2,
        Some(PainNow::Within3Days) => Disposition::EmergencyDepartment4h,
        _ => Disposition::ClinicianCallBack24h,
    }
}

/// `unexplained`: pain still there needs a call back, otherwise the GP.
fn unexplained(pain_now: Option<PainNow>) -> Disposition {
    match pain_now {
        Some(PainNow::Now) => Disposition::ClinicianCallBack2h,
        _ => Disposition::OwnGp3Days,
    }
}

impl Reply {
    /// Parses an answer given as text, as the engine's public API takes it.
    pub fn parse(answer: &Answer) -> Result<Reply, Refusal> {
        let value = &answer.value;
        Ok(match answer.question.as_str() {
            "emergency-screen/signs" => Reply::Signs(multiple(value, &SIGNS)?),
            "pain-now" => Reply::PainNow(match choice(value)? {
                "now" => PainNow::Now,
                "within-12-hours" => PainNow::Within12Hours,
                "within-3-days" => PainNow::Within3Days,
                "over-3-days" => PainNow::Over3Days,
                "not_sure" => PainNow::NotSure,
                _ => return Err(Refusal::NotOffered),
            }),
            "heart-signs" => Reply::HeartSigns(multiple(value, &HEART_SIGNS)?),
            "injury" => Reply::Injury(yes_no(value)?),
            "breathing-pain" => Reply::BreathingPain(yes_no(value)?),
            "clot-signs" => Reply::ClotSigns(multiple(value, &CLOT_SIGNS)?),
            "heartburn" => Reply::Heartburn(yes_no(value)?),
            "muscle" => Reply::Muscle(yes_no(value)?),
            _ => return Err(Refusal::WrongQuestion),
        })
    }
}

fn choice(value: &AnswerValue) -> Result<&str, Refusal> {
    match value {
        AnswerValue::Choice(id) => Ok(id),
        _ => Err(Refusal::NotOffered),
    }
}

fn yes_no(value: &AnswerValue) -> Result<YesNo, Refusal> {
    match choice(value)? {
        "yes" => Ok(YesNo::Yes),
        "no" => Ok(YesNo::No),
        "not_sure" => Ok(YesNo::NotSure),
        _ => Err(Refusal::NotOffered),
    }
}

fn multiple(value: &AnswerValue, options: &[&str]) -> Result<Multiple, Refusal> {
    let ids: &[String] = match value {
        AnswerValue::Choice(id) => std::slice::from_ref(id),
        AnswerValue::Choices(ids) => ids,
        AnswerValue::Number(_) => return Err(Refusal::NotOffered),
    };
    let mut bits = 0u8;
    for id in ids {
        match id.as_str() {
            "none" | "not_sure" if ids.len() > 1 => return Err(Refusal::NotOffered),
            "none" => return Ok(Multiple::None),
            "not_sure" => return Ok(Multiple::NotSure),
            _ => {
                let index = options
                    .iter()
                    .position(|option| option == id)
                    .ok_or(Refusal::NotOffered)?;
                bits |= 1 << index;
            }
        }
    }
    if bits == 0 {
        return Err(Refusal::NotOffered);
    }
    Ok(Multiple::Chosen(bits))
}
