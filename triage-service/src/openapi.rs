//! The OpenAPI 3.1 document at `/openapi.json`, generated from the handlers
//! (their `#[utoipa::path]`) and their types.
//!
//! The service's own types derive `utoipa::ToSchema`. The engine's documents
//! (a step, a start, an answer, a request, a search hit) already have JSON
//! Schemas derived from their types with schemars, the same ones published in
//! docs/schema/; they are placed under `components/schemas` by name, and the
//! handlers refer to them through the marker types below.

use crate::api;
use crate::http::{ErrorBody, ErrorDetail};
use crate::store::Appended;
use serde_json::{json, Value};
use std::borrow::Cow;
use utoipa::openapi::{RefOr, Schema};
use utoipa::OpenApi;

/// A marker for a schema the engine defines: utoipa refers to it by name,
/// and [`document`] puts the engine's own schema under that name.
macro_rules! engine_schema {
    ($($(#[$doc:meta])* $marker:ident => $name:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub(crate) struct $marker;

        impl utoipa::PartialSchema for $marker {
            fn schema() -> RefOr<Schema> {
                // Replaced by the engine's schema in `document`.
                utoipa::openapi::ObjectBuilder::new().build().into()
            }
        }

        impl utoipa::ToSchema for $marker {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    )*};
}

engine_schema! {
    /// `triage.step/1`: the next question, or the outcome.
    StepSchema => "Step";
    /// Where and for whom a journey starts.
    StartSchema => "Start";
    /// One answer.
    AnswerSchema => "Answer";
    /// A whole journey so far, as `triage next` reads it.
    RequestSchema => "Request";
    /// A pathway found by the search.
    SearchHitSchema => "SearchHit";
    /// A FHIR R4 message Bundle.
    FhirBundleSchema => "FhirBundle";
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Triage reference service",
        description = "Symptom triage journeys over HTTP, with a hash-chained audit trail and a FHIR R4 hand-off. The shipped pathways are examples authored from public guidance and are not clinically validated for use with patients.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    paths(
        api::search,
        api::start,
        api::answer,
        api::back,
        api::get_session,
        api::handoff,
        api::next,
        api::bundle,
        api::healthz,
        api::readyz,
        api::metrics_text,
    ),
    components(schemas(ErrorBody, ErrorDetail, Appended)),
    tags(
        (name = "search", description = "Finding the pathway for a person's symptoms"),
        (name = "journeys", description = "Journeys held by the service"),
        (name = "stateless", description = "Journeys held by the caller"),
        (name = "operations", description = "For operators"),
    )
)]
struct ApiDoc;

/// The engine's schemas, by name, with references into `components/schemas`.
fn engine_schemas() -> serde_json::Map<String, Value> {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = settings.into_generator();
    let _ = generator.subschema_for::<triage_core::eval::Step>();
    let _ = generator.subschema_for::<triage_core::vocab::Start>();
    let _ = generator.subschema_for::<triage_core::vocab::Answer>();
    let _ = generator.subschema_for::<triage_core::eval::Request>();
    let _ = generator.subschema_for::<triage_core::compile::SearchHit<'static>>();
    let mut schemas = generator.take_definitions(true);
    schemas.values_mut().for_each(strip_code_examples);
    schemas.insert(
        "FhirBundle".into(),
        json!({
            "description": "A FHIR R4 Bundle of type message (https://hl7.org/fhir/R4/bundle.html): MessageHeader, ServiceRequest, Patient, Encounter, QuestionnaireResponse and Observation entries, shaped after the NHS Booking and Referral Standard.",
            "type": "object",
            "required": ["resourceType", "type", "entry"],
            "properties": {
                "resourceType": { "const": "Bundle" },
                "type": { "const": "message" },
                "entry": { "type": "array", "items": { "type": "object" } }
            }
        }),
    );
    schemas
}

/// Removes the Rust examples (fenced code) that the engine's doc comments
/// carry into their schemas' descriptions: the API's readers write JSON.
fn strip_code_examples(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get_mut("description") {
                let mut kept = String::new();
                let mut in_code = false;
                for line in text.lines() {
                    if line.trim_start().starts_with("```") {
                        in_code = !in_code;
                    } else if !in_code {
                        kept.push_str(line);
                        kept.push('\n');
                    }
                }
                *text = kept.trim().to_string();
            }
            map.values_mut().for_each(strip_code_examples);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_code_examples),
        _ => {}
    }
}

/// The whole document, as JSON.
pub fn document() -> Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    if let Some(components) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        components.extend(engine_schemas());
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_resolves_and_every_route_is_described() {
        let document = document();
        assert_eq!(document["openapi"], "3.1.0");
        let mut found = Vec::new();
        refs(&document, &mut found);
        assert!(found.len() > 20, "{found:?}");
        for target in found {
            let pointer = target.strip_prefix('#').unwrap_or(target);
            assert!(
                document.pointer(pointer).is_some(),
                "{target} does not resolve"
            );
        }
        for (path, method) in [
            ("/v1/pathways", "get"),
            ("/v1/sessions", "post"),
            ("/v1/sessions/{id}/answers", "post"),
            ("/v1/sessions/{id}/back", "post"),
            ("/v1/sessions/{id}", "get"),
            ("/v1/sessions/{id}/handoff", "get"),
            ("/v1/next", "post"),
            ("/v1/bundle", "get"),
            ("/healthz", "get"),
            ("/readyz", "get"),
            ("/metrics", "get"),
        ] {
            assert!(
                document["paths"][path][method].is_object(),
                "{method} {path} is not described"
            );
        }
        // The engine's own schemas, not the placeholders.
        let step = &document["components"]["schemas"]["Step"];
        assert!(step.to_string().contains("question"), "{step}");
        let start = &document["components"]["schemas"]["Start"];
        assert_eq!(start["additionalProperties"], false, "{start}");
        // Descriptions are prose for API readers, without the engine's Rust examples.
        let text = document.to_string();
        assert!(
            !text.contains("```") && !text.contains("use triage_core"),
            "Rust examples left in"
        );
        assert!(document["components"]["schemas"]["Patient"]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
    }
}
