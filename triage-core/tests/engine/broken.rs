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
    valid_with_files(&[(path, text.to_string())])
}

/// The valid fixture's files, each of `changes` replacing the file of its
/// path or added beside them, built.
fn valid_with_files(changes: &[(&str, String)]) -> triage_core::Built {
    let dir = fixtures().join("valid");
    let (sources, diagnostics) = triage_core::load::Sources::from_dir(&dir);
    assert!(diagnostics.is_empty());
    let mut texts: Vec<(String, String)> = sources
        .files
        .into_iter()
        .map(|f| (f.path, f.text))
        .collect();
    for (path, text) in changes {
        match texts.iter_mut().find(|(p, _)| p == path) {
            Some(file) => file.1.clone_from(text),
            None => texts.push((path.to_string(), text.clone())),
        }
    }
    let (sources, _) = triage_core::load::Sources::from_texts(texts);
    triage_core::build(sources)
}

/// The valid fixture's `file`, with `from` replaced by `to` (which must be there).
fn edited(file: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(fixtures().join("valid").join(file)).unwrap_or_default();
    assert!(text.contains(from), "{from:?} is not in {file}");
    text.replacen(from, to, 1)
}

/// The codes of `built`'s diagnostics reported in `file` at `line`, with their messages.
fn reported_at(built: &triage_core::Built, file: &str, line: u32) -> Vec<String> {
    built
        .diagnostics
        .iter()
        .filter(|d| path_of(built, d) == file && d.loc.line == line)
        .map(|d| format!("{} {}", d.code.0, d.message))
        .collect()
}

const DECIDE: &str = "        - when: \"score.concern >= 2 or (var.smoker and answer.weeks >= 2)\"
          next: gp
        - when: \"answer.other has fever\"
          next: pharmacist
";

#[test]
fn branch_cases_on_one_number_must_meet_without_overlapping() {
    let cases = |first: &str, second: &str| {
        let text = format!(
            "        - when: \"{first}\"\n          next: gp\n        - when: \"{second}\"\n          next: pharmacist\n"
        );
        valid_with(
            "pathways/cough.yaml",
            &edited("pathways/cough.yaml", DECIDE, &text),
        )
    };
    // (first case, second case, what the second case's line must report)
    let expected: [(&str, &str, &[&str]); 8] = [
        (
            "answer.weeks >= 2",
            "answer.weeks >= 4",
            &["E508 this case overlaps case 1"],
        ),
        (
            "answer.weeks < 4",
            "answer.weeks >= 2",
            &["E508 this case overlaps case 1"],
        ),
        ("answer.weeks < 2", "answer.weeks >= 2", &[]),
        ("answer.weeks <= 2", "answer.weeks > 2", &[]),
        (
            "answer.weeks < 2",
            "answer.weeks >= 3",
            &["E504 values between 2 and 3 match no case"],
        ),
        (
            "answer.weeks < 2",
            "answer.weeks > 2",
            &["E504 values between 2 and 2 match no case"],
        ),
        ("answer.weeks >= 2", "age >= 30", &[]),
        (
            "answer.weeks >= 2",
            "answer.weeks >= 2",
            &[
                "E508 this case overlaps case 1",
                "W507 this case repeats case 1",
            ],
        ),
    ];
    for (first, second, reports) in expected {
        let built = cases(first, second);
        let at = reported_at(&built, "pathways/cough.yaml", 93);
        let codes: Vec<String> = at
            .iter()
            .filter(|r| !r.starts_with("E401"))
            .cloned()
            .collect();
        assert_eq!(
            codes.len(),
            reports.len(),
            "{first} / {second}: {codes:?}{}",
            list(&built)
        );
        for (got, want) in codes.iter().zip(reports) {
            assert!(
                got.starts_with(want),
                "{first} / {second}: {got} is not {want}"
            );
        }
    }
}

