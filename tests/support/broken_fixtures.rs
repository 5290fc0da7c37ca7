//! The broken-bundle fixtures: each directory under `tests/fixtures/broken/`
//! is a copy of `tests/fixtures/valid/` with one deliberate mistake, listed
//! in [`FIXTURES`] with the diagnostic it must give. Shared by the engine's
//! own tests (what the library reports) and the command-line tests (what
//! `triage validate` prints).

// Each test crate that includes this uses its own part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use triage_core::diag::{Diagnostic, Severity};
use triage_core::Built;

/// `tests/fixtures/` of the repository, from either crate.
pub fn fixtures() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = if crate_dir.join("tests/fixtures/broken").is_dir() {
        crate_dir
    } else {
        crate_dir.parent().unwrap_or(crate_dir)
    };
    root.join("tests/fixtures")
}

/// One broken bundle and the diagnostic it must give.
pub struct Fixture {
    /// Directory name under `tests/fixtures/broken/`.
    pub name: &'static str,
    /// Expected diagnostic code; codes starting with `W` are warnings.
    pub code: &'static str,
    /// File the diagnostic must name, relative to the bundle.
    pub file: &'static str,
    /// Line it must point at.
    pub line: u32,
    /// Words the message or its help must contain (the bad key or id, the
    /// loop, the way to self-care), if any.
    pub mentions: Option<&'static str>,
}

