//! Broken bundles through the library: each mistake reported with its code,
//! file and line, and nothing else (the fixtures and what each must give are
//! shared with the command-line tests: tests/support/broken_fixtures.rs).

use crate::broken_fixtures::*;
use std::collections::BTreeSet;

#[test]
fn the_valid_fixture_has_no_diagnostics_and_compiles() {
    let dir = fixtures().join("valid");
    let built = build(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        built.diagnostics.is_empty(),
        "the fixture every broken bundle is copied from must be clean:{}",
        list(&built)
    );
    assert!(built.bundle.is_some());
}

#[test]
fn every_fixture_directory_is_listed_once() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures().join("broken"))
        .unwrap_or_else(|e| panic!("cannot list tests/fixtures/broken: {e}"))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = FIXTURES.iter().map(|f| f.name.to_string()).collect();
    assert_eq!(listed.len(), FIXTURES.len(), "a fixture is listed twice");
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "fixtures on disk but not in FIXTURES: {unlisted:?}; in FIXTURES but not on disk: {missing:?}"
    );
}

#[test]
fn the_library_reports_each_mistake_where_it_is() {
    fail_with(FIXTURES.iter().flat_map(library_problems).collect());
}

/// The valid fixture's files, with `path` replaced by `text`, built.
fn valid_with(path: &str, text: &str) -> triage_core::Built {
    let dir = fixtures().join("valid");
    let (mut sources, diagnostics) = triage_core::load::Sources::from_dir(&dir);
    assert!(diagnostics.is_empty());
    let file = sources
        .files
        .iter_mut()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path} in the valid fixture"));
    file.text = text.to_string();
    triage_core::build(sources)
}

#[test]
fn a_catalogue_that_cannot_be_read_is_reported_once_not_at_every_use() {
    // Each catalogue broken in two ways: its YAML, and its shape.
    for (path, breakages) in [
        (
            "dispositions.yaml",
            ["dispositions: [\n", "dispositions: 7\n"],
        ),
        ("care-advice.yaml", ["care_advice: [\n", "care_advice: 7\n"]),
    ] {
        for broken in breakages {
            let built = valid_with(path, broken);
            let errors: Vec<String> = built
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| format!("{} {}:{}", d.code.0, path_of(&built, d), d.loc.line))
                .collect();
            assert!(
                !errors.is_empty() && errors.iter().all(|e| e.contains(path)),
                "{path} as {broken:?}: only the catalogue's own error, not one per use:{}",
                list(&built)
            );
            assert!(built.bundle.is_none());
        }
    }
}

/// One edit to a file of the valid fixture, and the diagnostic it must give.
struct Edit {
    file: &'static str,
    from: &'static str,
    to: &'static str,
    code: &'static str,
    /// Where it must be reported, when not in the file edited.
    reported_in: Option<&'static str>,
    line: u32,
    /// Words its message or help must hold, if any.
    says: &'static str,
}

