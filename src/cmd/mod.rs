//! The subcommands: their arguments (clap) and what each one does.

mod cases;
mod catalogue;
mod compile;
mod coverage;
mod diff;
mod graph;
mod index;
mod list;
mod next;
mod review;
mod run;
mod serve;
mod test;
mod validate;

use crate::output::{self, Status};
use crate::render::{self, BundleFiles};
use crate::terminal;
use clap::{Args, ColorChoice, Subcommand, ValueEnum};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use triage_core::compile::CompiledBundle;
use triage_core::eval::{Answering, Language, Sex};
use triage_core::{BuildOptions, Built};

/// A `triage` subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a bundle and report every problem with its file, line and a fix hint.
    #[command(after_help = "\
Examples:
  triage validate pathways
  triage validate pathways --format json
  triage validate tests/fixtures/broken/dangling-next    # exits 1: a typo in `next:`

Exit codes: 0 no errors (warnings allowed), 1 the bundle has errors, 2 bad usage.")]
    Validate(ValidateArgs),

    /// Run the case packs and measure how much of the pathways they cover.
    #[command(after_help = "\
Examples:
  triage test pathways
  triage test pathways --min-coverage 100 --format json

Exit codes: 0 every case passed (and coverage is high enough), 1 a case failed, coverage is
below --min-coverage, or the bundle has errors, 2 bad usage.")]
    Test(TestArgs),

    /// List the pathways a person can start (optionally found by symptom words), or the
    /// dispositions, care advice or questions an author can refer to.
    #[command(after_help = "\
Examples:
  triage list pathways
  triage list pathways --age 34 --sex female --search chest pain
  triage list pathways --age 0 --months 6
  triage list pathways --format markdown    # the table of pathways/README.md
  triage list dispositions pathways         # the disposition ids an outcome can name
  triage list advice pathways               # the care-advice ids, with the file of each
  triage list questions pathways --pathway chest-pain   # question ids and their answers

WHAT is pathways (the default), dispositions, advice or questions. Dispositions, advice and
questions are listed from the files as written, even while the bundle has errors.

Exit codes: 0 listed (even if nothing matches), 1 the bundle has errors, 2 bad usage.")]
    List(ListArgs),

    /// Show which pathways serve each NHS 111 online topic, for every age band and sex, and the gaps.
    #[command(after_help = "\
Examples:
  triage coverage pathways
  triage coverage pathways --format json
  triage coverage pathways --format markdown

A topic is served in an age band when the pathways that declare it (`topics:`) cover every age
of the band for every sex it is offered for. The NHS 111 online list has 122 topics in 401
topic-band pairs; chest pain, probable stroke and recent fit are reception points for everyone.

Exit codes: 0 reported (gaps included), 1 the bundle has errors, 2 bad usage.")]
    Coverage(CoverageArgs),

    /// Write a starter case pack for a pathway: one case per answer, to complete with expected outcomes.
    #[command(after_help = "\
Examples:
  triage cases pathways --pathway chest-pain --starter > chest-pain.starter.yaml
  triage cases tests/fixtures/diff/base --pathway fever --starter

Each case is a whole journey, for a person the pathway admits, that gives one answer of the
pathway's own questions (modules have case packs of their own). Every case expects the
disposition TODO, which does not validate: write the disposition a clinician expects (the one
the pathway reaches today is noted above it, to check, not to copy), then run
`triage test DIR --pathway ID`. Answers no journey gives are listed at the end.

Exit codes: 0 written, 1 the bundle has errors, 2 bad usage (no such pathway, no --starter).")]
    Cases(CasesArgs),

    /// Draw a pathway as a flowchart: Mermaid, Graphviz DOT, or an SVG picture.
    #[command(after_help = "\
Examples:
  triage graph pathways chest-pain                      # Mermaid, for GitHub or an editor
  triage graph pathways chest-pain --format svg > chest-pain.svg
  triage graph pathways fever-child --format dot --expand-modules

Questions are boxes with their answers as edges, branches are diamonds with their conditions,
modules are boxes of their own (drawn out with --expand-modules), jumps to another pathway end
in a box that names it, and outcomes are coloured by urgency: red 999, orange A&E, amber a
same-day service, yellow a GP, green a pharmacist or self-care. SVG needs no Graphviz.

Exit codes: 0 drawn, 1 the bundle has errors, 2 bad usage (no such pathway).")]
    Graph(GraphArgs),

    /// Write a pathway's sign-off sheet: every question, branch and outcome, sources, hash and case-pack results.
    #[command(after_help = "\