#[rustfmt::skip]
pub const FIXTURES: &[Fixture] = &[
    // An unquoted colon inside question text.
    Fixture { name: "yaml-syntax", code: "L004", file: "pathways/cough.yaml", line: 38, mentions: None },
    // A question has a key the language does not have (`hint`).
    Fixture { name: "unknown-key", code: "L005", file: "pathways/cough.yaml", line: 49, mentions: Some("hint") },
    // An outcome without its `disposition`.
    Fixture { name: "missing-key", code: "L006", file: "pathways/cough.yaml", line: 105, mentions: Some("disposition") },
    // A question without its `text`: the mapping that lacks it starts at `kind:`.
    Fixture { name: "missing-key-in-long-mapping", code: "L006", file: "pathways/cough.yaml", line: 48, mentions: Some("text") },
    // A question kind that is not one of the allowed words.
    Fixture { name: "wrong-kind-word", code: "L007", file: "pathways/cough.yaml", line: 49, mentions: Some("yesno") },
    // A question with two `text` keys.
    Fixture { name: "duplicate-yaml-key", code: "L010", file: "pathways/cough.yaml", line: 49, mentions: Some("text") },
    // The pathway file cut off in the middle of a key.
    Fixture { name: "truncated-file", code: "L004", file: "pathways/cough.yaml", line: 58, mentions: None },
    // An answer leads to a node id that does not exist.
    Fixture { name: "dangling-next", code: "E203", file: "pathways/cough.yaml", line: 45, mentions: Some("smokeing") },
    // An outcome names a disposition that is not in the catalogue.
    Fixture { name: "unknown-disposition", code: "E204", file: "pathways/cough.yaml", line: 102, mentions: Some("see-pharmacist") },
    // An answer names care advice that is not in the catalogue.
    Fixture { name: "unknown-care-advice", code: "E205", file: "pathways/cough.yaml", line: 80, mentions: Some("worse") },
    // A call to a module that does not exist.
    Fixture { name: "unknown-module", code: "E206", file: "pathways/cough.yaml", line: 20, mentions: Some("breathing-screening") },
    // A goto to a pathway that does not exist.
    Fixture { name: "unknown-pathway-in-goto", code: "E207", file: "pathways/cough.yaml", line: 102, mentions: Some("common-cold") },
    // Two nodes with the id `gp` in one file.
    Fixture { name: "duplicate-node-id", code: "E202", file: "pathways/cough.yaml", line: 103, mentions: Some("gp") },
    // Two dispositions with the same id.
    Fixture { name: "duplicate-disposition-id", code: "E101", file: "dispositions.yaml", line: 21, mentions: Some("speak-to-gp") },
    // Two dispositions with the same urgency rank.
    Fixture { name: "duplicate-rank", code: "E102", file: "dispositions.yaml", line: 20, mentions: None },
    // An answer leads back to an earlier question.
    Fixture { name: "cycle-in-pathway", code: "E401", file: "pathways/cough.yaml", line: 45, mentions: Some("cough/weeks -> cough/blood -> cough/weeks") },
    // A module that calls itself.
    Fixture { name: "cycle-through-module", code: "E401", file: "modules/breathing-screen.yaml", line: 25, mentions: Some("breathing-screen/struggling -> breathing-screen/again -> breathing-screen/struggling") },
    // A pathway that jumps back to its own start.
    Fixture { name: "cycle-through-goto", code: "E401", file: "pathways/cough.yaml", line: 100, mentions: Some("cough/decide -> cough/pharmacist -> cough/screen") },
    // "I'm not sure" leads straight to self-care.
    Fixture { name: "not-sure-to-self-care", code: "E402", file: "pathways/cough.yaml", line: 71, mentions: Some("`phlegm` not sure -> outcome `home`") },
    // "I'm not sure" in a module returns to a pathway that can reach self-care.
    Fixture { name: "not-sure-returns-to-self-care", code: "E402", file: "modules/breathing-screen.yaml", line: 23, mentions: Some("`struggling` not sure -> back in the pathway that called this module") },
    // `next: return` in a pathway.
    Fixture { name: "return-outside-module", code: "E209", file: "pathways/cough.yaml", line: 45, mentions: None },
    // A yes/no question without its `no` answer.
    Fixture { name: "yes-no-without-no", code: "E301", file: "pathways/cough.yaml", line: 46, mentions: None },
    // Number bands that leave 3 to 4 uncovered.
    Fixture { name: "band-gap", code: "E504", file: "pathways/cough.yaml", line: 31, mentions: None },
    // Number bands that both cover 2 to 3.
    Fixture { name: "band-overlap", code: "E505", file: "pathways/cough.yaml", line: 31, mentions: None },
    // Number bands that stop at 20 when the range goes to 52.
    Fixture { name: "bands-outside-range", code: "E506", file: "pathways/cough.yaml", line: 32, mentions: None },
    // A condition that ends with `and`.
    Fixture { name: "expression-syntax", code: "E501", file: "pathways/cough.yaml", line: 93, mentions: None },
    // A condition reads the answer to a question that does not exist.
    Fixture { name: "expression-unknown-answer", code: "E502", file: "pathways/cough.yaml", line: 93, mentions: Some("others") },
    // A condition compares a number answer with an option.
    Fixture { name: "expression-type", code: "E503", file: "pathways/cough.yaml", line: 93, mentions: None },
    // A branch with cases but no `otherwise`.
    Fixture { name: "branch-without-otherwise", code: "E307", file: "pathways/cough.yaml", line: 89, mentions: Some("has `cases` but no `otherwise`") },
    // An answer sets a variable the pathway does not declare.
    Fixture { name: "set-unknown-variable", code: "E210", file: "pathways/cough.yaml", line: 52, mentions: Some("smokes") },
    // A case pack for a pathway that does not exist.
    Fixture { name: "case-unknown-pathway", code: "E601", file: "pathways/cough.cases.yaml", line: 1, mentions: Some("coughing") },
    // A case answers a question with an option it does not offer.
    Fixture { name: "case-unknown-option", code: "E603", file: "pathways/cough.cases.yaml", line: 17, mentions: Some("white") },
    // A node that no answer leads to (a warning only).
    Fixture { name: "unreachable-node", code: "W403", file: "pathways/cough.yaml", line: 107, mentions: Some("nurse") },
    // A question written for `self` and `child` only, on an adults' pathway: `other` can reach it.
    Fixture { name: "audience-missing", code: "E407", file: "pathways/cough.yaml", line: 36, mentions: Some("other") },
    // A pathway with no `topics:` at all (`topics: []` would say it is reached by search only).
    Fixture { name: "topics-missing", code: "W314", file: "pathways/cough.yaml", line: 2, mentions: Some("cough") },
    // A topic title that is not on the 111 online list.
    Fixture { name: "unknown-topic", code: "E311", file: "pathways/cough.yaml", line: 8, mentions: Some("Coughs") },
    // An adults' pathway claims a topic offered only to babies and toddlers.
    Fixture { name: "topic-outside-ages", code: "E312", file: "pathways/cough.yaml", line: 8, mentions: Some("Teething") },
    // A question written per audience with an empty text for one of them.
    Fixture { name: "empty-audience-text", code: "E303", file: "pathways/cough.yaml", line: 38, mentions: None },
    // A 999 outcome that gives the person 40 minutes before calling.
    Fixture { name: "call-999-within-minutes", code: "E106", file: "dispositions.yaml", line: 7, mentions: Some("within 40 minutes") },
    // The key that once meant both the person's deadline and a service target.
    Fixture { name: "old-within-minutes", code: "L005", file: "dispositions.yaml", line: 13, mentions: Some("within_minutes") },
    // A call-back that says how soon the person should act, but not when the call comes.
    Fixture { name: "call-back-without-time", code: "E105", file: "dispositions.yaml", line: 9, mentions: Some("call back") },
    // The same word in two synonym groups.
    Fixture { name: "synonym-in-two-groups", code: "E310", file: "synonyms.yaml", line: 4, mentions: Some("mucus") },
];