#[rustfmt::skip]
const EDITS: &[Edit] = &[
    Edit { file: "care-advice.yaml", from: "care_advice:\n", to: "care_advice:\n  - id: worsening\n    title: Again\n    text: Again.\n", code: "E103", reported_in: None, line: 8, says: "" },
    Edit { file: "dispositions.yaml", from: "code: Dx050", to: "code: Dx010", code: "E104", reported_in: None, line: 10, says: "" },
    Edit { file: "modules/breathing-screen.yaml", from: "id: breathing-screen", to: "id: cough", code: "E201", reported_in: None, line: 2, says: "" },
    Edit { file: "pathways/cough.yaml", from: "- id: green", to: "- id: Green", code: "E208", reported_in: None, line: 60, says: "" },
    Edit { file: "pathways/cough.yaml", from: "- id: green", to: "- id: -green", code: "E208", reported_in: None, line: 60, says: "" },
    Edit { file: "pathways/cough.yaml", from: "- id: green", to: "- id: green-green-green-green-green-green-green-green-green-green-green", code: "E208", reported_in: None, line: 60, says: "" },
    Edit { file: "pathways/cough.yaml", from: "- id: clear", to: "- id: none", code: "E208", reported_in: None, line: 64, says: "" },
    Edit { file: "pathways/cough.yaml", from: "- id: clear", to: "- id: green", code: "E212", reported_in: None, line: 64, says: "" },
    Edit { file: "pathways/cough.yaml", from: "set: { smoker: true }", to: "set: { smoker: 3 }", code: "E213", reported_in: None, line: 52, says: "" },
    Edit { file: "pathways/cough.yaml", from: "      kind: yes_no\n      yes:\n        next: gp", to: "      kind: yes_no\n      unit: weeks\n      yes:\n        next: gp", code: "E301", reported_in: None, line: 39, says: "a `yes_no` question does not take `unit` a yes_no question takes `yes:` and `no:`" },
    Edit { file: "pathways/cough.yaml", from: "range: { min: 0, max: 52 }", to: "range: { min: 52, max: 0 }", code: "E304", reported_in: None, line: 27, says: "" },
    Edit { file: "pathways/cough.yaml", from: "ages: { from: 16 }", to: "ages: { from: -1 }", code: "E305", reported_in: None, line: 6, says: "" },
    Edit { file: "pathways/cough.yaml", from: "ages: { from: 16 }", to: "ages: { from: .inf }", code: "E305", reported_in: None, line: 6, says: "" },
    Edit { file: "pathways/cough.yaml", from: "ages: { from: 16 }", to: "ages: { from: 16, to: .nan }", code: "E305", reported_in: None, line: 6, says: "" },
    Edit { file: "pathways/cough.yaml", from: "url: https://www.nhs.uk/conditions/cough/", to: "url: \"\"", code: "E303", reported_in: None, line: 11, says: "" },
    Edit { file: "pathways/cough.yaml", from: "- title: NHS - Cough", to: "- title: \" \"", code: "E303", reported_in: None, line: 11, says: "" },
    Edit { file: "modules/breathing-screen.yaml", from: "  start: struggling\n", to: "  start: struggling\n  variables:\n    smoker: number\n", code: "E211", reported_in: None, line: 11, says: "declared as a number here but as true/false elsewhere" },
    Edit { file: "care-advice.yaml", from: "    text: Call 111 if your symptoms get worse or you are worried.\n", to: "", code: "L006", reported_in: None, line: 5, says: "" },
    Edit { file: "pathways/cough.yaml", from: "ages: { from: 16 }", to: "ages: { from: 16, to: 16 }", code: "E305", reported_in: None, line: 6, says: "" },
    Edit { file: "modules/breathing-screen.yaml", from: "  sources:\n    - title: NHS 111 online\n      url: https://111.nhs.uk/\n", to: "  sources: []\n", code: "E306", reported_in: None, line: 2, says: "" },
    Edit { file: "pathways/cough.yaml", from: "keywords: [cough, coughing]", to: "keywords: []", code: "W309", reported_in: None, line: 2, says: "" },
    Edit { file: "modules/breathing-screen.yaml", from: "next: return", to: "next: ambulance", code: "W405", reported_in: Some("pathways/cough.yaml"), line: 18, says: "" },
    Edit { file: "pathways/cough.yaml", from: "        - when: \"answer.other has fever\"", to: "        - when: \"answer.other has fever\"\n          next: gp\n        - when: \"answer.other has fever\"", code: "W507", reported_in: None, line: 95, says: "" },
    Edit { file: "pathways/cough.cases.yaml", from: "- weeks: 1", to: "- months: 1", code: "E602", reported_in: None, line: 14, says: "" },
    Edit { file: "pathways/cough.cases.yaml", from: "disposition: self-care", to: "disposition: nowhere", code: "E604", reported_in: None, line: 20, says: "" },
    Edit { file: "pathways/cough.cases.yaml", from: "- weeks: 1", to: "- { weeks: 1, blood: no }", code: "E605", reported_in: None, line: 14, says: "" },
    Edit { file: "pathways/cough.cases.yaml", from: "patient: { age: 45, sex: male }", to: "patient: { age: 4, sex: male }", code: "E606", reported_in: None, line: 11, says: "a male aged 4 cannot start `cough` (it is for 16 years and over, female and male)" },
    Edit { file: "pathways/cough.yaml", from: "sexes: [female, male]", to: "sexes: [female]", code: "E606", reported_in: Some("pathways/cough.cases.yaml"), line: 11, says: "a male aged 45 cannot start `cough` (it is for 16 years and over, female)" },
    Edit { file: "pathways/cough.yaml", from: "ages: { from: 16 }", to: "ages: { from: 50, to: 65.5 }", code: "E606", reported_in: Some("pathways/cough.cases.yaml"), line: 4, says: "a female aged 30 cannot start `cough` (it is for 50 up to (not including) 65.5 years, female and male)" },
    Edit { file: "pathways/cough.cases.yaml", from: "patient: { age: 45, sex: male }", to: "patient: { age: 45, months: 12, sex: male }", code: "E606", reported_in: None, line: 11, says: "`months: 12` should be 0 to 11" },
    Edit { file: "pathways/cough.cases.yaml", from: "patient: { age: 45, sex: male }", to: "patient: { age: 15, months: 11, sex: male }", code: "E606", reported_in: None, line: 11, says: "aged 15 cannot start" },
    Edit { file: "pathways/cough.cases.yaml", from: "pathway: cough", to: "pathway: breathing-screen", code: "E601", reported_in: None, line: 1, says: "" },
    Edit { file: "pathways/cough.cases.yaml", from: "- weeks: 1", to: "- weeks: true", code: "E603", reported_in: None, line: 14, says: "`yes` is not an answer to `weeks`" },
    Edit { file: "pathways/cough.cases.yaml", from: "advice: [worsening]", to: "advice: [nothing-like-it]", code: "E607", reported_in: None, line: 21, says: "" },
];