#[test]
fn a_topic_is_claimed_only_for_people_the_pathway_serves_and_by_one_pathway_for_each() {
    let second = |from: &str, to: &str| {
        edited("pathways/cough.yaml", "  id: cough\n", "  id: cough-two\n").replacen(from, to, 1)
    };
    let w313 = |built: &triage_core::Built| -> Vec<String> {
        built
            .diagnostics
            .iter()
            .filter(|d| d.code.0 == "W313")
            .map(|d| format!("{}:{} {}", path_of(built, d), d.loc.line, d.message))
            .collect()
    };
    // The same pathway twice: the topic claimed twice for the same people.
    let twice = valid_with_files(&[("pathways/cough-two.yaml", second("", ""))]);
    let claims = w313(&twice);
    assert_eq!(claims.len(), 1, "{claims:?}");
    assert!(
        claims[0].contains("`Cough` is also claimed by pathway `cough-two` for females aged 16+"),
        "{claims:?}"
    );
    let males = valid_with_files(&[(
        "pathways/cough-two.yaml",
        second("sexes: [female, male]", "sexes: [male]"),
    )]);
    assert!(
        w313(&males)
            .first()
            .is_some_and(|c| c.contains("for males aged")),
        "{:?}",
        w313(&males)
    );
    // Ages that do not meet: no shared claim.
    let children = valid_with_files(&[(
        "pathways/cough-two.yaml",
        second("ages: { from: 16 }", "ages: { from: 5, to: 16 }"),
    )]);
    assert_eq!(w313(&children), Vec::<String>::new());
    // A female-only topic claimed by a pathway for females and one for males only.
    let topic = "topics: [Sexual or Menstrual Concerns]";
    let both = edited("pathways/cough.yaml", "topics: [Cough]", topic);
    let male_only =
        second("topics: [Cough]", topic).replacen("sexes: [female, male]", "sexes: [male]", 1);
    let built = valid_with_files(&[
        ("pathways/cough.yaml", both),
        ("pathways/cough-two.yaml", male_only),
    ]);
    assert_eq!(w313(&built), Vec::<String>::new());
    assert!(
        reported_at(&built, "pathways/cough-two.yaml", 8)
            .iter()
            .any(|r| r.starts_with("E312")),
        "a topic for females claimed for males only:{}",
        list(&built)
    );
    // A topic for 5 and over claimed by a pathway for under-fives, and by
    // one that reaches five and a half.
    for (ages, refused) in [
        ("ages: { from: 0, to: 5 }", true),
        ("ages: { from: 0, to: 5.5 }", false),
    ] {
        let text = edited(
            "pathways/cough.yaml",
            "topics: [Cough]",
            "topics: [Abdominal Pain]",
        )
        .replacen("ages: { from: 16 }", ages, 1);
        let built = valid_with("pathways/cough.yaml", &text);
        let e312 = reported_at(&built, "pathways/cough.yaml", 8)
            .iter()
            .any(|r| r.starts_with("E312"));
        assert_eq!(e312, refused, "{ages}:{}", list(&built));
    }
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
    Edit { file: "pathways/cough.cases.yaml", from: "- weeks: 1", to: "- weeks: true", code: "E603", reported_in: None, line: 14, says: "`yes` is not an answer to `weeks` `weeks` takes: a number from 0 to 52, or not_sure" },
    Edit { file: "pathways/cough.cases.yaml", from: "- other: none", to: "- other: purple", code: "E603", reported_in: None, line: 18, says: "`other` takes: a list of options, or one of: fever, sore-throat, none, not_sure" },
    Edit { file: "pathways/cough.cases.yaml", from: "- phlegm: clear", to: "- phlegm: purple", code: "E603", reported_in: None, line: 17, says: "`phlegm` takes: green, clear, nothing, not_sure" },
    Edit { file: "pathways/cough.yaml", from: "        - below: 3\n", to: "        - from: 1\n          below: 3\n", code: "E506", reported_in: None, line: 29, says: "values from 0 up to 1 are allowed by `range` but in no band" },
    Edit { file: "pathways/cough.yaml", from: "        - below: 3\n", to: "        - below: .nan\n", code: "E304", reported_in: None, line: 29, says: "holds no value" },
    Edit { file: "pathways/cough.yaml", from: "range: { min: 0, max: 52 }", to: "range: { min: 0, max: .inf }", code: "E304", reported_in: None, line: 27, says: "not two finite numbers" },
    Edit { file: "pathways/cough.yaml", from: "range: { min: 0, max: 52 }", to: "range: { min: .nan, max: 52 }", code: "E304", reported_in: None, line: 27, says: "not two finite numbers" },
    Edit { file: "pathways/cough.yaml", from: "add: { concern: 1 }", to: "add: { concern: .nan }", code: "E213", reported_in: None, line: 33, says: "the amount to add is not a number" },
    Edit { file: "pathways/cough.yaml", from: "add: { concern: 1 }", to: "add: { smoker: 1 }", code: "E213", reported_in: None, line: 33, says: "`smoker` is true/false; it cannot be added to" },
    Edit { file: "pathways/cough.yaml", from: "set: { smoker: true }", to: "set: { concern: 1 }", code: "E213", reported_in: None, line: 52, says: "`concern` is a score; scores are added to, not set" },
    Edit { file: "pathways/cough.yaml", from: "advice: [worsening],\n               reason: A cough that a GP should check }", to: "advice: [worsening] }", code: "W408", reported_in: None, line: 96, says: "outcome `gp` without meeting any reason" },
    Edit { file: "pathways/cough.yaml", from: "text: What colour is the phlegm coughed up?", to: "text: What colour is the phlegm you cough up?", code: "W409", reported_in: None, line: 55, says: "the text of `phlegm` speaks to `self`, but `other` can reach it too" },
    Edit { file: "pathways/cough.yaml", from: "        - below: 3\n          next: blood\n", to: "        - next: blood\n", code: "E505", reported_in: None, line: 29, says: "this band has no `below`, so it overlaps every band after it" },
    Edit { file: "pathways/cough.yaml", from: "        - from: 3\n          next: gp\n", to: "        - next: gp\n", code: "E505", reported_in: None, line: 31, says: "this band has no `from`, so it overlaps every band before it" },
    Edit { file: "pathways/cough.yaml", from: "module: breathing-screen", to: "module: breathing-scren", code: "E206", reported_in: None, line: 20, says: "`breathing-screen`" },
    Edit { file: "pathways/cough.yaml", from: "    smoker: bool\n", to: "    smoker: number\n", code: "E213", reported_in: None, line: 52, says: "`smoker` is a number but is set to" },
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

#[test]
fn a_missing_catalogue_is_reported_once_not_at_every_use() {
    for missing in ["dispositions.yaml", "care-advice.yaml"] {
        let dir = fixtures().join("valid");
        let (mut sources, _) = triage_core::load::Sources::from_dir(&dir);
        sources.files.retain(|f| f.path != missing);
        let built = triage_core::build(sources);
        let errors: Vec<&str> = built
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.0)
            .collect();
        assert_eq!(errors, ["L012"], "without {missing}:{}", list(&built));
    }
}