/// Further errors that a fixture's mistake rightly causes, besides its own code.
const CONSEQUENCES: &[(&str, &[&str])] = &[
    // The case pack answers `smoking: no`, which is no longer offered.
    ("yes-no-without-no", &["E603"]),
];

impl Fixture {
    /// True when an error with `code` is this fixture's mistake or follows from it.
    pub fn explains(&self, code: &str) -> bool {
        code == self.code
            || CONSEQUENCES
                .iter()
                .any(|(name, codes)| *name == self.name && codes.contains(&code))
    }

    pub fn dir(&self) -> PathBuf {
        fixtures().join("broken").join(self.name)
    }

    pub fn is_warning(&self) -> bool {
        self.code.starts_with('W')
    }

    pub fn expected_severity(&self) -> Severity {
        if self.is_warning() {
            Severity::Warning
        } else {
            Severity::Error
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "{}: expected {} at {}:{}",
            self.name, self.code, self.file, self.line
        )
    }
}

/// Builds the bundle in `dir` through the library, turning a panic into an error.
pub fn build(dir: &Path) -> Result<Built, String> {
    std::panic::catch_unwind(|| triage_core::build_dir(dir))
        .map_err(|_| format!("building {} panicked", dir.display()))
}

pub fn path_of<'a>(built: &'a Built, d: &Diagnostic) -> &'a str {
    built
        .sources
        .files
        .get(d.loc.file)
        .map_or("<bundle>", |f| f.path.as_str())
}

pub fn list(built: &Built) -> String {
    built
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "\n    {} {}:{}:{} {}",
                d.code.0,
                path_of(built, d),
                d.loc.line,
                d.loc.column,
                d.message
            )
        })
        .collect()
}

/// Problems with what the library reports for `fixture` (empty when all is well).
pub fn library_problems(fixture: &Fixture) -> Vec<String> {
    let built = match build(&fixture.dir()) {
        Ok(built) => built,
        Err(panic) => return vec![format!("{}: {panic}", fixture.name)],
    };
    let mut problems = Vec::new();
    let found = built.diagnostics.iter().find(|d| {
        d.code.0 == fixture.code && path_of(&built, d) == fixture.file && d.loc.line == fixture.line
    });
    match found {
        None => problems.push(format!("{}; got:{}", fixture.describe(), list(&built))),
        Some(d) => {
            if d.severity != fixture.expected_severity() {
                problems.push(format!("{}: severity {:?}", fixture.describe(), d.severity));
            }
            // A message or hint is one clean line: no runs of spaces from a
            // string continued over source lines.
            let texts = [Some(d.message.as_str()), d.help.as_deref()];
            if let Some(text) = texts.into_iter().flatten().find(|t| t.contains("  ")) {
                problems.push(format!(
                    "{}: a run of spaces in {text:?}",
                    fixture.describe()
                ));
            }
            if let Some(word) = fixture.mentions {
                let help = d.help.as_deref().unwrap_or_default();
                if !d.message.contains(word) && !help.contains(word) {
                    problems.push(format!(
                        "{}: message does not name `{word}`: {}",
                        fixture.describe(),
                        d.message
                    ));
                }
            }
        }
    }
    // One mistake should give diagnostics about that mistake, not a cascade
    // of unrelated errors that hide it.
    let others: Vec<&Diagnostic> = built
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && !fixture.explains(d.code.0))
        .collect();
    if !others.is_empty() {
        problems.push(format!(
            "{}: unrelated errors as well:{}",
            fixture.describe(),
            list(&built)
        ));
    }
    for d in &built.diagnostics {
        if d.help.as_deref().is_none_or(|h| h.trim().is_empty()) {
            problems.push(format!(
                "{}: {} at {}:{} has no help",
                fixture.name,
                d.code.0,
                path_of(&built, d),
                d.loc.line
            ));
        }
    }
    if fixture.is_warning() {
        if built.bundle.is_none() {
            problems.push(format!(
                "{}: a warning alone must not stop the bundle compiling",
                fixture.name
            ));
        }
    } else if built.bundle.is_some() || built.ir.is_some() {
        problems.push(format!(
            "{}: a bundle with errors was compiled",
            fixture.name
        ));
    }
    problems
}

/// Fails with every problem found, if any.
pub fn fail_with(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
