//! The vocabulary every stage shares: the person, who is answering, the
//! language asked for, and answers as callers write them.
//!
//! It sits below every stage (the model, the validator, the compiler and the
//! evaluator all use it) so that the stages depend on each other one way only.

use serde::{Deserialize, Serialize};

/// A person's sex as the pathways use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// Oldest age accepted, in whole years.
pub const MAX_AGE_YEARS: u32 = 130;

/// Largest number of extra months: 11 (12 months make a year).
pub const MAX_AGE_MONTHS: u32 = 11;

/// Who is answering the questions: the person themself, or someone on
/// their behalf (a parent, a carer, a friend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Answering {
    /// The person answers for themself.
    #[default]
    #[serde(rename = "self")]
    Myself,
    /// Someone answers for them (`someone_else`; `someone-else`, as the
    /// command line spells it, is read too).
    #[serde(alias = "someone-else")]
    SomeoneElse,
}

/// Whom a text speaks to, chosen from the person's age and who is answering.
///
/// | audience | who reads it | a question reads |
/// |---|---|---|
/// | `myself` (written `self`) | the person, aged 5 or over, answering for themself | "Do you have..." |
/// | `other` | someone answering for a person aged 16 or over | "Do they have..." |
/// | `child` | someone answering for a child aged 5 to 15 | "Does your child have..." |
/// | `toddler` | a parent or carer of a child aged 1 to 4; where a text has no `toddler` words, the `child` ones | "Does your child have..." (and nappies may be asked about) |
/// | `baby` | a parent or carer of a baby under 1 | "Does your baby have..." |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The person themself.
    #[serde(rename = "self")]
    Myself,
    /// Someone answering for an adult.
    Other,
    /// Someone answering for a child aged 5 to 15.
    Child,
    /// A parent or carer of a baby.
    Baby,
    /// A parent or carer of a child aged 1 to 4 (the `child` words serve
    /// where a text has none of its own).
    Toddler,
}

impl Audience {
    /// Every audience, in the order texts list them.
    pub const ALL: [Audience; 5] = [
        Audience::Myself,
        Audience::Other,
        Audience::Child,
        Audience::Toddler,
        Audience::Baby,
    ];

    /// The word authors write for it: `self`, `other`, `child`, `toddler` or `baby`.
    pub fn word(self) -> &'static str {
        match self {
            Audience::Myself => "self",
            Audience::Other => "other",
            Audience::Child => "child",
            Audience::Toddler => "toddler",
            Audience::Baby => "baby",
        }
    }

    /// A bit of its own, for sets of audiences.
    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Below this age (in years) a person is always answered for: a young child
/// who is said to answer for themself is spoken of as a child.
pub const YOUNGEST_ANSWERING_ALONE: f64 = 5.0;

/// A language the bundle may be written in. English is always there; Welsh
/// where the bundle has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English (`en`).
    #[default]
    En,
    /// Welsh (`cy`).
    Cy,
}

impl Language {
    /// The language tag: `en` or `cy`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Cy => "cy",
        }
    }

    /// The language for a tag, `en` or `cy` (any case).
    pub fn from_tag(tag: &str) -> Option<Language> {
        match tag.to_ascii_lowercase().as_str() {
            "en" => Some(Language::En),
            "cy" => Some(Language::Cy),
            _ => None,
        }
    }
}

/// How a text is chosen for a reader: the language asked for and whom it speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reader {
    /// The language asked for.
    pub language: Language,
    /// Whom texts speak to.
    pub audience: Audience,
}

impl Default for Reader {
    fn default() -> Reader {
        Reader {
            language: Language::En,
            audience: Audience::Myself,
        }
    }
}

/// The person being triaged.
///
/// ```
/// use triage_core::vocab::{Answering, Audience, Patient, Sex};
/// let teenager = Patient { age_years: 14, age_months: 0, sex: Sex::Male, answering: Answering::SomeoneElse };
/// assert_eq!(teenager.audience(), Audience::Child);
/// assert!(teenager.check().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// Whole years, 0 to 130.
    pub age_years: u32,
    /// Extra months, 0 to 11, for babies and toddlers.
    #[serde(default)]
    pub age_months: u32,
    /// Sex.
    pub sex: Sex,
    /// Who is answering; the person themself unless said otherwise.
    #[serde(default)]
    pub answering: Answering,
}

