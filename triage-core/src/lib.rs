//! The triage engine: load clinically authored pathways, prove them safe, compile
//! them, and walk a person's answers to a disposition.
//!
//! Data flows one way: source text --[`load`]--> [`model`] --[`validate`]-->
//! [`ir`] (or [`diag::Diagnostic`]s) --[`compile`]--> [`compile::CompiledBundle`]
//! --[`eval`]--> [`eval::Step`].
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod casepack;
pub mod compile;
pub mod diag;
pub mod eval;
pub mod expr;
pub mod ir;
pub mod load;
pub mod model;
pub mod session;
pub mod validate;
pub mod yaml;

use diag::Diagnostic;

/// Everything learnt from building a bundle: its sources, every diagnostic, and,
/// when there were no errors, the validated model and the compiled bundle.
#[derive(Debug, Clone)]
pub struct Built {
    /// The files read.
    pub sources: load::Sources,
    /// Every problem found, errors and warnings, sorted by file and line.
    pub diagnostics: Vec<Diagnostic>,
    /// What the files say, as far as they could be parsed.
    pub doc: load::BundleDoc,
    /// The validated model, when there were no errors.
    pub ir: Option<ir::BundleIr>,
    /// The compiled bundle, when there were no errors.
    pub bundle: Option<compile::CompiledBundle>,
}

impl Built {
    /// True when the bundle has errors (and so was not compiled).
    pub fn has_errors(&self) -> bool {
        diag::has_errors(&self.diagnostics)
    }
}

/// Loads, validates and compiles `sources`, collecting every diagnostic.
///
/// ```
/// let (sources, _) = triage_core::load::Sources::from_texts(vec![]);
/// let built = triage_core::build(sources);
/// assert!(built.has_errors()); // no catalogues
/// assert!(built.bundle.is_none());
/// ```
pub fn build(sources: load::Sources) -> Built {
    build_with(sources, Vec::new())
}

/// Reads the bundle directory at `path`, then [`build`]s it.
pub fn build_dir(path: &std::path::Path) -> Built {
    let (sources, diagnostics) = load::Sources::from_dir(path);
    build_with(sources, diagnostics)
}

fn build_with(sources: load::Sources, mut diagnostics: Vec<Diagnostic>) -> Built {
    let (doc, parse_diagnostics) = load::parse(&sources);
    diagnostics.extend(parse_diagnostics);
    let (ir, validate_diagnostics) = validate::validate(&doc);
    diagnostics.extend(validate_diagnostics);
    let ir = ir.filter(|_| !diag::has_errors(&diagnostics));
    let bundle = match &ir {
        None => None,
        Some(ir) => match compile::compile(ir, &sources) {
            Ok(bundle) => Some(bundle),
            Err(e) => {
                let (code, help) = match e {
                    compile::CompileError::GraphTooLarge { .. } => (
                        diag::codes::GRAPH_TOO_LARGE,
                        "call modules from fewer places, or split long pathways",
                    ),
                    _ => (
                        diag::codes::INTERNAL,
                        "this is a fault in the engine, not in the pathways; please report it with the bundle",
                    ),
                };
                diagnostics.push(
                    Diagnostic::error(code, diag::Loc::file(usize::MAX), e.to_string())
                        .with_help(help),
                );
                None
            }
        },
    };
    diagnostics.sort_by_key(|d| (d.loc, d.code));
    Built {
        sources,
        diagnostics,
        doc,
        ir,
        bundle,
    }
}
