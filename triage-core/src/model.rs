//! The spanned source model: what a bundle's YAML files say, exactly as written.
//!
//! Every type here ends in `Doc` and mirrors one YAML shape. Nothing is resolved
//! or checked yet (that is [`crate::validate`]); references are kept as
//! [`Spanned`] strings so that a diagnostic can point at the line and column of
//! a bad id. Unknown keys are refused by the loader (`deny_unknown_fields`).

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// A value with where it was written, so a diagnostic can point at it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where the value starts in its file.
    pub referenced: Location,
}

/// Where a value starts in its file, and how many characters it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Location {
    line: u32,
    column: u32,
    len: u32,
}

impl Location {
    /// A location at 1-based `line` and `column`, spanning `len` characters.
    pub fn new(line: u32, column: u32, len: u32) -> Location {
        Location { line, column, len }
    }

    /// 1-based line.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// 1-based column.
    pub fn column(&self) -> u32 {
        self.column
    }

    /// Characters the value spans; a quoted scalar includes its quotes.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// True when the value spans no characters (an empty value).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let missing = || serde::de::Error::custom("a value without its location");
                let packed: u128 = map.next_key()?.ok_or_else(missing)?;
                let value = map.next_value()?;
                let (line, column, len) = crate::yaml::unpack_location(packed);
                Ok(Spanned {
                    value,
                    referenced: Location { line, column, len },
                })
            }
        }
        // The loader's deserializer answers this name with a one-entry map:
        // the node's location, then the node.
        deserializer.deserialize_newtype_struct(
            crate::yaml::SPANNED,
            SpannedVisitor(std::marker::PhantomData),
        )
    }
}

/// Text shown to a person: plain English, or English with a Welsh version.
///
/// ```yaml
/// text: Is the pain crushing?
/// text: { en: Is the pain crushing?, cy: Ydy'r poen yn gwasgu? }
/// ```
///
/// Any scalar is text as written: `label: No` is the text "No".
#[derive(Debug, Clone, PartialEq)]
pub enum TextDoc {
    /// English only.
    Plain(String),
    /// Per language; English is required.
    Languages(LanguagesDoc),
}

impl<'de> Deserialize<'de> for TextDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = TextDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text, or a mapping with `en` (and optionally `cy`)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TextDoc, E> {
                Ok(TextDoc::Plain(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<TextDoc, E> {
                Ok(TextDoc::Plain(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TextDoc, A::Error> {
                LanguagesDoc::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(TextDoc::Languages)
            }
        }
        // Any scalar is text as written (`No`, `12`); a mapping gives languages.
        deserializer.deserialize_str(TextVisitor)
    }
}

/// Per-language text. English (`en`) is required; Welsh (`cy`) is optional.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguagesDoc {
    /// English.
    pub en: String,
    /// Welsh.
    #[serde(default)]
    pub cy: Option<String>,
}

impl TextDoc {
    /// The English text.
    pub fn english(&self) -> &str {
        match self {
            TextDoc::Plain(s) => s,
            TextDoc::Languages(l) => &l.en,
        }
    }

    /// The Welsh text, if given.
    pub fn welsh(&self) -> Option<&str> {
        match self {
            TextDoc::Plain(_) => None,
            TextDoc::Languages(l) => l.cy.as_deref(),
        }
    }
}

// ---------------------------------------------------------------------------
// dispositions.yaml
// ---------------------------------------------------------------------------

/// `dispositions.yaml`: the catalogue of outcomes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispositionsFileDoc {
    /// Every disposition a pathway may end at.
    pub dispositions: Vec<DispositionDoc>,
}

/// One outcome in the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispositionDoc {
    /// Stable id used by outcome nodes, e.g. `call-999-cat2`.
    pub id: Spanned<String>,
    /// Dx-style code, e.g. `Dx012`.
    pub code: Spanned<String>,
    /// Title shown to the person, e.g. "Call 999 now".
    pub title: Spanned<TextDoc>,
    /// Longer explanation shown under the title.
    #[serde(default)]
    pub description: Option<Spanned<TextDoc>>,
    /// Which service deals with the person.
    pub service: Spanned<ServiceDoc>,
    /// How soon, in minutes; absent for self-care and routine outcomes.
    #[serde(default)]
    pub within_minutes: Option<Spanned<u32>>,
    /// Explicit urgency: 1 is the most urgent. Codes do not sort by urgency.
    pub rank: Spanned<u32>,
    /// Care advice always given with this disposition.
    #[serde(default)]
    pub advice: Vec<Spanned<String>>,
}