/// Why a [`Patient`] is not a person the engine can triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImplausiblePatient {
    /// More than 11 extra months.
    #[error("age_months is {months}, but it must be 0 to 11 (12 months make a year: give age_years {} and age_months {})", months / 12, months % 12)]
    MonthsTooMany {
        /// The months given.
        months: u32,
    },
    /// Older than [`MAX_AGE_YEARS`].
    #[error("age_years is {years}, but it must be 0 to 130")]
    TooOld {
        /// The years given.
        years: u32,
    },
}

impl ImplausiblePatient {
    /// The field that is wrong: `age_months` or `age_years`.
    pub fn field(&self) -> &'static str {
        match self {
            ImplausiblePatient::MonthsTooMany { .. } => "age_months",
            ImplausiblePatient::TooOld { .. } => "age_years",
        }
    }
}

impl Patient {
    /// A person answering for themself.
    pub fn new(age_years: u32, age_months: u32, sex: Sex) -> Patient {
        Patient {
            age_years,
            age_months,
            sex,
            answering: Answering::Myself,
        }
    }

    /// The same person, answered for by `answering`.
    pub fn answered_by(self, answering: Answering) -> Patient {
        Patient { answering, ..self }
    }

    /// Whether this is a person the engine can triage: months 0 to 11, years at most 130.
    pub fn check(&self) -> Result<(), ImplausiblePatient> {
        if self.age_months > MAX_AGE_MONTHS {
            Err(ImplausiblePatient::MonthsTooMany {
                months: self.age_months,
            })
        } else if self.age_years > MAX_AGE_YEARS {
            Err(ImplausiblePatient::TooOld {
                years: self.age_years,
            })
        } else {
            Ok(())
        }
    }

    /// Age in years, with months as a fraction.
    pub fn age_in_years(&self) -> f64 {
        f64::from(self.age_years) + f64::from(self.age_months) / 12.0
    }

    /// Age in whole months.
    pub fn age_in_months(&self) -> f64 {
        f64::from(self.age_years) * 12.0 + f64::from(self.age_months)
    }

    /// Whom texts speak to: a baby's or a toddler's parent, a child's
    /// parent when someone answers for a child, someone answering for an
    /// adult, or the person themself.
    pub fn audience(&self) -> Audience {
        let age = self.age_in_years();
        if age < 1.0 {
            Audience::Baby
        } else if age < YOUNGEST_ANSWERING_ALONE {
            Audience::Toddler
        } else {
            match (self.answering, age < 16.0) {
                (Answering::Myself, _) => Audience::Myself,
                (Answering::SomeoneElse, true) => Audience::Child,
                (Answering::SomeoneElse, false) => Audience::Other,
            }
        }
    }

    /// How texts are chosen for this person in `language`.
    pub fn reader(&self, language: Language) -> Reader {
        Reader {
            language,
            audience: self.audience(),
        }
    }
}

/// Where and for whom a journey starts: the pathway (and, optionally, the
/// topic it serves, whose own start it then takes), the person, and the
/// language of the texts.
///
/// As JSON: `{"pathway": "cough", "topic": "cough", "patient": {...}, "language": "cy"}`;
/// `topic` and `language` may be left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Start {
    /// The pathway's id.
    pub pathway: String,
    /// A topic the pathway serves (its id or title), to start where that topic starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The person, and who is answering.
    pub patient: Patient,
    /// The language of the texts, where the bundle has them.
    #[serde(default)]
    pub language: Language,
}

impl Start {
    /// A journey on `pathway` for `patient`, in English.
    pub fn new(pathway: impl Into<String>, patient: Patient) -> Start {
        Start {
            pathway: pathway.into(),
            topic: None,
            patient,
            language: Language::En,
        }
    }