Examples:
  triage review pathways chest-pain --format html > chest-pain-review.html
  triage review pathways chest-pain                 # Markdown
  triage review tests/fixtures/diff/rerouted fever --against tests/fixtures/diff/base

The sheet names the pathway's version, the SHA-256 of its file and the bundle's hash, so a
signature refers to exactly what was read. With --against OLD it ends with what changed since
that version (see `triage diff`): the journeys that now end elsewhere, for whom, and what was
added, removed or reworded. Text from the bundle is shown as text, never as markup.

Exit codes: 0 written, 1 the bundle has errors, 2 bad usage (no such pathway).")]
    Review(ReviewArgs),

    /// Compare two versions of a bundle: which journeys now end somewhere else, for whom.
    #[command(after_help = "\
Examples:
  triage diff pathways pathways --fail-on less-urgent       # no change
  triage diff tests/fixtures/diff/base tests/fixtures/diff/rerouted
  triage diff tests/fixtures/diff/base tests/fixtures/diff/rerouted --format markdown
  triage diff tests/fixtures/diff/base tests/fixtures/diff/rerouted --fail-on less-urgent   # exits 1
  triage diff tests/fixtures/diff/base tests/fixtures/diff/rerouted --pathway cough --format json

Every pathway in both versions is walked journey by journey, by classes of answers and people
that take the same route (ages and numbers cut at the limits either version tests), and each
journey whose end changed is listed: less urgent, more urgent, another service at the same
urgency, or other care advice or reasons, with the answers that reach it, the people it applies
to and both dispositions. Questions, answers, outcomes, dispositions and care advice added,
removed or reworded are listed too. Paths that meet again in the same state are walked once; a
pathway whose journeys reach more than 200,000 distinct states, or a journey more than 400
answers long, is reported as not compared in full.

--fail-on less-urgent exits 1 when a journey became less urgent, people lost a pathway, a
pathway was removed, or a pathway could not be compared in full; --fail-on any when anything
changed.

Exit codes: 0 compared (and nothing --fail-on names), 1 --fail-on tripped or a bundle has
errors, 2 bad usage.")]
    Diff(DiffArgs),

    /// Rewrite the table of pathways in the bundle's README.md from the bundle, or check it.
    #[command(after_help = "\
Examples:
  triage index pathways           # rewrite the table in pathways/README.md
  triage index pathways --check   # exit 1 if the table is out of date (for CI)

The table starts at the line beginning `| Pathway |`; the text around it is kept.

Exit codes: 0 written or up to date, 1 out of date (with --check) or the bundle has errors,
2 bad usage (no README.md, or no table in it).")]
    Index(IndexArgs),

    /// Compile a bundle into one file that services, pages and `triage run` load without
    /// parsing YAML or validating again.
    #[command(after_help = "\
Examples:
  triage compile pathways -o pathways.triage
  triage compile pathways -o pathways.triage && triage list pathways.triage --search chest pain
  triage compile pathways --split site/bundle

The file holds the validated, compiled bundle: its pathways, texts, search index and content
hash (the same hash as the directory). `triage run`, `next`, `list pathways`, `serve` and `audit
verify --bundle` take it in place of the directory, as do the browser package
(`Engine.fromArtifact`) and the library (`triage_core::open`). It is checked when loaded: a file
that is not one, one cut short or changed, or one from a release of another format is refused;
compile again with the release that reads it. Case packs are not included: test the directory.
The file is written whole or not at all.

