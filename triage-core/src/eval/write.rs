//! Steps written as JSON straight from the bundle's texts: the same document
//! as the [`super::Step`] a view renders, without copying a text first.
//!
//! Every part is chosen by the code that renders views ([`OutcomeParts`],
//! [`TranscriptParts`], [`PublicId`]); this module only writes it, field for
//! field in the order of the views' own `Serialize`, so both give the same
//! bytes (a test holds them to it on every journey of the shipped case packs).

use super::view::{
    text_in, urgency, AnswerText, OutcomeParts, PublicId, StepView, TranscriptParts,
};
use crate::format;
use crate::ir::{AdviceIr, DispositionIr, NodeKindIr, QuestionIr, ReasonIr};
use crate::model::{QuestionKindDoc, ServiceDoc};
use crate::vocab::{Language, Reader};
use serde::ser::{Error as _, SerializeStruct};
use serde::{Serialize, Serializer};
use std::fmt::Display;

/// A step as JSON, with or without the outcome's transcript.
pub(crate) struct StepJson<'a> {
    pub(crate) view: StepView<'a>,
    pub(crate) transcript: bool,
}

impl Serialize for StepJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let view = &self.view;
        match view.bundle.ir_node(view.at).map(|n| &n.kind) {
            Some(NodeKindIr::Question(question)) => write_question(view, question, serializer),
            Some(NodeKindIr::Outcome(outcome)) => {
                let disposition = view
                    .bundle
                    .disposition_ir(outcome.disposition)
                    .ok_or_else(|| S::Error::custom("the compiled bundle is inconsistent"))?;
                let parts = OutcomeParts::new(view, outcome, disposition);
                let fields = if self.transcript { 6 } else { 5 };
                let mut out = serializer.serialize_struct("Step", fields)?;
                out.serialize_field("format", &format::Step)?;
                out.serialize_field("type", "outcome")?;
                out.serialize_field(
                    "disposition",
                    &DispositionOut::of(disposition, parts.reader),
                )?;
                out.serialize_field(
                    "care_advice",
                    &Each(
                        parts
                            .care_advice()
                            .into_iter()
                            .map(|a| AdviceOut::of(a, parts.reader)),
                    ),
                )?;
                out.serialize_field(
                    "reasons",
                    &Each(
                        parts
                            .reasons()
                            .map(|(node, reason)| ReasonOut::of(&parts, node, reason)),
                    ),
                )?;
                if self.transcript {
                    out.serialize_field("transcript", &TranscriptOut(&parts))?;
                }
                out.end()
            }
            _ => Err(S::Error::custom("the compiled bundle is inconsistent")),
        }
    }
}

fn write_question<S: Serializer>(
    view: &StepView<'_>,
    question: &QuestionIr,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let reader = view.reader;
    let (text, lang) = question.text.pick(reader);
    let shown = question
        .answers
        .iter()
        .filter(|a| question.kind != QuestionKindDoc::Number || a.not_sure)
        .map(|answer| {
            let (label, lang) = answer.label.pick(reader);
            OptionOut {
                id: &answer.id,
                label,
                lang,
            }
        });
    let mut out = serializer.serialize_struct("Step", 12)?;
    out.serialize_field("format", &format::Step)?;
    out.serialize_field("type", "question")?;
    out.serialize_field(
        "id",
        &AsStr(PublicId::of(view.bundle, view.pathway, view.at)),
    )?;
    out.serialize_field("text", text)?;
    out.serialize_field(
        "help",
        &question.help.as_ref().map(|h| text_in(h, reader, lang)),
    )?;
    out.serialize_field("lang", &lang)?;
    out.serialize_field("kind", &question.kind)?;
    out.serialize_field("options", &Each(shown))?;
    out.serialize_field(
        "unit",
        &question.unit.as_ref().map(|u| text_in(u, reader, lang)),
    )?;
    out.serialize_field("range", &question.range)?;
    out.serialize_field("pathway", view.bundle.pathway_id(view.pathway))?;
    out.serialize_field("step", &(view.history.len() + 1))?;
    out.end()
}

