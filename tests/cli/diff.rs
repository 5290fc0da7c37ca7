//! `triage diff`: what changed between two versions, for whom.

use super::*;

fn shipped() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/pathways")
}

/// A copy of the shipped bundle with one edit made to one file.
fn shipped_with(file: &str, old: &str, new: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    support::copy_dir(Path::new(shipped()), dir.path());
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).expect("the file to edit");
    assert!(text.contains(old), "{file} has no {old:?}");
    std::fs::write(&path, text.replacen(old, new, 1)).expect("the edit");
    dir
}

#[test]
fn the_shipped_bundle_against_itself_has_no_change_and_exits_0() {
    let output = triage(
        &["diff", shipped(), shipped(), "--fail-on", "less-urgent"],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("No change."), "{text}");
    assert!(text.contains("Compared 124 pathways"), "{text}");
}

#[test]
fn an_answer_rerouted_from_a_and_e_to_self_care_is_named_with_its_people_and_fails_less_urgent() {
    // A painful, swollen leg with chest pain: A&E within 1 hour becomes self-care.
    let copy = shipped_with(
        "pathways/chest-pain.yaml",
        "label: A painful, swollen leg, often in the calf\n          next: clot-ed",
        "label: A painful, swollen leg, often in the calf\n          next: muscle-self-care",
    );
    let output = triage(
        &[
            "diff",
            shipped(),
            path_arg(copy.path()),
            "--fail-on",
            "less-urgent",
        ],
        "",
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    for needed in [
        "chest-pain: Chest pain",
        "Less urgent (1):",
        "For 16 years and over",
        "at clot-signs: answer swollen-leg now leads to muscle-self-care (was clot-ed)",
        "was emergency-department-1h (Go to A&E within 1 hour) at clot-ed, now self-care",
        "clot-signs = swollen-leg",
    ] {
        assert!(text.contains(needed), "lacks {needed:?}:\n{text}");
    }
    // The new version breaks a safety rule ("not sure" can now reach self-care):
    // it is compared all the same, and said to be unusable.
    let errors = stderr(&output);
    assert!(errors.contains("E402"), "{errors}");
    assert!(errors.contains("cannot be used to triage"), "{errors}");
    assert!(errors.contains("second clinical reviewer"), "{errors}");

    let json = triage(
        &[
            "diff",
            shipped(),
            path_arg(copy.path()),
            "--format",
            "json",
            "--pathway",
            "chest-pain",
        ],
        "",
    );
    assert_eq!(code(&json), 1, "a version with errors fails, even compared");
    let report = stdout_json(&json);
    let notes = report["notes"].as_array().expect("notes");
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap_or("").contains("E402")),
        "the errors are in the report: {notes:?}"
    );
    assert_eq!(report["format"], "triage.diff/1");
    let pathways = report["pathways"].as_array().expect("pathways");
    assert_eq!(pathways.len(), 1, "--pathway keeps one");
    let journey = &pathways[0]["journeys"][0];
    assert_eq!(journey["change"], "less_urgent");
    assert_eq!(journey["old"]["disposition"], "emergency-department-1h");
    assert_eq!(journey["new"]["disposition"], "self-care");
    assert_eq!(journey["fork"]["node"], "clot-signs");
    assert_eq!(
        journey["people"]["groups"][0]["ages"][0]["from_months"],
        192
    );
}

#[test]
fn markdown_is_for_a_pull_request_and_fail_on_any_trips_on_any_change() {
    let copy = shipped_with(
        "care-advice.yaml",
        "care_advice:\n",
        "care_advice:\n  - id: new-advice\n    title: New advice\n    text: Words no journey gives yet.\n",
    );
    let same = triage(&["diff", shipped(), shipped(), "--fail-on", "any"], "");
    assert_eq!(code(&same), 0);
    let output = triage(
        &[
            "diff",
            shipped(),
            path_arg(copy.path()),
            "--format",
            "markdown",
            "--fail-on",
            "any",
        ],
        "",
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("## What changed"), "{text}");
    assert!(text.contains("added care advice `new-advice`"), "{text}");
    let less = triage(
        &[
            "diff",
            shipped(),
            path_arg(copy.path()),
            "--fail-on",
            "less-urgent",
        ],
        "",
    );
    assert_eq!(code(&less), 0, "new advice makes nothing less urgent");
}

#[test]
fn options_put_in_another_order_change_the_route_of_people_who_tick_both() {
    // The first option ticked routes: moving a less urgent option above an
    // A&E one sends people who tick both to the less urgent outcome.
    let dir = tempfile::tempdir().expect("a temporary directory");
    support::copy_dir(Path::new(shipped()), dir.path());
    let path = dir.path().join("pathways/chest-pain.yaml");
    let text = std::fs::read_to_string(&path).expect("chest pain");
    let start = text
        .find("        - id: infection\n")
        .expect("the infection option");
    // The last option: its block ends where `none:` begins.
    let end = start + text[start..].find("      none:\n").expect("none after it");
    let block = text[start..end].to_owned();
    let rest = format!("{}{}", &text[..start], &text[end..]);
    let at = rest
        .find("        - id: coughing-blood\n")
        .expect("the first clot sign");
    std::fs::write(&path, format!("{}{block}{}", &rest[..at], &rest[at..])).expect("the edit");
    let output = triage(
        &[
            "diff",
            shipped(),
            path_arg(dir.path()),
            "--fail-on",
            "less-urgent",
            "--pathway",
            "chest-pain",
        ],
        "",
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("clot-signs = coughing-blood + infection"),
        "{text}"
    );
    assert!(text.contains("order of answers"), "{text}");
}

#[test]
fn a_pathway_neither_version_has_is_a_usage_error() {
    let output = triage(&["diff", shipped(), shipped(), "--pathway", "no-such"], "");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("no-such"));
}
