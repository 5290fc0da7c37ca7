//! `triage review`: a pathway's sign-off sheet.

use super::*;

fn shipped() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/pathways")
}

#[test]
fn the_html_sign_off_sheet_holds_every_question_outcome_and_the_case_results() {
    let output = triage(&["review", shipped(), "chest-pain", "--format", "html"], "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.trim_end().ends_with("</html>"), "{page}");
    assert!(page.contains("<table>"), "the answers are tables");
    for needed in [
        "Sign-off sheet: Chest pain",
        "Content hash (SHA-256 of the file)",
        "pain-now",
        "Do you have the chest pain now?",
        "I'm not sure",
        "cases:",
        "passed",
        "Call 999 now",
        "NICE CG95",
        "Clinical safety officer",
    ] {
        assert!(
            page.contains(needed) || page.contains(&needed.replace('\'', "&#39;")),
            "the sheet lacks {needed:?}"
        );
    }
}

#[test]
fn text_from_the_bundle_is_shown_as_text_never_as_markup() {
    let hostile = COUGH.replace(
        "text: { self: Are you coughing up blood?, other: Are they coughing up blood? }",
        "text: { self: \"<script>alert(1)</script> Are you **coughing** up blood?\", other: Are they coughing up blood? }",
    );
    assert_ne!(hostile, COUGH);
    let bundle = tiny_with("pathways/cough.yaml", &hostile);
    let output = triage(
        &[
            "review",
            path_arg(bundle.path()),
            "cough",
            "--format",
            "html",
        ],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let page = stdout(&output);
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;"), "{page}");
    assert!(!page.contains("<strong>coughing</strong>"), "{page}");

    let markdown = stdout(&triage(&["review", path_arg(bundle.path()), "cough"], ""));
    assert!(markdown.contains("\\<script\\>"), "{markdown}");
    let output = triage(&["review", path_arg(bundle.path()), "no-such-pathway"], "");
    assert_eq!(code(&output), 2);
}

#[test]
fn against_an_older_version_the_sheet_ends_with_the_journeys_that_changed() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/diff");
    let (base, rerouted) = (format!("{fixtures}/base"), format!("{fixtures}/rerouted"));
    let output = triage(&["review", &rerouted, "fever", "--against", &base], "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let sheet = stdout(&output);
    let changes = sheet
        .split("## Changes since")
        .nth(1)
        .expect("a section of changes");
    for needed in [
        "### `fever` High temperature (fever) (version 1.0.0 → 1.1.0)",
        "#### Less urgent (1)",
        "at warning-signs: answer stiff-neck now leads to gp-soon (was ae-now)",
        "For 1 to 15 years",
    ] {
        assert!(changes.contains(needed), "lacks {needed:?}:\n{changes}");
    }
    assert!(changes.contains("## Sign-off"), "the signatures come last");

    let same = triage(&["review", &base, "cough", "--against", &base], "");
    assert!(stdout(&same).contains("No journey of this pathway ends differently"));
}