#[test]
fn a_number_variable_is_set_to_a_finite_number() {
    let with_packs = |value: &str| {
        edited(
            "pathways/cough.yaml",
            "    smoker: bool\n",
            "    smoker: bool\n    packs: number\n",
        )
        .replacen(
            "set: { smoker: true }",
            &format!("set: {{ smoker: true, packs: {value} }}"),
            1,
        )
    };
    let built = valid_with("pathways/cough.yaml", &with_packs("20"));
    assert!(!built.has_errors(), "{}", list(&built));
    for bad in [".inf", ".nan", "true"] {
        let built = valid_with("pathways/cough.yaml", &with_packs(bad));
        let e213 = built
            .diagnostics
            .iter()
            .filter(|d| d.code.0 == "E213")
            .count();
        assert_eq!(e213, 1, "packs: {bad}:{}", list(&built));
    }
}

#[test]
fn a_catalogue_entry_that_cannot_be_read_is_reported_once_not_at_every_use() {
    for (file, from) in [
        (
            "care-advice.yaml",
            "    text: Call 111 if your symptoms get worse or you are worried.\n",
        ),
        (
            "dispositions.yaml",
            "    title: Speak to a GP within 6 hours\n",
        ),
    ] {
        let built = valid_with(file, &edited(file, from, ""));
        let elsewhere: Vec<String> = built
            .diagnostics
            .iter()
            .filter(|d| d.is_error() && path_of(&built, d) != file)
            .map(|d| format!("{} {}", d.code.0, d.message))
            .collect();
        assert!(built.has_errors(), "{file}");
        assert_eq!(elsewhere, Vec::<String>::new(), "{file}:{}", list(&built));
    }
}