#[test]
fn each_edit_to_the_valid_fixture_is_reported_where_it_is_made() {
    let dir = fixtures().join("valid");
    let mut problems = Vec::new();
    for edit in EDITS {
        let text = std::fs::read_to_string(dir.join(edit.file)).unwrap_or_default();
        assert!(
            text.contains(edit.from),
            "{}: {:?} is not in {}",
            edit.code,
            edit.from,
            edit.file
        );
        let built = valid_with(edit.file, &text.replacen(edit.from, edit.to, 1));
        let found = built.diagnostics.iter().any(|d| {
            d.code.0 == edit.code
                && path_of(&built, d) == edit.reported_in.unwrap_or(edit.file)
                && d.loc.line == edit.line
                && format!("{} {}", d.message, d.help.as_deref().unwrap_or_default())
                    .contains(edit.says)
        });
        if !found {
            problems.push(format!(
                "{} expected at {}:{} saying {:?}; got:{}",
                edit.code,
                edit.reported_in.unwrap_or(edit.file),
                edit.line,
                edit.says,
                list(&built)
            ));
        }
        let is_error = !edit.code.starts_with('W');
        assert_eq!(
            built.bundle.is_none(),
            is_error || built.has_errors(),
            "{}",
            edit.code
        );
    }
    fail_with(problems);
}

#[test]
fn ids_may_hold_lowercase_letters_digits_hyphens_and_underscores() {
    for id in ["nothing_at_all", "2-or-more", "a", "x_1-y"] {
        let dir = fixtures().join("valid");
        let text = std::fs::read_to_string(dir.join("pathways/cough.yaml")).unwrap_or_default();
        let built = valid_with(
            "pathways/cough.yaml",
            &text.replacen("- id: nothing", &format!("- id: {id}"), 1),
        );
        assert!(built.diagnostics.is_empty(), "{id}:{}", list(&built));
    }
}

