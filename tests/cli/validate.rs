//! `triage validate`: reports on good and broken bundles, and usage errors.

use super::*;

#[test]
fn validate_accepts_a_good_bundle_and_counts_it() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &["validate", path_arg(bundle.path()), "--format", "json"],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = stdout_json(&output);
    assert_eq!(
        report["summary"],
        json!({"pathways": 2, "modules": 1, "nodes": 12, "dispositions": 4, "errors": 0, "warnings": 0})
    );
    assert_eq!(report["diagnostics"], json!([]));
}

#[test]
fn validate_human_output_ends_with_a_summary_line() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(&["validate", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 0);
    assert!(
        stdout(&output)
            .contains("2 pathways, 1 module, 12 nodes, 4 dispositions: 0 errors, 0 warnings"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn validate_reports_an_unknown_key_with_its_file_and_line() {
    let broken = COUGH.replace("  summary:", "  sumary:");
    let bundle = tiny_with("pathways/cough.yaml", &broken);
    let output = triage(
        &["validate", path_arg(bundle.path()), "--format", "json"],
        "",
    );
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let report = stdout_json(&output);
    let diagnostics = report["diagnostics"].as_array().expect("a list");
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "L005")
        .unwrap_or_else(|| panic!("no L005 in {report}"));
    let expected_file = bundle.path().join("pathways/cough.yaml");
    assert_eq!(unknown["file"], expected_file.to_str().unwrap());
    assert_eq!(unknown["line"], 5);
    assert_eq!(unknown["severity"], "error");
    assert!(report["summary"]["errors"].as_u64().unwrap() >= 1);
}

#[test]
fn validate_reports_a_dangling_reference_in_human_form() {
    let broken = COUGH.replace("no: { next: symptoms }", "no: { next: symptom }");
    let bundle = tiny_with("pathways/cough.yaml", &broken);
    let output = triage(&["validate", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(text.contains("E203"), "{text}");
    assert!(text.contains("pathways/cough.yaml:21:"), "{text}");
    assert!(text.contains("no: { next: symptom }"), "{text}");
    assert!(text.contains("1 error"), "{text}");
}

#[test]
fn validate_passes_a_bundle_with_only_warnings() {
    let unreachable = format!("{COUGH}  spare:\n    outcome: {{ disposition: gp-2h }}\n");
    let bundle = tiny_with("pathways/cough.yaml", &unreachable);
    let output = triage(
        &["validate", path_arg(bundle.path()), "--format", "json"],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let report = stdout_json(&output);
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["summary"]["warnings"], 1);
    assert_eq!(report["diagnostics"][0]["code"], "W403");
    assert_eq!(report["diagnostics"][0]["severity"], "warning");

    let output = triage(&["validate", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("W403"), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("0 errors, 1 warning\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_missing_directory_is_a_usage_error() {
    let output = triage(&["validate", "/no/such/bundle"], "");
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("/no/such/bundle"),
        "{}",
        stderr(&output)
    );
    let output = triage(&["next", "/no/such/bundle"], "{}");
    assert_eq!(code(&output), 2);
}

#[test]
fn a_missing_argument_is_a_usage_error() {
    let output = triage(&["validate"], "");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("Usage"), "{}", stderr(&output));
}

#[test]
fn a_file_instead_of_a_directory_is_a_usage_error() {
    let bundle = write_bundle(&tiny_files());
    let file = bundle.path().join("dispositions.yaml");
    let output = triage(&["validate", path_arg(&file)], "");
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("not a directory"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn characters_that_could_steer_a_terminal_are_refused_and_never_echoed() {
    let cases = [
        // A title whose escapes spell ESC sequences: clear the screen, retitle the window.
        (
            "  title: Cough\n",
            "  title: \"Cough\\e[2J\\e]0;pwned\\a\"\n",
            "U+001B",
        ),
        // The same characters written raw.
        (
            "  title: Cough\n",
            "  title: Cough\u{1b}[2J\u{7}\n",
            "U+001B",
        ),
        // A right-to-left override that reorders what a page shows.
        ("  title: Cough\n", "  title: Cou\u{202e}hguoc\n", "U+202E"),
        // A C1 control (NEL) in a comment: snippets show comments too.
        ("pathway:\n", "# note\u{85}\npathway:\n", "U+0085"),
    ];
    for (old, new, named) in cases {
        let dir = tiny_with("pathways/cough.yaml", &COUGH.replacen(old, new, 1));
        let output = triage(&["validate", path_arg(dir.path())], "");
        assert_eq!(code(&output), 1, "{new:?}");
        let text = stdout(&output);
        assert!(text.contains("error[L013]"), "{new:?}: {text}");
        assert!(text.contains(named), "{new:?} names {named}: {text}");
        assert!(
            text.contains("cough.yaml:"),
            "{new:?} names the file and line: {text}"
        );
        for c in ['\u{1b}', '\u{7}', '\u{202e}', '\u{85}'] {
            assert!(
                !text.contains(c) && !stderr(&output).contains(c),
                "{c:?} echoed"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn a_pathway_that_is_a_symbolic_link_is_named_not_skipped() {
    let dir = write_bundle(&tiny_files());
    let pathway = dir.path().join("pathways/cough.yaml");
    let elsewhere = dir.path().join("cough-elsewhere.yml.txt");
    std::fs::rename(&pathway, &elsewhere).expect("move the pathway");
    std::os::unix::fs::symlink(&elsewhere, &pathway).expect("link it back");
    let output = triage(&["validate", path_arg(dir.path())], "");
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(text.contains("error[L001]"), "{text}");
    assert!(text.contains("pathways/cough.yaml"), "{text}");
    assert!(text.contains("symbolic link"), "{text}");
}
