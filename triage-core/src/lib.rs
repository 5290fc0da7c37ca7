//! The triage engine: load clinically authored pathways, prove them safe, compile
//! them, and walk a person's answers to a disposition.
//!
//! Data flows one way: source text --[`load`]--> [`model`] --[`validate`]-->
//! [`ir`] (or [`diag::Diagnostic`]s) --[`compile`]--> [`compile::CompiledBundle`]
//! --[`eval`]--> [`eval::Step`].
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod compile;
pub mod diag;
pub mod eval;
pub mod expr;
pub mod ir;
pub mod load;
pub mod model;
pub mod validate;
