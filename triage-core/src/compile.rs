//! Compilation: lower a validated [`crate::ir::BundleIr`] to the flat, immutable
//! form that evaluation walks.

/// A compiled bundle (placeholder until the compiler lands).
#[derive(Debug, Clone)]
pub struct CompiledBundle {}