/// The service a disposition sends a person to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceDoc {
    /// An ambulance (999).
    Ambulance,
    /// An emergency department (A&E).
    EmergencyDepartment,
    /// An urgent treatment centre.
    UrgentTreatmentCentre,
    /// A call back from a clinician (nurse, paramedic or doctor).
    ClinicianCallBack,
    /// A GP or other primary care clinician, urgently.
    Gp,
    /// The person's own GP practice, routinely.
    OwnGp,
    /// An urgent dental service.
    Dental,
    /// An emergency eye service.
    EyeCasualty,
    /// A sexual health clinic.
    SexualHealth,
    /// A mental health crisis service.
    MentalHealthCrisis,
    /// A midwife or maternity unit.
    Maternity,
    /// A pharmacist.
    Pharmacy,
    /// Self-care at home.
    SelfCare,
}

// ---------------------------------------------------------------------------
// care-advice.yaml
// ---------------------------------------------------------------------------

/// `care-advice.yaml`: the catalogue of care-advice texts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CareAdviceFileDoc {
    /// Every care-advice entry that answers and outcomes may name.
    pub care_advice: Vec<CareAdviceDoc>,
}

/// One piece of care advice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CareAdviceDoc {
    /// Key named by answers, outcomes and dispositions.
    pub id: Spanned<String>,
    /// Short heading.
    pub title: Spanned<TextDoc>,
    /// The advice itself.
    pub text: Spanned<TextDoc>,
}

// ---------------------------------------------------------------------------
// pathways/*.yaml and modules/*.yaml
// ---------------------------------------------------------------------------

/// `pathways/NAME.yaml`: one symptom pathway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathwayFileDoc {
    /// What the pathway is and who it is for.
    pub pathway: PathwayHeaderDoc,
    /// The nodes, keyed by id, in the order written.
    pub nodes: NodeMapDoc,
}

/// `modules/NAME.yaml`: a shared module that pathways `call`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleFileDoc {
    /// What the module is.
    pub module: ModuleHeaderDoc,
    /// The nodes, keyed by id, in the order written.
    pub nodes: NodeMapDoc,
}

/// The header of a pathway file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathwayHeaderDoc {
    /// Stable id, e.g. `chest-pain`.
    pub id: Spanned<String>,
    /// Title shown in symptom search, e.g. "Chest pain".
    pub title: Spanned<TextDoc>,
    /// Version of the clinical content, e.g. `1.0.0`.
    pub version: Spanned<String>,
    /// One-line description for authors and the index.
    #[serde(default)]
    pub summary: Option<Spanned<TextDoc>>,
    /// Ages the pathway is for, in years (`from` inclusive, `to` exclusive).
    pub ages: Spanned<AgesDoc>,
    /// Sexes the pathway is for.
    pub sexes: Spanned<Vec<Spanned<SexDoc>>>,
    /// Words a person might type to find this pathway.
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// The public guidance this pathway follows.
    #[serde(default)]
    pub sources: Vec<SourceDoc>,
    /// The first node.
    pub start: Spanned<String>,
    /// Variables this pathway sets or reads (name -> type). Variables are shared
    /// by the whole bundle; a declaration in any file covers them all.
    #[serde(default)]
    pub variables: EntriesDoc<Spanned<VariableTypeDoc>>,
    /// Scores this pathway adds to (each starts at 0).
    #[serde(default)]
    pub scores: Vec<Spanned<String>>,
}