With --split, a web page's bundle: the folder gets catalog.triage (the pathway list, search index
and content hash, no questions) and PATHWAY.part.triage per pathway (its questions and all that a
journey on it can reach, with the whole bundle's hash), so a page downloads the catalog and then
only the pathway chosen. A part of another bundle than its catalog is refused when loaded.
`triage run FOLDER --pathway ID` runs one pathway from such a folder.

Exit codes: 0 written, 1 the bundle has errors (nothing written), 2 bad usage.")]
    Compile(CompileArgs),

    /// Triage a person interactively: answer one question at a time.
    #[command(after_help = "\
Answers: type the number of an option; for \"any of these\" questions type every number that
applies, e.g. 1,3, or the number of \"None of these\" when none applies; for number questions
type the number, or ? if not sure. Type b to go back a question (its answer is shown, and Enter
keeps it) and q to quit. After the outcome, b goes back to change an answer, s starts again and q
ends. Input may be piped, one answer per line.

Colour and width: colour when stdout is a terminal, unless NO_COLOR is set; CLICOLOR_FORCE=1
colours a pipe too; --color overrides both. Text is wrapped to the terminal's width, or to
COLUMNS when stdout is not a terminal (80 if unset), within 20 to 120 columns.

Examples:
  triage run pathways
  triage run pathways --pathway chest-pain --age 45 --sex male
  triage run pathways --age 3 --sex female --answering someone-else
  triage run pathways --lang cy
  printf '8\\n1\\n1\\n' | triage run pathways --pathway chest-pain --age 45 --sex male

Exit codes: 0 an outcome was reached (or q was typed), 1 the bundle has errors, 2 bad usage,
an unknown pathway, or the input ended before any outcome.")]
    Run(RunArgs),

    /// Take one step of a journey: read the answers so far as JSON, print the next step as JSON.
    #[command(after_help = "\
Reads from stdin:
  {\"pathway\": \"chest-pain\", \"patient\": {\"age_years\": 45, \"age_months\": 0, \"sex\": \"male\",
   \"answering\": \"self\"}, \"answers\": [{\"question\": \"emergency-screen/signs\", \"answer\": \"none\"}]}
Optional: \"topic\" (a topic id or title the pathway serves, to start where it starts),
\"language\" (\"en\" or \"cy\"), and in \"patient\" \"answering\" (\"self\" or \"someone_else\").
Every step carries \"format\": \"triage.step/1\" (JSON Schema: docs/schema/step.schema.json).
Prints the next question ({\"type\": \"question\", \"id\", \"text\", \"help\", \"kind\", \"options\",
\"unit\", \"range\", ...}) or the outcome ({\"type\": \"outcome\", \"disposition\", \"care_advice\",
\"reasons\", \"transcript\"}). Answers are an option id (\"yes\", \"no\", \"not_sure\", ...), a list of
option ids, \"none\", or a number.

Bad input prints {\"error\": {\"code\": ..., \"message\": ...}} on stdout, e.g. the codes
malformed_request, unknown_pathway, not_applicable, wrong_question, option_not_offered,
number_out_of_range (and pathway_not_loaded for a split bundle's catalog).

Examples:
  echo '{\"pathway\":\"chest-pain\",\"patient\":{\"age_years\":45,\"sex\":\"male\"},\"answers\":[]}' \\
    | triage next pathways
  echo '{\"pathway\":\"chest-pain\",\"patient\":{\"age_years\":45,\"sex\":\"male\"},\"answers\":[
    {\"question\":\"emergency-screen/signs\",\"answer\":\"none\"},{\"question\":\"pain-now\",\"answer\":\"now\"}]}' \\
    | triage next pathways

Exit codes: 0 a step was printed, 1 the bundle has errors (shown on stderr), 2 bad input.")]
    Next(NextArgs),

    /// Serve journeys over HTTP, with an audit trail in SQLite (default) or PostgreSQL.
    #[command(after_help = "\
Examples:
  triage serve pathways                                 # serves until SIGTERM
  triage serve pathways --listen 127.0.0.1:0 --database sqlite:journeys.db   # serves until SIGTERM

The default is http://127.0.0.1:8080 with the SQLite file triage.db in the current directory
(created if missing); port 0 picks a free port. A shared store is a PostgreSQL URL,
postgres://user:password@host:5432/db (or TRIAGE_DATABASE_URL, which keeps the password out of
the process list); the tables are created and migrated at start.

Endpoints: GET /v1/pathways?age=&sex=&q=, POST /v1/sessions, POST /v1/sessions/{id}/answers,
POST /v1/sessions/{id}/back, GET /v1/sessions/{id}, GET /v1/sessions/{id}/handoff (FHIR R4),
POST /v1/next (as `triage next`), GET /v1/bundle, /healthz, /readyz, /metrics, /openapi.json.

Every outcome is returned only after its audit record is written. Logs are JSON lines on stdout
(TRIAGE_LOG=error|warn|info|debug, default info). SIGINT or SIGTERM stops it after the requests
in flight are answered. Replicas share a PostgreSQL database; each holds nothing of its own.

Exit codes: 0 stopped cleanly, 1 the bundle has errors or the database or address cannot be
used, 2 bad usage.")]
    Serve(ServeArgs),

    /// Check the service's audit trail: every record's hash and link, and the chain's end.
    #[command(after_help = "\
Examples:
  triage audit verify --database sqlite:tests/fixtures/audit/intact.db --bundle pathways
  triage audit verify --database sqlite:tests/fixtures/audit/tampered.db   # exits 1
  triage audit verify --database sqlite:tests/fixtures/audit/intact.db --format json

The database is the one `triage serve` wrote (default sqlite:triage.db; a PostgreSQL URL, or
TRIAGE_DATABASE_URL). With --bundle, every record made with that bundle is replayed: its answers
must still give the questions, reasons and disposition it records. With --seal-keys FILE (the
file `triage serve --seal-keys` was given), every record must carry a seal made with one of its
keys: the chain alone cannot stop someone who controls the database from rewriting it from a
record onwards, but they cannot make a seal without the key. The file has one key per line, an
id then the secret as hex (`echo \"2026-12 $(openssl rand -hex 32)\" > keys`); the first key
seals new records, and older keys stay below it for as long as their records are kept.

Exit codes: 0 intact, 1 a record was changed, removed or reordered (each is named), or the
database cannot be read, 2 bad usage.")]
    Audit(AuditArgs),
}

/// Arguments of `triage serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The bundle: its directory, or a file written by `triage compile`.
    pub dir: PathBuf,
    /// The address and port to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Where journeys and the audit trail are kept.
    #[command(flatten)]
    pub store: StoreArg,
    /// The address callers reach the service at, for hand-off messages (default http://LISTEN).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Seal every audit record with the first key of this file (lines `ID HEX`; see
    /// `triage audit --help`).
    #[arg(
        long,
        value_name = "FILE",
        env = "TRIAGE_SEAL_KEYS",
        hide_env_values = true
    )]
    pub seal_keys: Option<PathBuf>,
}

/// Where `triage serve` keeps journeys and the audit trail.
#[derive(Debug, Args)]
pub struct StoreArg {
    /// A SQLite file (sqlite:PATH, or a path) or postgres://user:password@host:port/db.
    #[arg(
        long,
        value_name = "URL",
        env = "TRIAGE_DATABASE_URL",
        default_value = "sqlite:triage.db",
        hide_env_values = true
    )]
    pub database: String,
}

