//! The spanned source model: what a bundle's YAML files say, exactly as written.
//!
//! Every type here ends in `Doc` and mirrors one YAML shape. Nothing is resolved
//! or checked yet (that is [`crate::validate`]); references are kept as
//! [`Spanned`] strings so that a diagnostic can point at the line and column of
//! a bad id. Unknown keys are refused by the loader (`deny_unknown_fields`).

use crate::vocab::{Audience, Language, Reader};
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

/// Text shown to a person: plain English, per language, per audience, or both.
///
/// ```yaml
/// text: Is the pain crushing?
/// text: { en: Is the pain crushing?, cy: Ydy'r poen yn gwasgu? }
/// text: { self: Do you have a rash?, other: Do they have a rash?,
///         child: Does your child have a rash?, baby: Does your baby have a rash? }
/// text:
///   en: { self: Are you drinking less?, child: Is your child drinking less? }
///   cy: { self: Ydych chi'n yfed llai?, child: Ydy'ch plentyn yn yfed llai? }
/// ```
///
/// Any scalar is text as written: `label: No` is the text "No".
#[derive(Debug, Clone, PartialEq)]
pub enum TextDoc {
    /// English only, the same for everyone.
    Plain(String),
    /// Per language (English required), each the same for everyone or per audience.
    Variants(Box<TextVariantsDoc>),
}

/// A text's languages. English is required; Welsh is optional.
#[derive(Debug, Clone, PartialEq)]
pub struct TextVariantsDoc {
    /// English.
    pub en: AudienceTextDoc,
    /// Welsh.
    pub cy: Option<AudienceTextDoc>,
}

/// One language's text: the same for every audience, or one per audience.
#[derive(Debug, Clone, PartialEq)]
pub enum AudienceTextDoc {
    /// The same words for everyone.
    All(String),
    /// Words per audience, indexed by [`Audience`] (`self`, `other`, `child`,
    /// `toddler`, `baby`); an audience no journey brings to the text may be
    /// left out, and `toddler` may be, where the `child` words suit toddlers.
    Each([Option<String>; 5]),
}

impl AudienceTextDoc {
    /// The words for `audience`: its own variant, or the nearest one given.
    fn for_audience(&self, audience: Audience) -> Option<&str> {
        match self {
            AudienceTextDoc::All(text) => Some(text),
            AudienceTextDoc::Each(each) => {
                let get = |a: Audience| each.get(a as usize).and_then(|t| t.as_deref());
                // A validated bundle has every variant a reachable person needs;
                // the order only matters for texts read outside a journey.
                use Audience::{Baby, Child, Myself, Other, Toddler};
                let nearest = match audience {
                    Myself => [Myself, Other, Child, Toddler, Baby],
                    Other => [Other, Myself, Child, Toddler, Baby],
                    Child => [Child, Toddler, Baby, Other, Myself],
                    Toddler => [Toddler, Child, Baby, Other, Myself],
                    Baby => [Baby, Toddler, Child, Other, Myself],
                };
                nearest.into_iter().find_map(get)
            }
        }
    }

    /// The audiences given their own words, as [`Audience`] bits; `None` for one text for all.
    pub fn audiences(&self) -> Option<u8> {
        match self {
            AudienceTextDoc::All(_) => None,
            AudienceTextDoc::Each(each) => Some(
                Audience::ALL
                    .iter()
                    .filter(|a| each.get(**a as usize).is_some_and(Option::is_some))
                    .fold(0, |set, a| set | a.bit()),
            ),
        }
    }

    /// Every text written, in audience order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let (all, each) = match self {
            AudienceTextDoc::All(text) => (Some(text.as_str()), None),
            AudienceTextDoc::Each(each) => (None, Some(each)),
        };
        all.into_iter()
            .chain(each.into_iter().flatten().flatten().map(String::as_str))
    }
}

impl TextDoc {
    /// The English text for a person answering for themself (or the nearest
    /// audience given): for titles, the index and search.
    pub fn english(&self) -> &str {
        self.pick(Reader::default()).0
    }