#[test]
fn what_is_right_is_not_reported() {
    let dir = fixtures().join("valid");
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    let fine = [
        // A call-back disposition that says within how long.
        (
            "dispositions.yaml",
            format!(
                "{}  - id: nurse-call-back\n    code: Dx060\n    title: A nurse will call you back\n    service: clinician_call_back\n    act_within_minutes: 120\n    service_standard_minutes: 120\n    rank: 6\n",
                read("dispositions.yaml")
            ),
        ),
        // A case's patient just old enough, with months.
        (
            "pathways/cough.cases.yaml",
            read("pathways/cough.cases.yaml")
                .replacen("patient: { age: 45, sex: male }", "patient: { age: 16, sex: male }", 1)
                .replacen("patient: { age: 30, sex: female }", "patient: { age: 45, months: 11, sex: female }", 1)
                .replacen("breathing-screen/struggling: yes", "breathing-screen/struggling: true", 1),
        ),
        // The same variable declared twice with one type.
        (
            "modules/breathing-screen.yaml",
            read("modules/breathing-screen.yaml")
                .replacen("  start: struggling\n", "  start: struggling\n  variables:\n    smoker: bool\n", 1),
        ),
    ];
    for (file, text) in fine {
        let built = valid_with(file, &text);
        let errors: Vec<_> = built.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{file}:{}", list(&built));
    }
}

#[test]
fn a_misspelt_name_in_a_condition_is_met_with_the_nearest_one() {
    let dir = fixtures().join("valid");
    let text = std::fs::read_to_string(dir.join("pathways/cough.yaml")).unwrap_or_default();
    for (from, to, nearest) in [
        ("answer.weeks >= 2", "answer.week >= 2", "weeks"),
        ("var.smoker and", "var.smokr and", "smoker"),
    ] {
        let built = valid_with("pathways/cough.yaml", &text.replacen(from, to, 1));
        let found = built.diagnostics.iter().find(|d| d.code.0 == "E502");
        let said =
            found.map(|d| format!("{} {}", d.message, d.help.as_deref().unwrap_or_default()));
        assert!(
            said.as_deref()
                .is_some_and(|s| s.contains(&format!("`{nearest}`")) || s.contains(nearest)),
            "{to}: {said:?}{}",
            list(&built)
        );
        assert!(said.is_some_and(|s| !s.contains("xyzzy")));
    }
}

#[test]
fn a_part_that_did_not_read_hides_only_what_follows_from_it() {
    let dir = fixtures().join("valid");
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    let cough = read("pathways/cough.yaml");
    // Each pair: a part that does not read (its own error), and an unrelated
    // mistake that must still be reported.
    let dangling = cough.replacen(
        "          next: pharmacist\n",
        "          next: pharmacy\n",
        1,
    );
    let pairs: [(&str, String, &str, String, &str); 5] = [
        (
            "care-advice.yaml",
            "care_advice: 7\n".to_string(),
            "pathways/cough.yaml",
            cough.replacen(
                "disposition: ask-pharmacist",
                "disposition: ask-a-pharmacist",
                1,
            ),
            "E204",
        ),
        (
            "care-advice.yaml",
            read("care-advice.yaml").replacen(
                "    text: Call 111 if your symptoms get worse or you are worried.\n",
                "",
                1,
            ),
            "pathways/cough.yaml",
            cough.replacen(
                "disposition: ask-pharmacist",
                "disposition: ask-a-pharmacist",
                1,
            ),
            "E204",
        ),
        (
            "pathways/cough.yaml",
            String::new(),
            "pathways/cough.yaml",
            cough
                .replacen("      text: What colour is the phlegm coughed up?\n", "", 1)
                .replacen(
                    "          next: pharmacist\n",
                    "          next: pharmacy\n",
                    1,
                ),
            "E203",
        ),
        (
            "modules/breathing-screen.yaml",
            read("modules/breathing-screen.yaml").replacen("      kind: yes_no\n", "", 1),
            "pathways/cough.yaml",
            dangling.clone(),
            "E203",
        ),
        (
            "modules/breathing-screen.yaml",
            "module: 7\n".to_string(),
            "pathways/cough.yaml",
            dangling,
            "E203",
        ),
    ];
    for (broken_file, broken_text, other_file, other_text, code) in pairs {
        let (mut sources, _) = triage_core::load::Sources::from_dir(&dir);
        for file in &mut sources.files {
            if file.path == other_file {
                file.text.clone_from(&other_text);
            }
            if file.path == broken_file && !broken_text.is_empty() {
                file.text.clone_from(&broken_text);
            }
        }
        let built = triage_core::build(sources);
        assert!(
            built.diagnostics.iter().any(|d| d.code.0 == code),
            "{broken_file} broken and {code} in {other_file}:{}",
            list(&built)
        );
    }
}
