//! JSON Schemas of the files an author writes (pathways, modules,
//! dispositions, care advice, synonyms, case packs), generated from the
//! [`crate::model`] types so they cannot drift from what the loader reads.
//!
//! Editors that speak the YAML language server read them through the
//! `# yaml-language-server: $schema=...` line at the top of each shipped file,
//! and complete keys and flag typos as the author types. The validator stays
//! the judge: a schema knows shapes, not ids, journeys or audiences.

use crate::model::{
    AnswerValueDoc, AudienceTextDoc, CareAdviceFileDoc, CasePackDoc, DispositionsFileDoc,
    EntriesDoc, ModuleFileDoc, PathwayFileDoc, Spanned, SynonymsFileDoc, TextDoc, TopicClaimDoc,
    ValueDoc,
};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;

/// A spanned value is written as the value itself.
impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        generator.subschema_for::<T>()
    }
}

/// An ordered mapping: any key, each value a `V`.
impl<V: JsonSchema> JsonSchema for EntriesDoc<V> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Entries_{}", V::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let value = generator.subschema_for::<V>();
        json_schema!({
            "type": "object",
            "additionalProperties": value,
        })
    }
}

/// The audiences a text may be written for.
const AUDIENCES: [&str; 5] = ["self", "other", "child", "toddler", "baby"];

fn per_audience() -> Schema {
    let properties: serde_json::Map<String, serde_json::Value> = AUDIENCES
        .iter()
        .map(|a| ((*a).to_string(), serde_json::json!({ "type": "string" })))
        .collect();
    json_schema!({
        "description": "Words per audience: `self` (the person), `other` (someone answering for an adult), `child`, `toddler` and `baby` (a parent).",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "minProperties": 1,
    })
}

/// Any scalar is text as written (`label: No` is the text "No").
fn scalar_text() -> Schema {
    json_schema!({ "type": ["string", "number", "boolean"] })
}

impl JsonSchema for AudienceTextDoc {
    fn schema_name() -> Cow<'static, str> {
        "AudienceText".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One language's text: the same for everyone, or per audience.",
            "anyOf": [scalar_text(), per_audience()],
        })
    }
}

impl JsonSchema for TextDoc {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let language = generator.subschema_for::<AudienceTextDoc>();
        json_schema!({
            "description": "Text shown to a person: plain English; per audience (`self`, `other`, `child`, `toddler`, `baby`); or per language (`en` required, `cy` optional), each plain or per audience.",
            "anyOf": [
                scalar_text(),
                per_audience(),
                {
                    "type": "object",
                    "properties": { "en": language, "cy": language },
                    "required": ["en"],
                    "additionalProperties": false,
                },
            ],
        })
    }
}

impl JsonSchema for TopicClaimDoc {
    fn schema_name() -> Cow<'static, str> {
        "TopicClaim".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A 111 online topic, by its title exactly as the list writes it (`triage coverage` lists them), or `{ title, start }` where a journey for the topic starts at its own node.",
            "anyOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "properties": {
                        "title": { "type": "string" },
                        "start": { "type": "string" },
                    },
                    "required": ["title"],
                    "additionalProperties": false,
                },
            ],
        })
    }
}

impl JsonSchema for ValueDoc {
    fn schema_name() -> Cow<'static, str> {
        "Value".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`true`, `false` or a number.",
            "type": ["boolean", "number"],
        })
    }
}

impl JsonSchema for AnswerValueDoc {
    fn schema_name() -> Cow<'static, str> {
        "AnswerValue".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An answer: `yes`, `no`, `none`, `not_sure`, an option id, a number, or a list of option ids.",
            "anyOf": [
                { "type": ["string", "number", "boolean"] },
                { "type": "array", "items": { "type": "string" } },
            ],
        })
    }
}

/// The schema file (in `docs/schema/`) for a bundle file, by its path
/// relative to the bundle, e.g. `pathways/cough.yaml` -> `pathway.schema.json`.
pub fn schema_file_for(relative_path: &str) -> Option<&'static str> {
    let path = relative_path.replace('\\', "/");
    let name = path.rsplit('/').next().unwrap_or(&path);
    let in_dir = |dir: &str| path.starts_with(&format!("{dir}/"));
    if name.ends_with(".cases.yaml") {
        Some("cases.schema.json")
    } else if in_dir("pathways") {
        Some("pathway.schema.json")
    } else if in_dir("modules") {
        Some("module.schema.json")
    } else if in_dir("care-advice") || name == "care-advice.yaml" {
        Some("care-advice.schema.json")
    } else if name == "dispositions.yaml" {
        Some("dispositions.schema.json")
    } else if name == "synonyms.yaml" {
        Some("synonyms.schema.json")
    } else {
        None
    }
}

/// The JSON Schema of every kind of bundle file, as `(file name, schema)`.
/// The files in `docs/schema/` are these, written out.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    fn schema_of<T: JsonSchema>(title: &str) -> serde_json::Value {
        // What the loader reads: fields with a default may be left out.
        let mut schema = schemars::generate::SchemaSettings::draft2020_12()
            .for_deserialize()
            .into_generator()
            .into_root_schema_for::<T>();
        schema.insert("title".into(), title.into());
        let mut value = schema.to_value();
        crate::format::drop_integer_formats(&mut value);
        value
    }
    vec![
        (
            "pathway.schema.json",
            schema_of::<PathwayFileDoc>("A pathway (pathways/NAME.yaml)"),
        ),
        (
            "module.schema.json",
            schema_of::<ModuleFileDoc>("A shared module (modules/NAME.yaml)"),
        ),
        (
            "dispositions.schema.json",
            schema_of::<DispositionsFileDoc>("The dispositions catalogue (dispositions.yaml)"),
        ),
        (
            "care-advice.schema.json",
            schema_of::<CareAdviceFileDoc>("Care advice (care-advice/*.yaml)"),
        ),
        (
            "synonyms.schema.json",
            schema_of::<SynonymsFileDoc>("Search synonyms (synonyms.yaml)"),
        ),
        (
            "cases.schema.json",
            schema_of::<CasePackDoc>("A case pack (pathways/NAME.cases.yaml)"),
        ),
    ]
}
