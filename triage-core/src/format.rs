//! Versions of the JSON documents the engine writes for others to read.
//!
//! Each document carries `"format": "<name>/<version>"` as its first key, so
//! a service that stores steps, sessions or audit records for years can tell
//! which shape it holds. The version changes when a field is removed or its
//! meaning changes; fields are added without a new version. The JSON Schema
//! of each format is in `docs/schema/` (with the `schema` feature:
//! `format::schemas()`).
//!
//! | document | format | written by |
//! |---|---|---|
//! | a step: the next question or the outcome | [`Step::FORMAT`] | `triage next`, the browser package, [`crate::session::Session::step`] |
//! | a saved session | [`Session::FORMAT`] | [`crate::session::Session::to_json`] |
//! | an audit record | [`Audit::FORMAT`] | [`crate::session::Session::audit`] |
//! | a validation report | [`Validation::FORMAT`] | `triage validate --format json`, the browser package |
//! | what changed between two versions | [`Diff::FORMAT`] | `triage diff --format json` |
//!
//! ```
//! use triage_core::format;
//! assert_eq!(format::Step::FORMAT, "triage.step/1");
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! formats {
    ($($(#[$doc:meta])* $name:ident = $id:literal;)*) => {$(
        $(#[$doc])*
        ///
        /// A zero-sized marker: it serializes as its format string and
        /// deserializes only from that string, so a document of another
        /// format or version is refused with a message that names both.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl $name {
            /// The format string, `<name>/<version>`.
            pub const FORMAT: &'static str = $id;
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($id)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let got = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                if got == $id {
                    Ok($name)
                } else {
                    Err(serde::de::Error::custom(format_args!(
                        "this is a `{got}` document; this engine reads `{}`",
                        $id
                    )))
                }
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "description": concat!("The document's format and version: always `", $id, "`."),
                    "const": $id,
                })
            }

            fn inline_schema() -> bool {
                true
            }
        }
    )*};
}

formats! {
    /// A step: the next question or the outcome, with everything shown.
    Step = "triage.step/1";
    /// A saved session: what resumes a journey with the same bundle.
    Session = "triage.session/1";
    /// An audit record: what happened in a journey, to replay and check.
    Audit = "triage.audit/1";
    /// A validation report: counts and every diagnostic.
    Validation = "triage.validation/1";
    /// What changed between two versions of a bundle (`triage diff`).
    Diff = "triage.diff/1";
}

/// Removes the `"format": "uint32"`-style annotations schemars writes for
/// Rust's number types: JSON Schema defines no such formats (validators
/// ignore them), and they read as the documents' own `format` field.
#[cfg(feature = "schema")]
pub(crate) fn drop_integer_formats(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            let rust_number = map.get("format").and_then(|f| f.as_str()).is_some_and(|f| {
                matches!(
                    f,
                    "uint"
                        | "uint8"
                        | "uint16"
                        | "uint32"
                        | "uint64"
                        | "int"
                        | "int8"
                        | "int16"
                        | "int32"
                        | "int64"
                        | "float"
                        | "double"
                )
            });
            if rust_number {
                map.remove("format");
            }
            map.values_mut().for_each(drop_integer_formats);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_integer_formats),
        _ => {}
    }
}

/// The JSON Schema of every format, as `(file name, schema)`, in the order
/// of the table above. The files in `docs/schema/` are these, written out.
#[cfg(feature = "schema")]
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    fn schema_of<T: schemars::JsonSchema>(title: &str) -> serde_json::Value {
        // What the engine writes: fields it always writes are required.
        let mut schema = schemars::generate::SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator()
            .into_root_schema_for::<T>();
        schema.insert("title".into(), title.into());
        let mut value = schema.to_value();
        drop_integer_formats(&mut value);
        value
    }
    vec![
        (
            "step.schema.json",
            schema_of::<crate::eval::Step>(
                "A step of a journey: the next question, or the outcome",
            ),
        ),
        (
            "session.schema.json",
            schema_of::<crate::session::SavedRef<'static>>("A saved session"),
        ),
        (
            "audit.schema.json",
            schema_of::<crate::session::AuditRecord>("An audit record of a journey"),
        ),
        (
            "validation.schema.json",
            schema_of::<crate::report::ValidationReport>("A validation report"),
        ),
        #[cfg(feature = "authoring")]
        (
            "diff.schema.json",
            schema_of::<crate::diff::BundleDiff>("What changed between two versions of a bundle"),
        ),
    ]
}
