//! `triage test`: case packs and coverage.

use super::*;

#[test]
fn test_passes_when_every_case_passes_and_everything_is_covered() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "test",
            path_arg(bundle.path()),
            "--min-coverage",
            "100",
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let report = stdout_json(&output);
    assert_eq!(report["cases"], 10);
    assert_eq!(report["passed"], 10);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["coverage"]["edges"], 100.0);
    assert_eq!(report["uncovered"], json!([]));
}

#[test]
fn test_fails_on_a_failing_case_and_names_it() {
    let wrong = PERIOD_PAIN_CASES.replace(
        "      - severity: mild\n    expect: { disposition: self-care }",
        "      - severity: mild\n    expect: { disposition: gp-2h }",
    );
    assert_ne!(wrong, PERIOD_PAIN_CASES);
    let bundle = tiny_with("pathways/period-pain.cases.yaml", &wrong);
    let output = triage(&["test", path_arg(bundle.path()), "--format", "json"], "");
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let report = stdout_json(&output);
    assert_eq!(report["failed"], 1);
    let failure = &report["failures"][0];
    let file = bundle.path().join("pathways/period-pain.cases.yaml");
    assert_eq!(failure["file"], file.to_str().unwrap());
    assert_eq!(failure["line"], 8);
    assert_eq!(failure["name"], "mild pain is self-care");

    let output = triage(&["test", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(
        text.contains(&format!("FAIL {}:8", file.display())),
        "{text}"
    );
    assert!(text.contains("10 cases: 9 passed, 1 failed"), "{text}");
}

#[test]
fn test_fails_when_coverage_is_below_the_minimum() {
    let fewer = COUGH_CASES.replace(
        "  - name: a long cough needs a GP
    patient: { age: 40, sex: female }
    answers:
      - emergency-screen/breathing: no
      - blood: no
      - symptoms: [weeks]
    expect: { disposition: gp-2h }
",
        "",
    );
    assert_ne!(fewer, COUGH_CASES);
    let bundle = tiny_with("pathways/cough.cases.yaml", &fewer);
    let dir = path_arg(bundle.path());

    let output = triage(&["test", dir], "");
    assert_eq!(
        code(&output),
        0,
        "without a minimum, missing coverage is only reported"
    );
    let text = stdout(&output);
    assert!(text.contains("cough/symptoms weeks"), "{text}");

    let output = triage(&["test", dir, "--min-coverage", "100"], "");
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("below --min-coverage 100"),
        "{}",
        stdout(&output)
    );

    let output = triage(
        &["test", dir, "--min-coverage", "90", "--format", "json"],
        "",
    );
    assert_eq!(code(&output), 0);
    let report = stdout_json(&output);
    let edges = report["coverage"]["edges"].as_f64().unwrap();
    assert!(edges > 90.0 && edges < 100.0, "{report}");
    assert_eq!(report["uncovered"].as_array().unwrap().len(), 1, "{report}");
}

#[test]
fn test_on_an_invalid_bundle_exits_1() {
    let broken = COUGH.replace(
        "next: gp, reason: Coughing up blood",
        "next: surgery, reason: Coughing up blood",
    );
    let bundle = tiny_with("pathways/cough.yaml", &broken);
    let output = triage(&["test", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("E203"), "{}", stderr(&output));
}

#[test]
fn test_of_one_pathway_runs_its_packs_and_reports_its_own_coverage() {
    let bundle = write_bundle(&tiny_files());
    let dir = path_arg(bundle.path());
    let output = triage(
        &["test", dir, "--pathway", "period-pain", "--format", "json"],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let report = stdout_json(&output);
    // Only period-pain's two cases; its one question (2 answers) and three nodes.
    assert_eq!(report["cases"], 2);
    assert_eq!(report["coverage"]["counts"]["edges"]["total"], 2);
    assert_eq!(report["coverage"]["counts"]["nodes"]["total"], 3);
    let pathways = report["coverage"]["pathways"].as_array().expect("a list");
    assert_eq!(pathways.len(), 1);
    assert_eq!(pathways[0]["pathway"], "period-pain");

    // A pathway whose packs leave an answer untaken names it as written.
    let fewer = PERIOD_PAIN_CASES
        .split("  - name: mild pain is self-care")
        .next()
        .expect("the first case")
        .to_owned();
    let bundle = tiny_with("pathways/period-pain.cases.yaml", &fewer);
    let output = triage(
        &[
            "test",
            path_arg(bundle.path()),
            "--pathway",
            "period-pain",
            "--min-coverage",
            "100",
        ],
        "",
    );
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("period-pain/severity mild"), "{text}");
    assert!(text.contains("answer edges 50.0% (1/2)"), "{text}");

    let output = triage(&["test", dir, "--pathway", "no-such-pathway"], "");
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("no pathway `no-such-pathway`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn uncovered_edges_are_named_as_the_author_wrote_them() {
    // A bundle with no case packs: every edge is uncovered.
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/diff/base");
    let output = triage(&["test", base, "--pathway", "fever"], "");
    let text = stdout(&output);
    for needed in [
        // A number band by its bounds, not its generated id.
        "fever/temperature band 38 to under 40",
        "fever/temperature band 40 or more",
        // A branch case by its condition, at its own line.
        "pathways/fever.yaml:94 fever/decide case `when: var.drinking-less or score.fever-score >= 2`",
        "fever/decide otherwise",
    ] {
        assert!(text.contains(needed), "lacks {needed:?}:\n{text}");
    }
    assert!(!text.contains("band-"), "{text}");
}