    /// The Welsh text for a person answering for themself, if given.
    pub fn welsh(&self) -> Option<&str> {
        match self {
            TextDoc::Plain(_) => None,
            TextDoc::Variants(v) => v.cy.as_ref()?.for_audience(Audience::Myself),
        }
    }

    /// The text for `reader`, and the language it is in: the language asked
    /// for where the text has it, English otherwise.
    #[inline]
    pub fn pick(&self, reader: Reader) -> (&str, Language) {
        match self {
            TextDoc::Plain(text) => (text, Language::En),
            TextDoc::Variants(v) => {
                if reader.language == Language::Cy {
                    if let Some(text) =
                        v.cy.as_ref()
                            .and_then(|cy| cy.for_audience(reader.audience))
                    {
                        return (text, Language::Cy);
                    }
                }
                (
                    v.en.for_audience(reader.audience).unwrap_or_default(),
                    Language::En,
                )
            }
        }
    }

    /// Each language given and its words.
    pub fn languages(&self) -> impl Iterator<Item = (Language, LanguageText<'_>)> {
        let (plain, variants) = match self {
            TextDoc::Plain(text) => (Some(text), None),
            TextDoc::Variants(v) => (None, Some(v)),
        };
        plain
            .map(|t| (Language::En, LanguageText::All(t)))
            .into_iter()
            .chain(variants.into_iter().flat_map(|v| {
                std::iter::once((Language::En, LanguageText::Of(&v.en)))
                    .chain(v.cy.as_ref().map(|cy| (Language::Cy, LanguageText::Of(cy))))
            }))
    }
}

/// One language's words of a [`TextDoc`], as [`TextDoc::languages`] gives them.
#[derive(Debug, Clone, Copy)]
pub enum LanguageText<'a> {
    /// Plain text, for everyone.
    All(&'a str),
    /// Text that may vary by audience.
    Of(&'a AudienceTextDoc),
}

impl<'a> LanguageText<'a> {
    /// The audiences given their own words; `None` for one text for all.
    pub fn audiences(self) -> Option<u8> {
        match self {
            LanguageText::All(_) => None,
            LanguageText::Of(text) => text.audiences(),
        }
    }

    /// Every text written.
    pub fn texts(self) -> Vec<&'a str> {
        match self {
            LanguageText::All(text) => vec![text],
            LanguageText::Of(text) => text.texts().collect(),
        }
    }
}

/// The keys a text mapping may hold.
const TEXT_KEYS: &str =
    "`en` and `cy`, or the audiences `self`, `other`, `child`, `toddler` and `baby`";

fn audience_key(key: &str) -> Option<Audience> {
    Audience::ALL.into_iter().find(|a| a.word() == key)
}

impl<'de> Deserialize<'de> for TextDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = TextDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "text, or a mapping with {TEXT_KEYS}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TextDoc, E> {
                Ok(TextDoc::Plain(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<TextDoc, E> {
                Ok(TextDoc::Plain(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TextDoc, A::Error> {
                use serde::de::Error;
                let mut en = None;
                let mut cy = None;
                let mut each: [Option<String>; 5] = Default::default();
                let mut audiences = false;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "en" => en = Some(map.next_value::<AudienceTextDoc>()?),
                        "cy" => cy = Some(map.next_value::<AudienceTextDoc>()?),
                        other => match audience_key(other) {
                            Some(audience) => {
                                audiences = true;
                                if let Some(slot) = each.get_mut(audience as usize) {
                                    *slot = Some(map.next_value::<String>()?);
                                }
                            }
                            None => {
                                return Err(A::Error::custom(format!(
                                "unknown key `{other}` in a text; a text mapping holds {TEXT_KEYS}"
                            )))
                            }
                        },
                    }
                }
                if audiences && (en.is_some() || cy.is_some()) {
                    return Err(A::Error::custom(
                        "a text mixes languages and audiences; put the audiences inside each language: `text: { en: { self: ..., child: ... }, cy: { ... } }`",
                    ));
                }
                let en = match (en, audiences) {
                    (Some(en), _) => en,
                    (None, true) => AudienceTextDoc::Each(each),
                    (None, false) => {
                        return Err(A::Error::custom(
                            "a text mapping needs `en` (English), or the audiences `self`, `other`, `child` and `baby`",
                        ))
                    }
                };
                Ok(TextDoc::Variants(Box::new(TextVariantsDoc { en, cy })))
            }
        }
        // Any scalar is text as written (`No`, `12`); a mapping gives languages or audiences.
        deserializer.deserialize_str(TextVisitor)
    }
}