/// The header of a module file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleHeaderDoc {
    /// Stable id, e.g. `emergency-screen`.
    pub id: Spanned<String>,
    /// Title for authors.
    pub title: Spanned<TextDoc>,
    /// Version of the clinical content.
    pub version: Spanned<String>,
    /// One-line description for authors and the index.
    #[serde(default)]
    pub summary: Option<Spanned<TextDoc>>,
    /// The public guidance this module follows.
    #[serde(default)]
    pub sources: Vec<SourceDoc>,
    /// The first node.
    pub start: Spanned<String>,
    /// Variables this module sets or reads (name -> type).
    #[serde(default)]
    pub variables: EntriesDoc<Spanned<VariableTypeDoc>>,
    /// Scores this module adds to (each starts at 0).
    #[serde(default)]
    pub scores: Vec<Spanned<String>>,
}

/// An age range in years: `from` inclusive, `to` exclusive; either may be left out.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgesDoc {
    /// Lowest age, inclusive (default 0).
    #[serde(default)]
    pub from: Option<f64>,
    /// Age at which the pathway stops applying, exclusive (default: no limit).
    #[serde(default)]
    pub to: Option<f64>,
}

/// A person's sex as the pathways use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SexDoc {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// A public source a pathway follows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    /// Title of the guidance, e.g. "NICE CG95: Chest pain of recent onset".
    pub title: Spanned<String>,
    /// Where it can be read.
    pub url: Spanned<String>,
}

/// The type of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableTypeDoc {
    /// `true` or `false`; starts `false`.
    Bool,
    /// A number; starts at 0.
    Number,
}