#[test]
fn a_unit_that_cannot_be_read_hides_only_references_into_it() {
    // A pathway file that does not read at all, and a misspelt module call.
    let built = valid_with_files(&[
        ("pathways/extra.yaml", "pathway: 7\n".to_string()),
        (
            "pathways/cough.yaml",
            edited(
                "pathways/cough.yaml",
                "module: breathing-screen",
                "module: breathing-scren",
            ),
        ),
    ]);
    assert!(
        built.diagnostics.iter().any(|d| d.code.0 == "E206"),
        "{}",
        list(&built)
    );
    // A module node that does not read, and a case answering a misspelt node of that module.
    let built = valid_with_files(&[
        (
            "modules/breathing-screen.yaml",
            edited(
                "modules/breathing-screen.yaml",
                "      disposition: call-999\n",
                "",
            ),
        ),
        (
            "pathways/cough.cases.yaml",
            edited(
                "pathways/cough.cases.yaml",
                "      - breathing-screen/struggling: yes\n",
                "      - breathing-screen/strugling: yes\n",
            ),
        ),
    ]);
    assert!(
        built.diagnostics.iter().any(|d| d.code.0 == "E602"),
        "{}",
        list(&built)
    );
}

#[test]
fn limits_and_boundaries_are_where_the_guide_puts_them() {
    // At most 60 options to a question.
    let options = |count: usize| {
        let list: String = (0..count)
            .map(|i| format!("        - id: colour-{i}\n          label: Colour {i}\n          next: other\n"))
            .collect();
        edited(
            "pathways/cough.yaml",
            "        - id: green\n          label: Green or yellow\n          next: other\n          add: { concern: 1 }\n        - id: clear\n          label: Clear or white\n          next: other\n        - id: nothing\n          label: I do not cough anything up\n          next: other\n",
            &list,
        )
    };
    let codes = |built: &triage_core::Built| -> Vec<&'static str> {
        built
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.0)
            .collect()
    };
    let sixty = valid_with("pathways/cough.yaml", &options(60));
    assert!(!codes(&sixty).contains(&"E308"), "{}", list(&sixty));
    let sixty_one = valid_with("pathways/cough.yaml", &options(61));
    assert!(codes(&sixty_one).contains(&"E308"), "{}", list(&sixty_one));
    // A first band may say it starts at the bottom of the range.
    let from_bottom = valid_with(
        "pathways/cough.yaml",
        &edited(
            "pathways/cough.yaml",
            "        - below: 3\n",
            "        - from: 0\n          below: 3\n",
        ),
    );
    assert_eq!(
        codes(&from_bottom),
        Vec::<&str>::new(),
        "{}",
        list(&from_bottom)
    );
    // A synonym group of one term is refused; of two, taken.
    for (group, refused) in [("  - [phlegm]\n", true), ("  - [phlegm, mucus]\n", false)] {
        let built = valid_with_files(&[("synonyms.yaml", format!("synonyms:\n{group}"))]);
        assert_eq!(
            codes(&built).contains(&"E310"),
            refused,
            "{group}{}",
            list(&built)
        );
    }
    // A mistake in a quoted condition is placed at its character, past the quote.
    let built = valid_with(
        "pathways/cough.yaml",
        &edited(
            "pathways/cough.yaml",
            "\"answer.other has fever\"",
            "\"answer.other has fever )\"",
        ),
    );
    let e501 = built.diagnostics.iter().find(|d| d.code.0 == "E501");
    assert_eq!(
        e501.map(|d| (d.loc.line, d.loc.column)),
        Some((93, 41)),
        "{}",
        list(&built)
    );
}
