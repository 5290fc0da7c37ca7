//! WebAssembly bindings of the triage engine (placeholder until the bindings land).
#![forbid(unsafe_code)]