/// A YAML mapping read as an ordered list of entries, keys spanned and
/// duplicates kept, so the validator can report a repeated key where it stands.
#[derive(Debug, Clone)]
pub struct EntriesDoc<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for EntriesDoc<V> {
    fn default() -> Self {
        EntriesDoc(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for EntriesDoc<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = EntriesDoc<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EntriesDoc<V>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(EntriesDoc(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

/// The nodes of a pathway or module, keyed by id, in the order written.
pub type NodeMapDoc = EntriesDoc<Spanned<NodeDoc>>;

/// One node. The single key says what kind it is.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum NodeDoc {
    /// Ask the person something.
    Question(Box<QuestionDoc>),
    /// Choose the next node from what is known so far.
    Branch(BranchDoc),
    /// End the journey at a disposition.
    Outcome(OutcomeDoc),
    /// Run a shared module, then carry on at `next` when it returns.
    Call(CallDoc),
    /// Carry on in another pathway.
    Goto(GotoDoc),
}

/// The kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKindDoc {
    /// Yes or no (`yes`, `no`).
    YesNo,
    /// Exactly one of `options`.
    Single,
    /// Any of `options`, or `none`.
    Multiple,
    /// A number in `range`, routed by `bands`.
    Number,
}

/// A question node.
///
/// Which answer fields apply depends on `kind`: `yes` and `no` for `yes_no`;
/// `options` for `single`; `options` and `none` for `multiple`; `unit`, `range`
/// and `bands` for `number`. `not_sure` may be given for any kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionDoc {
    /// The question, in plain words.
    pub text: Spanned<TextDoc>,
    /// Extra help shown under the question.
    #[serde(default)]
    pub help: Option<Spanned<TextDoc>>,
    /// The kind of answer.
    pub kind: Spanned<QuestionKindDoc>,
    /// `yes_no`: what "Yes" does.
    #[serde(default)]
    pub yes: Option<Spanned<AnswerDoc>>,
    /// `yes_no`: what "No" does.
    #[serde(default)]
    pub no: Option<Spanned<AnswerDoc>>,
    /// `single` and `multiple`: the options, most urgent first.
    #[serde(default)]
    pub options: Option<Spanned<Vec<Spanned<AnswerDoc>>>>,
    /// `multiple`: what "None of these" does.
    #[serde(default)]
    pub none: Option<Spanned<AnswerDoc>>,
    /// `number`: the unit, e.g. "breaths a minute".
    #[serde(default)]
    pub unit: Option<Spanned<TextDoc>>,
    /// `number`: the values a person may enter.
    #[serde(default)]
    pub range: Option<Spanned<RangeDoc>>,
    /// `number`: where each part of the range goes, lowest first.
    #[serde(default)]
    pub bands: Option<Spanned<Vec<Spanned<AnswerDoc>>>>,
    /// "I'm not sure": must not lead to self-care.
    #[serde(default)]
    pub not_sure: Option<Spanned<AnswerDoc>>,
}

/// The allowed range of a number answer, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeDoc {
    /// Lowest value accepted.
    pub min: f64,
    /// Highest value accepted.
    pub max: f64,
}

/// What one answer (a yes/no, an option, a number band, "none" or "not sure") does.
///
/// `id` and `label` are for options only; `from` and `below` for number bands only.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerDoc {
    /// Option id, used in answers and case packs.
    #[serde(default)]
    pub id: Option<Spanned<String>>,
    /// Option label shown to the person.
    #[serde(default)]
    pub label: Option<Spanned<TextDoc>>,
    /// Number band: lowest value, inclusive (absent: the bottom of the range).
    #[serde(default)]
    pub from: Option<Spanned<f64>>,
    /// Number band: value at which the next band starts, exclusive (absent: the top of the range).
    #[serde(default)]
    pub below: Option<Spanned<f64>>,
    /// The node to go to next (`return` in a module goes back to the caller).
    pub next: Spanned<String>,
    /// The symptom discriminator shown to the person as the reason for the outcome.
    #[serde(default)]
    pub reason: Option<Spanned<TextDoc>>,
    /// A stable code for the reason, e.g. `SD-chest-crushing`.
    #[serde(default)]
    pub reason_code: Option<Spanned<String>>,
    /// Text for the clinical report ("Crushing chest pain: yes").
    #[serde(default)]
    pub report: Option<Spanned<TextDoc>>,
    /// Care-advice keys this answer adds.
    #[serde(default)]
    pub advice: Vec<Spanned<String>>,
    /// Variables this answer sets.
    #[serde(default)]
    pub set: EntriesDoc<Spanned<ValueDoc>>,
    /// Scores this answer adds to.
    #[serde(default)]
    pub add: EntriesDoc<Spanned<f64>>,
}

/// A literal value written by an author (`set: { pregnant: true }`).
#[derive(Debug, Clone, PartialEq)]
pub enum ValueDoc {
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(f64),
}

/// A branch node: either ordered `cases` with an `otherwise`, or numeric `bands` `on` a value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchDoc {
    /// Ordered cases; the first whose `when` holds is taken.
    #[serde(default)]
    pub cases: Option<Spanned<Vec<CaseDoc>>>,
    /// Where to go when no case holds. Required with `cases`.
    #[serde(default)]
    pub otherwise: Option<Spanned<String>>,
    /// A number expression, e.g. `age`, `age_months` or `score.sepsis`, split by
    /// `bands`. Answers are routed by their question's own bands instead.
    #[serde(default)]
    pub on: Option<Spanned<String>>,
    /// Bands over `on`, lowest first, covering every value with no gap or overlap.
    #[serde(default)]
    pub bands: Option<Spanned<Vec<Spanned<BandDoc>>>>,
}

/// One case of a branch.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDoc {
    /// The condition, e.g. `age < 5 and answer.temperature >= 38`.
    pub when: Spanned<String>,
    /// Where to go when it holds.
    pub next: Spanned<String>,
}

/// One band of a numeric branch: `from` inclusive, `below` exclusive.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandDoc {
    /// Lowest value, inclusive (absent: no lower limit).
    #[serde(default)]
    pub from: Option<Spanned<f64>>,
    /// Upper limit, exclusive (absent: no upper limit).
    #[serde(default)]
    pub below: Option<Spanned<f64>>,
    /// Where to go.
    pub next: Spanned<String>,
}