/// Arguments of `triage audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: AuditAction,
}

/// What `triage audit` does.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check every record's hash and link, and the end of the chain.
    Verify {
        /// The service's journeys and audit trail.
        #[command(flatten)]
        store: StoreArg,
        /// Also replay each record made with this bundle.
        #[arg(long, value_name = "DIR")]
        bundle: Option<PathBuf>,
        /// Also require every record to carry a seal made with one of these keys.
        #[arg(
            long,
            value_name = "FILE",
            env = "TRIAGE_SEAL_KEYS",
            hide_env_values = true
        )]
        seal_keys: Option<PathBuf>,
        /// How to print the result.
        #[arg(long, value_enum, default_value_t = AuditFormat::Human)]
        format: AuditFormat,
    },
}

/// How `triage audit verify` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Lines for people.
    Human,
    /// One JSON object.
    Json,
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

/// Arguments of `triage test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    /// Only this pathway's case packs, with the coverage of that pathway.
    #[arg(long, value_name = "ID")]
    pub pathway: Option<String>,
    /// Fail when fewer than this percentage of answer edges are taken by some case.
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub min_coverage: Option<f64>,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// Arguments of `triage list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// What to list (pathways, dispositions, advice or questions; default pathways), then the
    /// bundle directory (for pathways, also a file written by `triage compile`).
    #[arg(value_name = "[WHAT] DIR", num_args = 1..=2, required = true)]
    pub targets: Vec<String>,
    /// With `questions`: only those of this pathway or module.
    #[arg(long, value_name = "ID")]
    pub pathway: Option<String>,
    /// Only pathways for this age, in whole years.
    #[arg(long, value_name = "YEARS")]
    pub age: Option<u32>,
    /// Extra months of age (for babies and toddlers).
    #[arg(long, value_name = "MONTHS", value_parser = clap::value_parser!(u32).range(0..=11))]
    pub months: Option<u32>,
    /// Only pathways for this sex.
    #[arg(long, value_enum)]
    pub sex: Option<SexArg>,
    /// Symptom words, e.g. `--search chest pain`; best matches first.
    #[arg(long, value_name = "WORDS", num_args = 1..)]
    pub search: Vec<String>,
    /// How to print the list.
    #[arg(long, value_enum, default_value_t = list::ListFormat::Human)]
    pub format: list::ListFormat,
}