/// The transcript of an outcome, as JSON.
pub(crate) struct TranscriptOut<'p, 'a>(pub(crate) &'p OutcomeParts<'a>);

impl Serialize for TranscriptOut<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parts = self.0;
        serializer.collect_seq(parts.asked().map(|(given, question)| {
            let entry = TranscriptParts::new(given, question, parts.reader);
            EntryOut {
                question: AsStr(parts.public_id(given.node)),
                text: entry.text(),
                answer: AsStr(entry.answer()),
                ruled_out: Each(entry.ruled_out()),
                lang: entry.lang,
                report: entry.report().map(AsStr),
            }
        }))
    }
}

/// Writes a [`Display`] as a JSON string, without building the string.
pub(crate) struct AsStr<T>(pub(crate) T);

impl<T: Display> Serialize for AsStr<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// Writes an iterator as a JSON array.
struct Each<I>(I);

impl<I: Iterator + Clone> Serialize for Each<I>
where
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

#[derive(Serialize)]
struct OptionOut<'a> {
    id: &'a str,
    label: &'a str,
    lang: Language,
}

#[derive(Serialize)]
pub(crate) struct DispositionOut<'a> {
    pub(crate) id: &'a str,
    pub(crate) code: &'a str,
    pub(crate) title: &'a str,
    pub(crate) description: Option<&'a str>,
    pub(crate) lang: Language,
    pub(crate) service: ServiceDoc,
    pub(crate) act_within_minutes: Option<u32>,
    pub(crate) service_standard_minutes: Option<u32>,
    pub(crate) rank: u32,
    pub(crate) urgency: super::Urgency,
}

impl<'a> DispositionOut<'a> {
    pub(crate) fn of(disposition: &'a DispositionIr, reader: Reader) -> DispositionOut<'a> {
        let (title, lang) = disposition.title.pick(reader);
        DispositionOut {
            id: &disposition.id,
            code: &disposition.code,
            title,
            description: disposition
                .description
                .as_ref()
                .map(|d| text_in(d, reader, lang)),
            lang,
            service: disposition.service,
            act_within_minutes: disposition.act_within_minutes,
            service_standard_minutes: disposition.service_standard_minutes,
            rank: disposition.rank,
            urgency: urgency(disposition),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct AdviceOut<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) text: &'a str,
    pub(crate) lang: Language,
}

impl<'a> AdviceOut<'a> {
    pub(crate) fn of(advice: &'a AdviceIr, reader: Reader) -> AdviceOut<'a> {
        let (title, lang) = advice.title.pick(reader);
        AdviceOut {
            id: &advice.id,
            title,
            text: text_in(&advice.text, reader, lang),
            lang,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct ReasonOut<'a> {
    pub(crate) code: &'a str,
    pub(crate) text: &'a str,
    pub(crate) lang: Language,
    pub(crate) question: AsStr<PublicId<'a>>,
}

impl<'a> ReasonOut<'a> {
    pub(crate) fn of(
        parts: &OutcomeParts<'a>,
        node: crate::compile::NodeId,
        reason: &'a ReasonIr,
    ) -> ReasonOut<'a> {
        let (text, lang) = reason.text.pick(parts.reader);
        ReasonOut {
            code: &reason.code,
            text,
            lang,
            question: AsStr(parts.public_id(node)),
        }
    }
}

#[derive(Serialize)]
#[serde(bound(serialize = "R: Iterator<Item = &'a str> + Clone, J: Display"))]
struct EntryOut<'a, R, J> {
    question: AsStr<PublicId<'a>>,
    text: &'a str,
    answer: AsStr<AnswerText<'a>>,
    ruled_out: Each<R>,
    lang: Language,
    report: Option<AsStr<J>>,
}