/// An outcome node.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeDoc {
    /// Disposition id from the catalogue.
    pub disposition: Spanned<String>,
    /// Care-advice keys given with this outcome.
    #[serde(default)]
    pub advice: Vec<Spanned<String>>,
}

/// A call into a shared module.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallDoc {
    /// Module id.
    pub module: Spanned<String>,
    /// Where to carry on when the module returns.
    pub next: Spanned<String>,
}

/// A jump to another pathway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GotoDoc {
    /// Pathway id.
    pub pathway: Spanned<String>,
    /// Node of that pathway to start at (default: its start).
    #[serde(default)]
    pub at: Option<Spanned<String>>,
}

// ---------------------------------------------------------------------------
// *.cases.yaml
// ---------------------------------------------------------------------------

/// `NAME.cases.yaml`: test cases for one pathway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePackDoc {
    /// The pathway the cases start.
    pub pathway: Spanned<String>,
    /// The cases.
    pub cases: Vec<Spanned<CaseTestDoc>>,
}

/// One case: a person, their answers, and what must happen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseTestDoc {
    /// What the case shows, e.g. "crushing pain with sweating goes to 999".
    pub name: Spanned<String>,
    /// The person.
    pub patient: Spanned<PatientDoc>,
    /// The answers, in order: `- question-id: answer`.
    pub answers: Vec<Spanned<EntriesDoc<Spanned<AnswerValueDoc>>>>,
    /// What must happen.
    pub expect: Spanned<ExpectDoc>,
}

/// A person in a case.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientDoc {
    /// Whole years.
    pub age: u32,
    /// Extra months, for babies and toddlers (0 to 11).
    #[serde(default)]
    pub months: u32,
    /// Sex.
    pub sex: SexDoc,
}

/// An answer as written in a case: `yes`, an option id, a list of option ids, or a number.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerValueDoc {
    /// `true` / `false` (read as `yes` / `no`).
    Bool(bool),
    /// A number answer.
    Number(f64),
    /// An option id, `yes`, `no`, `none` or `not_sure`.
    Text(String),
    /// Option ids of a multiple-choice answer.
    List(Vec<String>),
}

/// What a case expects.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectDoc {
    /// The disposition id the journey must end at.
    pub disposition: Spanned<String>,
    /// The reason codes (or texts) that must be given, in order.
    #[serde(default)]
    pub reasons: Option<Vec<Spanned<String>>>,
    /// Care-advice keys that must be among those given.
    #[serde(default)]
    pub advice: Vec<Spanned<String>>,
}

// `ValueDoc` and `AnswerValueDoc` are read by hand rather than as untagged
// enums: an untagged enum buffers the value first, which costs code size in
// the browser module and gives vaguer errors.

impl<'de> Deserialize<'de> for ValueDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = ValueDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false or a number")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ValueDoc, E> {
                Ok(ValueDoc::Bool(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ValueDoc, E> {
                Ok(ValueDoc::Number(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ValueDoc, E> {
                Ok(ValueDoc::Number(v as f64))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ValueDoc, E> {
                Ok(ValueDoc::Number(v))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

impl<'de> Deserialize<'de> for AnswerValueDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnswerVisitor;
        impl<'de> Visitor<'de> for AnswerVisitor {
            type Value = AnswerValueDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an answer: a word, a number or a list of option ids")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<AnswerValueDoc, E> {
                Ok(AnswerValueDoc::Bool(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<AnswerValueDoc, E> {
                Ok(AnswerValueDoc::Number(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<AnswerValueDoc, E> {
                Ok(AnswerValueDoc::Number(v as f64))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<AnswerValueDoc, E> {
                Ok(AnswerValueDoc::Number(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AnswerValueDoc, E> {
                Ok(AnswerValueDoc::Text(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnswerValueDoc, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(AnswerValueDoc::List(items))
            }
        }
        deserializer.deserialize_any(AnswerVisitor)
    }
}
