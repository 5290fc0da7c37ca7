//! The subcommands: their arguments (clap) and what each one does.

mod validate;

use crate::output::{self, Status};
use crate::render::{self, BundleFiles};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use triage_core::Built;
use triage_core::compile::CompiledBundle;
use validate::Counts;

/// A `triage` subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a bundle and report every problem with its file, line and a fix hint.
    #[command(after_help = "\
Examples:
  triage validate pathways
  triage validate pathways --format json

Exit codes: 0 no errors (warnings allowed), 1 the bundle has errors, 2 bad usage.")]
    Validate(ValidateArgs),
}

/// Arguments of `triage validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// Human or machine-readable output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Readable text, with source snippets.
    Human,
    /// One JSON document on stdout.
    Json,
}

/// Runs a subcommand.
pub fn dispatch(command: Command) -> Status {
    match command {
        Command::Validate(args) => with_bundle(&args.dir, |bundle| {
            validate::validate(bundle, args.format)
        }),
    }
}

/// Loads the bundle in `dir` and runs `command` on it; a `dir` that is not a
/// directory is a usage error.
fn with_bundle(dir: &Path, command: impl FnOnce(&Bundle) -> std::io::Result<Status>) -> Status {
    match Bundle::open(dir) {
        Ok(bundle) => output::finish_io(command(&bundle)),
        Err(status) => status,
    }
}

/// A loaded (and, when it has no errors, compiled) bundle with its files.
pub struct Bundle {
    /// What the engine made of it.
    pub built: Built,
    /// Its files, named as the user named the directory.
    pub files: BundleFiles,
}

impl Bundle {
    /// Loads and builds the bundle in `dir`.
    fn open(dir: &Path) -> Result<Bundle, Status> {
        if !dir.exists() {
            return Err(output::usage_error(&format!(
                "no such directory: {}",
                dir.display()
            )));
        }
        if !dir.is_dir() {
            return Err(output::usage_error(&format!(
                "not a directory: {} (give the bundle directory, e.g. `pathways`)",
                dir.display()
            )));
        }
        let built = triage_core::build_dir(dir);
        let files = BundleFiles::new(
            dir,
            built
                .sources
                .files
                .iter()
                .map(|f| (f.path.as_str(), f.text.as_str())),
        );
        Ok(Bundle { built, files })
    }

    /// The compiled bundle; when the bundle has errors, prints them to stderr
    /// and gives [`Status::Failed`].
    pub fn compiled(&self) -> Result<&CompiledBundle, Status> {
        match &self.built.bundle {
            Some(compiled) => Ok(compiled),
            None => {
                let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                let tally = render::Tally::of(&self.built.diagnostics);
                output::eprint(&render::human(&self.files, &self.built.diagnostics, color));
                output::eprint(&format!("the bundle has errors ({tally}); run `triage validate` for details\n"));
                Err(Status::Failed)
            }
        }
    }

    /// What the bundle holds as authored: from the validated model when there
    /// is one, otherwise from whatever files parsed.
    pub fn counts(&self) -> Counts {
        if let Some(ir) = &self.built.ir {
            let modules = ir
                .units
                .iter()
                .filter(|u| matches!(u.kind, triage_core::ir::UnitKind::Module))
                .count();
            return Counts {
                pathways: ir.units.len() - modules,
                modules,
                nodes: ir.nodes.len(),
                dispositions: ir.dispositions.len(),
            };
        }
        let (doc, _) = triage_core::load::parse(&self.built.sources);
        Counts {
            pathways: doc.pathways.len(),
            modules: doc.modules.len(),
            nodes: doc.pathways.iter().map(|(_, p)| p.nodes.0.len()).sum::<usize>()
                + doc.modules.iter().map(|(_, m)| m.nodes.0.len()).sum::<usize>(),
            dispositions: doc
                .dispositions
                .as_ref()
                .map_or(0, |(_, d)| d.dispositions.len()),
        }
    }
}

/// `value` as one line of JSON with a newline.
pub fn to_json_line(value: &impl Serialize) -> String {
    match serde_json::to_string(value) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // Only maps with non-string keys fail to serialize; none are written here.
        Err(error) => format!("{{\"error\":{{\"code\":\"internal\",\"message\":\"{error}\"}}}}\n"),
    }
}
