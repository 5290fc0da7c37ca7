//! The triage engine: load clinically authored pathways, prove structural
//! safety properties of every journey (each ends at a disposition; "I'm not
//! sure" never leads to self-care), compile them, and walk a person's answers
//! to a disposition.
//!
//! Data flows one way: source text --[`load`]--> [`model`] --[`validate`]-->
//! the validated model (or [`diag::Diagnostic`]s) --[`compile`]--> [`compile::CompiledBundle`]
//! --[`eval`]--> [`eval::Step`].
//!
//! Most callers need only [`open`] and the [`prelude`]: open a bundle once,
//! then run any number of [`session::Session`]s on it (or call
//! [`eval::evaluate`] with every answer so far). The README has a whole
//! journey; `docs/schema/` has the JSON Schema of every document the engine
//! writes ([`mod@format`]).
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod artifact;
#[cfg(feature = "authoring")]
pub mod casepack;
pub mod compile;
#[cfg(feature = "authoring")]
pub mod coverage;
pub mod diag;
#[cfg(feature = "authoring")]
pub mod diff;
pub mod eval;
#[doc(hidden)] // The expression language's parser and type checker: the validator's.
pub mod expr;
#[cfg(feature = "fhir")]
pub mod fhir;
pub mod format;
#[cfg(feature = "schema")]
pub mod input_schema;
#[doc(hidden)] // The validated model between validation and compilation.
pub mod ir;
pub mod load;
pub mod model;
pub mod report;
#[cfg(feature = "seal")]
pub mod seal;
mod search;
pub mod session;
#[cfg(feature = "authoring")]
pub mod starter;
pub mod topics;
pub mod validate;
pub mod vocab;
#[doc(hidden)] // The YAML reader's error plumbing: see `load` and `diag`.
pub mod yaml;

/// The common path in one import: open a bundle, search it, start a
/// session, answer, read the outcome.
///
/// ```
/// use triage_core::prelude::*;
///
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
/// let bundle = triage_core::open(&dir)?;
/// let patient = Patient::new(30, 0, Sex::Female);
/// let hits = bundle.search(Some(&patient), Some("sore throat"));
/// let session = Session::begin(&bundle, Start::new(hits[0].pathway.id, patient))?;
/// assert!(session.step(&bundle)?.question().is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod prelude {
    pub use crate::compile::CompiledBundle;
    pub use crate::eval::{
        evaluate, Answer, AnswerValue, EvalError, OutcomeView, QuestionView, Step, Urgency,
    };
    pub use crate::model::QuestionKindDoc;
    pub use crate::session::Session;
    pub use crate::vocab::{Answering, Language, Patient, Reader, Sex, Start};
    pub use crate::{open, InvalidBundle};
}

// The README's library example is compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;

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
    /// The bundle compiled despite its errors, when they all leave its graph
    /// sound ([`diag::errors_leave_graph_sound`], e.g. "not sure" leads to
    /// self-care): for comparing versions (`triage diff`), never for triage.
    #[cfg(feature = "authoring")]
    pub for_review: Option<compile::CompiledBundle>,
}

impl Built {
    /// True when the bundle has errors (and so was not compiled).
    pub fn has_errors(&self) -> bool {
        diag::has_errors(&self.diagnostics)
    }

    /// The compiled bundle split into its catalog and one part per pathway
    /// (see [`compile::Split`]), when it was compiled.
    pub fn split(&self) -> Option<Result<compile::Split, compile::CompileError>> {
        match (&self.ir, &self.bundle) {
            (Some(ir), Some(whole)) if !self.has_errors() => {
                Some(compile::Split::new(ir, &self.sources, whole))
            }
            _ => None,
        }
    }
}

/// What a build reads and checks.
///
/// The default reads everything, as [`build`] does. A service or page that
/// only evaluates builds with [`BuildOptions::for_evaluation`]: case packs
/// (`*.cases.yaml`) are then neither parsed nor validated, which is most of
/// the work of a build. The content hash covers every file of the sources
/// either way, so a bundle has one hash however it was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuildOptions {
    /// Parse and validate case packs (needed to run them, as `triage test`
    /// does). Without the `authoring` feature case packs are never read.
    pub case_packs: bool,
}

impl Default for BuildOptions {
    fn default() -> BuildOptions {
        BuildOptions { case_packs: true }
    }
}

impl BuildOptions {
    /// For callers that only evaluate: no case packs.
    pub fn for_evaluation() -> BuildOptions {
        BuildOptions { case_packs: false }
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
    build_with(sources, Vec::new(), &BuildOptions::default())
}

/// Opens the bundle at `path` for evaluation: a compiled artifact (a file
/// written by `triage compile`, see [`artifact`]) is read and checked; a
/// pathway directory is read, validated and compiled, leaving out what only
/// authors need (case packs). Either way the bundle has the same content
/// hash. A bundle with errors is refused with every error, each naming its
/// file and line; [`build_dir`] gives the whole report, warnings included.
///
/// ```
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
/// let bundle = triage_core::open(&dir)?;
/// assert_eq!(bundle.hash().len(), 64);
///
/// let missing = triage_core::open(std::path::Path::new("no/such/folder")).unwrap_err();
/// assert!(missing.to_string().contains("no/such/folder"), "{missing}");
/// # Ok::<(), triage_core::InvalidBundle>(())
/// ```
pub fn open(path: &std::path::Path) -> Result<compile::CompiledBundle, InvalidBundle> {
    if path.is_file() {
        return open_artifact(path);
    }
    let built = build_dir_with_options(path, &BuildOptions::for_evaluation());
    match built.bundle {
        Some(bundle) => Ok(bundle),
        None => {
            let name = |index: usize| {
                built
                    .sources
                    .files
                    .get(index)
                    .map_or_else(|| path.display().to_string(), |f| f.path.clone())
            };
            let errors = built
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| {
                    let loc = d.loc;
                    let at = match loc.line {
                        0 => name(loc.file),
                        line => format!("{}:{line}", name(loc.file)),
                    };
                    format!("{at}: {} {}", d.code, d.message)
                })
                .collect();
            Err(InvalidBundle {
                dir: path.display().to_string(),
                errors,
            })
        }
    }
}