/// Arguments of `triage cases`.
#[derive(Debug, Args)]
pub struct CasesArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    /// The pathway.
    #[arg(long, value_name = "ID")]
    pub pathway: String,
    /// Write a starter case pack (the only kind so far).
    #[arg(long)]
    pub starter: bool,
}

/// Arguments of `triage graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    /// The pathway to draw.
    pub pathway: String,
    /// What to write.
    #[arg(long, value_enum, default_value_t = graph::GraphFormat::Mermaid)]
    pub format: graph::GraphFormat,
    /// Draw the modules' own questions instead of one box per module.
    #[arg(long)]
    pub expand_modules: bool,
}

/// Arguments of `triage review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    /// The pathway to review.
    pub pathway: String,
    /// What to write.
    #[arg(long, value_enum, default_value_t = review::ReviewFormat::Markdown)]
    pub format: review::ReviewFormat,
    /// The bundle as last signed off: the sheet then shows what changed since (`triage diff`).
    #[arg(long, value_name = "OLD")]
    pub against: Option<PathBuf>,
}

/// Arguments of `triage diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old bundle directory.
    pub old: PathBuf,
    /// The new bundle directory.
    pub new: PathBuf,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = diff::DiffFormat::Human)]
    pub format: diff::DiffFormat,
    /// Exit 1 when some journey became less urgent (`less-urgent`), or when anything changed (`any`).
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<diff::FailOn>,
    /// Only report this pathway.
    #[arg(long, value_name = "ID")]
    pub pathway: Option<String>,
}

/// Arguments of `triage index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    /// Only check that the table is up to date.
    #[arg(long)]
    pub check: bool,
}

/// Arguments of `triage coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = coverage::CoverageFormat::Human)]
    pub format: coverage::CoverageFormat,
}

/// Arguments of `triage compile`.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The bundle directory.
    pub dir: PathBuf,
    /// The file to write (conventionally `NAME.triage`); `-` writes to standard output.
    #[arg(
        short,
        long,
        value_name = "FILE",
        required_unless_present = "split",
        conflicts_with = "split"
    )]
    pub out: Option<PathBuf>,
    /// Write the bundle split for a web page into this folder instead:
    /// `catalog.triage` (the pathway list and symptom search) and one
    /// `PATHWAY.part.triage` per pathway (its questions and all a journey on
    /// it can reach), so a page downloads only the pathway chosen.
    #[arg(long, value_name = "DIR")]
    pub split: Option<PathBuf>,
}

/// Arguments of `triage run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The bundle: its directory, or a file written by `triage compile`.
    pub dir: PathBuf,
    /// Start this pathway instead of searching by symptom.
    #[arg(long, value_name = "ID")]
    pub pathway: Option<String>,
    /// The person's age in whole years (asked if not given).
    #[arg(long, value_name = "YEARS")]
    pub age: Option<u32>,
    /// Extra months of age (for babies and toddlers).
    #[arg(long, value_name = "MONTHS", value_parser = clap::value_parser!(u32).range(0..=11))]
    pub months: Option<u32>,
    /// The person's sex (asked if not given).
    #[arg(long, value_enum)]
    pub sex: Option<SexArg>,
    /// Who is answering: the person themself, or someone for them (asked
    /// with the age if neither is given).
    #[arg(long, value_enum)]
    pub answering: Option<AnsweringArg>,
    /// The language of the questions and advice, where the bundle has it.
    #[arg(long, value_enum, default_value_t = LanguageArg::En)]
    pub lang: LanguageArg,
    /// When to colour the output: `auto` colours a terminal unless NO_COLOR
    /// is set (CLICOLOR_FORCE=1 colours a pipe too).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Who is answering, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnsweringArg {
    /// The person themself.
    #[value(name = "self")]
    Myself,
    /// Someone answering for them: a parent, a carer, a friend.
    SomeoneElse,
}

impl From<AnsweringArg> for Answering {
    fn from(answering: AnsweringArg) -> Answering {
        match answering {
            AnsweringArg::Myself => Answering::Myself,
            AnsweringArg::SomeoneElse => Answering::SomeoneElse,
        }
    }
}

/// A language on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LanguageArg {
    /// English.
    En,
    /// Welsh (Cymraeg); English where the bundle has no Welsh.
    Cy,
}

impl From<LanguageArg> for Language {
    fn from(language: LanguageArg) -> Language {
        match language {
            LanguageArg::En => Language::En,
            LanguageArg::Cy => Language::Cy,
        }
    }
}