impl<'de> Deserialize<'de> for AudienceTextDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AudienceVisitor;
        impl<'de> Visitor<'de> for AudienceVisitor {
            type Value = AudienceTextDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "text, or a mapping with the audiences `self`, `other`, `child` and `baby`",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AudienceTextDoc, E> {
                Ok(AudienceTextDoc::All(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<AudienceTextDoc, E> {
                Ok(AudienceTextDoc::All(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AudienceTextDoc, A::Error> {
                use serde::de::Error;
                let mut each: [Option<String>; 5] = Default::default();
                while let Some(key) = map.next_key::<String>()? {
                    let Some(audience) = audience_key(&key) else {
                        return Err(A::Error::custom(format!(
                            "unknown audience `{key}`; a language's text is plain, or per audience: `self`, `other`, `child`, `toddler`, `baby`"
                        )));
                    };
                    if let Some(slot) = each.get_mut(audience as usize) {
                        *slot = Some(map.next_value::<String>()?);
                    }
                }
                if each.iter().all(Option::is_none) {
                    return Err(A::Error::custom(
                        "an empty mapping; give the text, or the audiences `self`, `other`, `child` and `baby`",
                    ));
                }
                Ok(AudienceTextDoc::Each(each))
            }
        }
        deserializer.deserialize_str(AudienceVisitor)
    }
}

// ---------------------------------------------------------------------------
// dispositions.yaml
// ---------------------------------------------------------------------------

/// `dispositions.yaml`: the catalogue of outcomes.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DispositionsFileDoc {
    /// Every disposition a pathway may end at.
    pub dispositions: Vec<DispositionDoc>,
}

/// One outcome in the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// How soon the person should act (go, call, contact), in minutes: 0 for
    /// now. Absent where there is no deadline: routine and self-care outcomes,
    /// and call-backs, where the person waits for the call.
    #[serde(default)]
    pub act_within_minutes: Option<Spanned<u32>>,
    /// The service's own target, in minutes: the ambulance response standard
    /// for a 999 category, the time within which a clinician calls back. For
    /// reports and the receiving service; never shown as the person's deadline.
    #[serde(default)]
    pub service_standard_minutes: Option<Spanned<u32>>,
    /// Urgency order: lower is more urgent; unique in the catalogue (the
    /// shipped one goes in tens from 10). Codes do not sort by urgency.
    pub rank: Spanned<u32>,
    /// Care advice always given with this disposition.
    #[serde(default)]
    pub advice: Vec<Spanned<String>>,
}

/// The service a disposition sends a person to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CareAdviceFileDoc {
    /// Every care-advice entry that answers and outcomes may name.
    pub care_advice: Vec<CareAdviceDoc>,
}

/// One piece of care advice.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
// synonyms.yaml
// ---------------------------------------------------------------------------

/// `synonyms.yaml`: words and phrases that mean the same to someone searching
/// for a symptom, owned by the bundle's authors.
///
/// ```yaml
/// synonyms:
///   - [tummy, stomach, belly, abdomen]
///   - [being sick, vomit, throw up]
/// ```
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SynonymsFileDoc {
    /// Groups of words or short phrases; a search for one finds the others.
    pub synonyms: Vec<Spanned<Vec<Spanned<String>>>>,
}

// ---------------------------------------------------------------------------
// pathways/*.yaml and modules/*.yaml
// ---------------------------------------------------------------------------

/// `pathways/NAME.yaml`: one symptom pathway.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PathwayFileDoc {
    /// What the pathway is and who it is for.
    pub pathway: PathwayHeaderDoc,
    /// The nodes, keyed by id, in the order written.
    pub nodes: NodeMapDoc,
}

/// `modules/NAME.yaml`: a shared module that pathways `call`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ModuleFileDoc {
    /// What the module is.
    pub module: ModuleHeaderDoc,
    /// The nodes, keyed by id, in the order written.
    pub nodes: NodeMapDoc,
}

