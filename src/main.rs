//! `triage`: validate, test, list, run and step through triage pathways.
#![forbid(unsafe_code)]

mod cmd;
mod output;
mod render;
mod terminal;

use clap::Parser;
use std::process::ExitCode;

/// Examples and exit codes, shown at the end of `--help`.
const EXIT_CODES: &str = "\
Examples:
  triage validate pathways
  triage test pathways --min-coverage 100
  triage list pathways --age 45 --sex male --search chest pain
  triage run pathways

Exit codes:
  0  success
  1  the bundle has errors or a compiled bundle cannot be used, or a case failed, or coverage
     is below --min-coverage
  2  bad usage or bad input (missing directory, malformed JSON, an answer not offered)";

/// Validate, test, list and run symptom triage pathways.
///
/// A bundle is a directory holding dispositions.yaml, care-advice.yaml,
/// modules/*.yaml, pathways/*.yaml and case packs (pathways/*.cases.yaml).
/// `triage compile` writes it, validated and compiled, as one file that
/// run, next, list pathways, serve and audit verify take in its place.
#[derive(Debug, Parser)]
#[command(name = "triage", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: cmd::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(cmd::dispatch(cli.command).code())
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