/// Arguments of `triage next`.
#[derive(Debug, Args)]
pub struct NextArgs {
    /// The bundle: its directory, or a file written by `triage compile`.
    pub dir: PathBuf,
}

/// Human or machine-readable output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Readable text, with source snippets.
    Human,
    /// One JSON document on stdout.
    Json,
}

/// A sex on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SexArg {
    /// Female.
    Female,
    /// Male.
    Male,
}

impl From<SexArg> for Sex {
    fn from(sex: SexArg) -> Sex {
        match sex {
            SexArg::Female => Sex::Female,
            SexArg::Male => Sex::Male,
        }
    }
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(percent) if (0.0..=100.0).contains(&percent) => Ok(percent),
        _ => Err("expected a percentage from 0 to 100".to_owned()),
    }
}

/// Runs a subcommand.
pub fn dispatch(command: Command) -> Status {
    match command {
        Command::Validate(args) => {
            with_bundle(&args.dir, |bundle| validate::validate(bundle, args.format))
        }
        Command::Test(args) => with_bundle(&args.dir, |bundle| {
            test::test(
                bundle,
                args.pathway.as_deref(),
                args.min_coverage,
                args.format,
            )
        }),
        Command::List(args) => {
            let filter = list::Filter {
                age: args.age,
                months: args.months,
                sex: args.sex.map(Sex::from),
                words: (!args.search.is_empty()).then(|| args.search.join(" ")),
            };
            let (what, dir) = match args.targets.as_slice() {
                [dir] => (None, PathBuf::from(dir)),
                [what, dir] => (Some(what.as_str()), PathBuf::from(dir)),
                _ => {
                    return output::usage_error(
                        "give the bundle directory, e.g. `triage list pathways`",
                    )
                }
            };
            match what.map(|w| (w, catalogue::Catalogue::from_word(w))) {
                None | Some(("pathways", _)) if args.pathway.is_some() => output::usage_error(
                    "--pathway narrows `triage list questions` only; to find a pathway use --search",
                ),
                None | Some(("pathways", _)) => with_compiled_bundle(&dir, |bundle| {
                    list::list(bundle, &filter, args.format)
                }),
                Some((_, Some(listing))) => {
                    let format = match args.format {
                        list::ListFormat::Json => catalogue::IdsFormat::Json,
                        list::ListFormat::Human => catalogue::IdsFormat::Human,
                        list::ListFormat::Markdown => {
                            return output::usage_error(
                                "--format markdown is for the pathway index; use human or json",
                            )
                        }
                    };
                    if args.pathway.is_some() && listing != catalogue::Catalogue::Questions {
                        return output::usage_error("--pathway narrows `triage list questions` only");
                    }
                    with_bundle_for_evaluation(&dir, |bundle| {
                        catalogue::list_ids(bundle, listing, args.pathway.as_deref(), format)
                    })
                }
                Some((word, None)) => output::usage_error(&format!(
                    "cannot list `{}`: give pathways, dispositions, advice or questions, then the bundle directory",
                    crate::terminal::clean(word)
                )),
            }
        }
        Command::Cases(args) if !args.starter => output::usage_error(
            "give --starter: `triage cases DIR --pathway ID --starter` writes a starter case pack",
        ),
        Command::Cases(args) => {
            with_bundle_for_evaluation(&args.dir, |bundle| cases::starter(bundle, &args.pathway))
        }
        Command::Graph(args) => with_bundle_for_evaluation(&args.dir, |bundle| {
            graph::graph(bundle, &args.pathway, args.format, args.expand_modules)
        }),
        Command::Review(args) => with_bundle(&args.dir, |bundle| match &args.against {
            None => review::review(bundle, &args.pathway, args.format, None),
            Some(old_dir) => match Bundle::open(old_dir, &BuildOptions::for_evaluation()) {
                Ok(old) => {
                    review::review(bundle, &args.pathway, args.format, Some((&old, old_dir)))
                }
                Err(status) => Ok(status),
            },
        }),
        Command::Diff(args) => with_bundle_for_evaluation(&args.old, |old| {
            match Bundle::open(&args.new, &BuildOptions::for_evaluation()) {
                Ok(new) => diff::diff(
                    (old, &args.old),
                    (&new, &args.new),
                    args.format,
                    args.fail_on,
                    args.pathway.as_deref(),
                ),
                Err(status) => Ok(status),
            }
        }),
        Command::Index(args) => with_bundle_for_evaluation(&args.dir, |bundle| {
            index::index(bundle, &args.dir, args.check)
        }),
        Command::Coverage(args) => {
            with_bundle_for_evaluation(&args.dir, |bundle| coverage::coverage(bundle, args.format))
        }
        Command::Compile(args) => {
            with_bundle_for_evaluation(&args.dir, |bundle| match (&args.split, &args.out) {
                (Some(folder), _) => compile::split(bundle, &args.dir, folder),
                (None, Some(out)) => compile::compile(bundle, &args.dir, out),
                (None, None) => Ok(output::usage_error("give -o FILE or --split DIR")),
            })
        }
        Command::Run(args) => {
            let known = run::Known {
                pathway: args.pathway,
                age: args.age,
                months: args.months,
                sex: args.sex.map(Sex::from),
                answering: args.answering.map(Answering::from),
                language: args.lang.into(),
            };
            let stdout_is_terminal = std::io::stdout().is_terminal();
            let screen = terminal::Screen {
                color: terminal::use_color(args.color, stdout_is_terminal),
                width: terminal::width(stdout_is_terminal),
            };
            with_compiled_bundle_or_part(&args.dir, known.pathway.as_deref(), |bundle| {
                run::run(
                    bundle,
                    &known,
                    screen,
                    std::io::stdin().lock(),
                    std::io::stdout().lock(),
                )
            })
        }
        Command::Next(args) => with_compiled_bundle(&args.dir, |bundle| {
            next::next(bundle, std::io::stdin().lock())
        }),
        Command::Serve(args) => with_compiled_bundle(&args.dir, |bundle| {
            serve::serve(
                bundle,
                args.listen,
                &args.store.database,
                args.public_url.as_deref(),
                args.seal_keys.as_deref(),
            )
        }),
        Command::Audit(AuditArgs {
            action:
                AuditAction::Verify {
                    store,
                    bundle,
                    seal_keys,
                    format,
                },
        }) => {
            let verify = |bundle: Option<&Bundle>| {
                serve::verify(bundle, &store.database, seal_keys.as_deref(), format)
            };
            match bundle {
                Some(dir) => with_compiled_bundle(&dir, |bundle| verify(Some(bundle))),
                None => output::finish_io(verify(None)),
            }
        }
    }
}