/// The header of a pathway file.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// The NHS 111 online topics it serves, each optionally with its own
    /// start node. Absent is warned about (W314); an explicit empty list says
    /// the pathway is reached only by search or by a jump from another.
    #[serde(default)]
    pub topics: Option<Vec<Spanned<TopicClaimDoc>>>,
    /// Words a person might type to find this pathway.
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// Offered at the end of every search, so nobody is left without a
    /// pathway (the catch-all: "Other Symptoms", "Unwell Infant").
    #[serde(default)]
    pub fallback: bool,
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// A topic a pathway serves: its title, or its title and the node where a
/// journey for that topic starts.
///
/// ```yaml
/// topics:
///   - Headache
///   - { title: "Arm Injury, Blunt", start: arm }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum TopicClaimDoc {
    /// Just the title; a journey starts at the pathway's start.
    Title(String),
    /// The title and where a journey for this topic starts.
    Full {
        /// The topic's title, as on the 111 online list.
        title: Spanned<String>,
        /// Where a journey for this topic starts.
        start: Option<Spanned<String>>,
    },
}

impl<'de> Deserialize<'de> for TopicClaimDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            title: Spanned<String>,
            #[serde(default)]
            start: Option<Spanned<String>>,
        }
        struct ClaimVisitor;
        impl<'de> Visitor<'de> for ClaimVisitor {
            type Value = TopicClaimDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a topic title, or `{ title, start }`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TopicClaimDoc, E> {
                Ok(TopicClaimDoc::Title(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TopicClaimDoc, A::Error> {
                let full = Full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(TopicClaimDoc::Full {
                    title: full.title,
                    start: full.start,
                })
            }
        }
        deserializer.deserialize_str(ClaimVisitor)
    }
}

/// An age range in years: `from` inclusive, `to` exclusive; either may be left out.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AgesDoc {
    /// Lowest age, inclusive (default 0).
    #[serde(default)]
    pub from: Option<f64>,
    /// Age at which the pathway stops applying, exclusive (default: no limit).
    #[serde(default)]
    pub to: Option<f64>,
}

/// A person's sex as the pathways use it (see [`crate::vocab::Sex`]).
pub use crate::vocab::Sex as SexDoc;

/// A public source a pathway follows.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    /// Title of the guidance, e.g. "NICE CG95: Chest pain of recent onset".
    pub title: Spanned<String>,
    /// Where it can be read.
    pub url: Spanned<String>,
}

/// The type of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseDoc {
    /// The condition, e.g. `age < 5 and answer.temperature >= 38`.
    pub when: Spanned<String>,
    /// Where to go when it holds.
    pub next: Spanned<String>,
}

/// One band of a numeric branch: `from` inclusive, `below` exclusive.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutcomeDoc {
    /// Disposition id from the catalogue.
    pub disposition: Spanned<String>,
    /// Why, shown when the journey met no symptom discriminator on the way,
    /// e.g. "None of the warning signs for a sore throat".
    #[serde(default)]
    pub reason: Option<Spanned<TextDoc>>,
    /// A stable code for that reason; default `unit/node`.
    #[serde(default)]
    pub reason_code: Option<Spanned<String>>,
    /// Care-advice keys given with this outcome.
    #[serde(default)]
    pub advice: Vec<Spanned<String>>,
}

/// A call into a shared module.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CallDoc {
    /// Module id.
    pub module: Spanned<String>,
    /// Where to carry on when the module returns.
    pub next: Spanned<String>,
}

/// A jump to another pathway.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CasePackDoc {
    /// The pathway the cases start.
    pub pathway: Spanned<String>,
    /// The cases.
    pub cases: Vec<Spanned<CaseTestDoc>>,
}

/// One case: a person, their answers, and what must happen.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PatientDoc {
    /// Whole years.
    pub age: u32,
    /// Extra months, for babies and toddlers (0 to 11).
    #[serde(default)]
    pub months: u32,
    /// Sex.
    pub sex: SexDoc,
    /// Who answers: `self` (the default) or `someone_else`.
    #[serde(default)]
    pub answering: crate::vocab::Answering,
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