/// Reads the compiled artifact at `path` ([`artifact::from_bytes`]).
pub fn open_artifact(path: &std::path::Path) -> Result<compile::CompiledBundle, InvalidBundle> {
    let refused = |message: String| InvalidBundle {
        dir: path.display().to_string(),
        errors: vec![format!("{}: {message}", path.display())],
    };
    let bytes = std::fs::read(path).map_err(|error| refused(format!("cannot be read: {error}")))?;
    artifact::from_bytes(&bytes).map_err(|error| refused(error.to_string()))
}

/// Opens what a journey on `pathway` needs from a bundle split by `triage
/// compile --split` into the folder `dir`: its catalog, then the pathway's
/// part, which is refused if it was compiled from another bundle than the
/// catalog. The part is the bundle to run the journey with.
pub fn open_part(
    dir: &std::path::Path,
    pathway: &str,
) -> Result<compile::CompiledBundle, InvalidBundle> {
    let refused = |path: &std::path::Path, message: String| InvalidBundle {
        dir: dir.display().to_string(),
        errors: vec![format!("{}: {message}", path.display())],
    };
    let read = |path: &std::path::Path| {
        std::fs::read(path).map_err(|error| refused(path, format!("cannot be read: {error}")))
    };
    let catalog_path = dir.join(compile::CATALOG_FILE);
    let catalog = artifact::from_bytes(&read(&catalog_path)?)
        .map_err(|error| refused(&catalog_path, error.to_string()))?;
    if catalog.pathway_index(pathway).is_none() {
        return Err(refused(
            &catalog_path,
            format!("there is no pathway called {pathway:?}"),
        ));
    }
    let part_path = dir.join(compile::part_file_name(pathway));
    artifact::part_from_bytes(&read(&part_path)?, &catalog)
        .map_err(|error| refused(&part_path, error.to_string()))
}

/// Why [`open`] refused a bundle: its errors, each as `file:line: code message`.
///
/// Its `Debug` is its message, so that `main` returning it prints something
/// a person can act on.
#[derive(Clone, PartialEq, Eq)]
pub struct InvalidBundle {
    /// The directory opened.
    pub dir: String,
    /// Every error, in file and line order.
    pub errors: Vec<String>,
}

impl std::fmt::Display for InvalidBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The first few say what is wrong; `triage validate` lists them all.
        const SHOWN: usize = 5;
        let count = self.errors.len();
        write!(
            f,
            "the bundle at {} cannot be used: {count} error{}",
            self.dir,
            if count == 1 { "" } else { "s" }
        )?;
        for error in self.errors.iter().take(SHOWN) {
            write!(f, "\n  {error}")?;
        }
        if count > SHOWN {
            write!(
                f,
                "\n  ... and {} more (`triage validate {}` lists them all)",
                count - SHOWN,
                self.dir
            )?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for InvalidBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for InvalidBundle {}

/// Reads the bundle directory at `path`, then [`build`]s it.
pub fn build_dir(path: &std::path::Path) -> Built {
    build_dir_with_options(path, &BuildOptions::default())
}

/// [`build`], reading and checking what `options` asks for.
///
/// ```
/// use triage_core::{build_with_options, load::Sources, BuildOptions};
/// let (sources, _) = Sources::from_texts(vec![(
///     "pathways/x.cases.yaml".to_string(),
///     "pathway: x\ncases: []\n".to_string(),
/// )]);
/// let built = build_with_options(sources, &BuildOptions::for_evaluation());
/// assert!(built.doc.case_packs.is_empty()); // not parsed
/// ```
pub fn build_with_options(sources: load::Sources, options: &BuildOptions) -> Built {
    build_with(sources, Vec::new(), options)
}

/// [`build_dir`], reading and checking what `options` asks for.
pub fn build_dir_with_options(path: &std::path::Path, options: &BuildOptions) -> Built {
    let (sources, diagnostics) = load::Sources::from_dir(path);
    build_with(sources, diagnostics, options)
}

fn build_with(
    sources: load::Sources,
    mut diagnostics: Vec<Diagnostic>,
    options: &BuildOptions,
) -> Built {
    let (doc, parse_diagnostics) = load::parse_with(&sources, options);
    diagnostics.extend(parse_diagnostics);
    let (ir, validate_diagnostics) = validate::validate_sound(&doc);
    diagnostics.extend(validate_diagnostics);
    let usable = !diag::has_errors(&diagnostics);
    #[cfg(feature = "authoring")]
    let for_review = match &ir {
        Some(ir) if !usable && diag::errors_leave_graph_sound(&diagnostics) => {
            compile::compile(ir, &sources).ok()
        }
        _ => None,
    };
    let ir = ir.filter(|_| usable);
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
                #[allow(unused_mut)]
                let (mut loc, mut message) = (diag::Loc::file(usize::MAX), e.to_string());
                // For authors: at the module copied most, with how many copies.
                #[cfg(feature = "authoring")]
                if let compile::CompileError::GraphTooLarge {
                    most_copied: (unit, copies, at),
                    ..
                } = &e
                {
                    loc = *at;
                    message = format!("{message}; `{unit}` alone was copied into {copies} of them");
                }
                diagnostics.push(Diagnostic::error(code, loc, message).with_help(help));
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
        #[cfg(feature = "authoring")]
        for_review,
    }
}