/// Loads the bundle in `dir` and runs `command` on it; a `dir` that is not a
/// directory is a usage error.
fn with_bundle(dir: &Path, command: impl FnOnce(&Bundle) -> std::io::Result<Status>) -> Status {
    with_bundle_built(dir, &BuildOptions::default(), command)
}

/// As [`with_bundle`], for commands that only evaluate: case packs are not read.
fn with_bundle_for_evaluation(
    dir: &Path,
    command: impl FnOnce(&Bundle) -> std::io::Result<Status>,
) -> Status {
    with_bundle_built(dir, &BuildOptions::for_evaluation(), command)
}

/// As [`with_bundle_for_evaluation`], for commands that need only the
/// compiled bundle: `path` may also be a file written by `triage compile`.
fn with_compiled_bundle(
    path: &Path,
    command: impl FnOnce(&Bundle) -> std::io::Result<Status>,
) -> Status {
    if path.is_file() {
        return match Bundle::open_artifact(path) {
            Ok(bundle) => output::finish_io(command(&bundle)),
            Err(status) => status,
        };
    }
    with_bundle_for_evaluation(path, command)
}

/// As [`with_compiled_bundle`], and `path` may also be a folder written by
/// `triage compile --split`: then the journey on `pathway` runs with the
/// catalog's part for it.
fn with_compiled_bundle_or_part(
    path: &Path,
    pathway: Option<&str>,
    command: impl FnOnce(&Bundle) -> std::io::Result<Status>,
) -> Status {
    if path.join(triage_core::compile::CATALOG_FILE).is_file() {
        let Some(pathway) = pathway else {
            return output::usage_error(&format!(
                "{} is a split bundle (triage compile --split): give the pathway to run with --pathway",
                path.display()
            ));
        };
        return match Bundle::refusing(path, triage_core::open_part(path, pathway)) {
            Ok(bundle) => output::finish_io(command(&bundle)),
            Err(status) => status,
        };
    }
    with_compiled_bundle(path, command)
}