    /// The same, starting where `topic` starts.
    pub fn at_topic(self, topic: impl Into<String>) -> Start {
        Start {
            topic: Some(topic.into()),
            ..self
        }
    }

    /// The same, with texts in `language`.
    pub fn in_language(self, language: Language) -> Start {
        Start { language, ..self }
    }
}

/// A whole journey so far, as `triage next` reads it: a [`Start`] and the answers.
///
/// The fields of [`Start`] are repeated rather than flattened in: serde
/// cannot refuse unknown keys through a flattened struct, and a misspelt key
/// in a request must be refused, not ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The pathway's id.
    pub pathway: String,
    /// A topic the pathway serves, to start where that topic starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The person, and who is answering.
    pub patient: Patient,
    /// The language of the texts.
    #[serde(default)]
    pub language: Language,
    /// Every answer so far, in order.
    #[serde(default)]
    pub answers: Vec<Answer>,
}

/// An answer's value: an answer id (`yes`, `no`, an option id, `none`, `not_sure`),
/// several option ids (multiple choice), or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum AnswerValue {
    /// A number.
    Number(f64),
    /// One answer id.
    Choice(String),
    /// Several option ids.
    Choices(Vec<String>),
}

/// One answer: which question, and what was answered.
///
/// As JSON: `{"question": "crushing-pain", "answer": "yes"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Public question id: `node` for the started pathway's own nodes, `unit/node` otherwise.
    pub question: String,
    /// The answer.
    #[serde(rename = "answer")]
    pub value: AnswerValue,
}

impl Answer {
    /// An answer to `question`.
    pub fn new(question: impl Into<String>, value: AnswerValue) -> Answer {
        Answer {
            question: question.into(),
            value,
        }
    }
}

impl std::fmt::Display for AnswerValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnswerValue::Number(n) => write!(f, "{n}"),
            AnswerValue::Choice(c) => f.write_str(c),
            AnswerValue::Choices(cs) => write!(f, "[{}]", cs.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(years: u32, months: u32, answering: Answering) -> Patient {
        Patient::new(years, months, Sex::Female).answered_by(answering)
    }

    #[test]
    fn the_audience_follows_age_and_who_answers() {
        use Answering::*;
        assert_eq!(person(0, 6, Myself).audience(), Audience::Baby);
        assert_eq!(person(0, 6, SomeoneElse).audience(), Audience::Baby);
        assert_eq!(person(3, 0, Myself).audience(), Audience::Toddler);
        assert_eq!(person(3, 0, SomeoneElse).audience(), Audience::Toddler);
        assert_eq!(person(10, 0, SomeoneElse).audience(), Audience::Child);
        assert_eq!(person(14, 0, Myself).audience(), Audience::Myself);
        assert_eq!(person(40, 0, SomeoneElse).audience(), Audience::Other);
        assert_eq!(person(40, 0, Myself).audience(), Audience::Myself);
    }

    #[test]
    fn implausible_ages_are_refused_with_the_field() {
        let error = person(0, 13, Answering::Myself).check().unwrap_err();
        assert_eq!(error.field(), "age_months");
        assert!(error.to_string().contains("age_years 1 and age_months 1"));
        assert_eq!(
            person(131, 0, Answering::Myself)
                .check()
                .unwrap_err()
                .field(),
            "age_years"
        );
        assert!(person(130, 11, Answering::Myself).check().is_ok());
    }

    #[test]
    fn answering_defaults_to_self_and_reads_as_written() {
        let p: Patient = serde_json::from_str(r#"{"age_years": 3, "sex": "male"}"#).unwrap();
        assert_eq!(p.answering, Answering::Myself);
        let p: Patient =
            serde_json::from_str(r#"{"age_years": 3, "sex": "male", "answering": "someone_else"}"#)
                .unwrap();
        assert_eq!(p.answering, Answering::SomeoneElse);
        assert_eq!(
            serde_json::to_string(&Answering::Myself).unwrap(),
            "\"self\""
        );
    }
}
