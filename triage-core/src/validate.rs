//! Validation: check a loaded bundle and resolve it into [`crate::ir`].