fn with_bundle_built(
    dir: &Path,
    options: &BuildOptions,
    command: impl FnOnce(&Bundle) -> std::io::Result<Status>,
) -> Status {
    match Bundle::open(dir, options) {
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
    fn open(dir: &Path, options: &BuildOptions) -> Result<Bundle, Status> {
        if !dir.exists() {
            return Err(output::usage_error(&format!(
                "no such directory or file: {}",
                dir.display()
            )));
        }
        if !dir.is_dir() {
            let compiled = std::fs::File::open(dir).is_ok_and(|mut file| {
                let mut start = [0; triage_core::artifact::MAGIC.len()];
                std::io::Read::read_exact(&mut file, &mut start).is_ok()
                    && triage_core::artifact::is_artifact(&start)
            });
            return Err(output::usage_error(&if compiled {
                format!(
                    "{} is a compiled bundle, and this command reads the pathway files: give the directory it was compiled from (`run`, `next`, `list pathways`, `serve` and `audit verify --bundle` take a compiled bundle)",
                    dir.display()
                )
            } else {
                format!(
                    "not a directory: {} (give the bundle directory, e.g. `pathways`, or a file written by `triage compile` to commands that take one)",
                    dir.display()
                )
            }));
        }
        let built = triage_core::build_dir_with_options(dir, options);
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

    /// Reads the compiled artifact at `path`; a file that is not a sound
    /// artifact is refused with the reason and what to do.
    fn open_artifact(path: &Path) -> Result<Bundle, Status> {
        Bundle::refusing(path, triage_core::open_artifact(path))
    }

    /// A compiled bundle read from `path`, or its refusal printed to stderr.
    fn refusing(
        path: &Path,
        opened: Result<CompiledBundle, triage_core::InvalidBundle>,
    ) -> Result<Bundle, Status> {
        match opened {
            Ok(compiled) => Ok(Bundle {
                built: Built {
                    sources: triage_core::load::Sources::default(),
                    diagnostics: Vec::new(),
                    doc: triage_core::load::BundleDoc::default(),
                    ir: None,
                    bundle: Some(compiled),
                    for_review: None,
                },
                files: BundleFiles::new(path, std::iter::empty()),
            }),
            Err(refused) => {
                let reasons = refused.errors.iter().map(|e| terminal::clean(e));
                output::eprint(&format!(
                    "error: {}\n",
                    reasons.collect::<Vec<_>>().join("; ")
                ));
                Err(Status::Failed)
            }
        }
    }

    /// The compiled bundle; when the bundle has errors, prints them to stderr
    /// and gives [`Status::Failed`].
    pub fn compiled(&self) -> Result<&CompiledBundle, Status> {
        match &self.built.bundle {
            Some(compiled) => Ok(compiled),
            None => {
                let color = render::use_color(std::io::stderr().is_terminal());
                let tally = render::Tally::of(&self.built.diagnostics);
                output::eprint(&render::human(&self.files, &self.built.diagnostics, color));
                output::eprint(&format!(
                    "the bundle cannot be used until its errors are fixed ({tally})\n"
                ));
                Err(Status::Failed)
            }
        }
    }
}

impl Bundle {
    /// The compiled bundle for comparing versions: as [`Bundle::compiled`],
    /// but a bundle whose errors leave its graph sound (e.g. "not sure" leads
    /// to self-care) is compiled anyway, its errors printed to stderr with a
    /// warning that it cannot be used to triage.
    ///
    /// Also gives, for a bundle compiled despite its errors, a note naming them.
    pub fn compiled_for_review(
        &self,
        name: &Path,
    ) -> Result<(&CompiledBundle, Option<String>), Status> {
        match (&self.built.bundle, &self.built.for_review) {
            (Some(compiled), _) => Ok((compiled, None)),
            (None, Some(compiled)) => {
                let color = render::use_color(std::io::stderr().is_terminal());
                let tally = render::Tally::of(&self.built.diagnostics);
                output::eprint(&render::human(&self.files, &self.built.diagnostics, color));
                let errors: Vec<String> = self
                    .built
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| render::plain(&self.files, d).trim_end().to_owned())
                    .collect();
                let note = format!(
                    "{} has errors ({tally}), so it cannot be used to triage; its journeys are compared all the same. {}",
                    name.display(),
                    errors.join("; ")
                );
                output::eprint(&format!("warning: {note}\n"));
                Ok((compiled, Some(note)))
            }
            (None, None) => self.compiled().map(|c| (c, None)),
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
        Err(error) => {
            let fallback =
                serde_json::json!({"error": {"code": "internal", "message": error.to_string()}});
            format!("{fallback}\n")
        }
    }
}
