//! The worked example of the language guide (the first section of
//! `docs/pathway-language.md`) is a real bundle: every file it shows is the
//! file in `docs/example/fever-bundle/`, word for word, and that bundle
//! validates with no errors or warnings and passes its case packs.

use std::path::Path;
use std::process::Command;

const EXAMPLE: &str = "docs/example/fever-bundle";

/// Each file the worked example shows: its path in the bundle and its text.
fn shown_files() -> Vec<(String, String)> {
    let guide = std::fs::read_to_string("docs/pathway-language.md").expect("the guide");
    let start = guide.find("## 1. A worked example").expect("section 1");
    let end = guide.find("## 2. Bundle layout").expect("section 2");
    guide[start..end]
        .split("\n### ")
        .skip(1)
        .filter_map(|part| {
            let heading = part.lines().next()?;
            let path = heading.split('`').nth(1).filter(|p| p.ends_with(".yaml"))?;
            let block = part.split("```yaml\n").nth(1)?.split("```").next()?;
            Some((path.to_owned(), block.to_owned()))
        })
        .collect()
}

#[test]
fn every_file_the_worked_example_shows_is_the_file_in_the_example_bundle() {
    let shown = shown_files();
    assert_eq!(
        shown.len(),
        5,
        "{:?}",
        shown.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for (path, text) in shown {
        let file = std::fs::read_to_string(Path::new(EXAMPLE).join(&path))
            .unwrap_or_else(|e| panic!("{EXAMPLE}/{path}: {e}"));
        // The file's first line names its schema for editors; the guide leaves it out.
        let body = match file.split_once('\n') {
            Some((first, rest)) if first.starts_with("# yaml-language-server:") => rest,
            _ => file.as_str(),
        };
        assert_eq!(
            body, text,
            "{EXAMPLE}/{path} differs from what the guide shows"
        );
    }
}

#[test]
fn the_worked_example_validates_cleanly_and_its_cases_pass() {
    let triage = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_triage"))
            .args(args)
            .output()
            .expect("triage runs")
    };
    let validate = triage(&["validate", EXAMPLE]);
    let text = String::from_utf8_lossy(&validate.stdout);
    assert!(validate.status.success(), "{text}");
    assert!(text.contains(": 0 errors, 0 warnings"), "{text}");
    let test = triage(&["test", EXAMPLE]);
    let text = String::from_utf8_lossy(&test.stdout);
    assert!(test.status.success(), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}
