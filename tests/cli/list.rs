//! `triage list`: symptom search from the command line.

use super::*;

fn listed(dir: &Path, filters: &[&str]) -> Vec<String> {
    let mut args = vec!["list", path_arg(dir), "--format", "json"];
    args.extend_from_slice(filters);
    let output = triage(&args, "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    stdout_json(&output)
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["id"].as_str().expect("an id").to_owned())
        .collect()
}

#[test]
fn list_filters_by_age_sex_and_words() {
    let bundle = write_bundle(&tiny_files());
    let dir = bundle.path();
    assert_eq!(listed(dir, &[]), ["cough", "period-pain"]);
    assert_eq!(listed(dir, &["--sex", "male"]), ["cough"]);
    assert_eq!(listed(dir, &["--age", "12"]), ["period-pain"]);
    assert_eq!(
        listed(dir, &["--age", "0", "--months", "6"]),
        Vec::<String>::new()
    );
    assert_eq!(listed(dir, &["--search", "cramps"]), ["period-pain"]);
    assert_eq!(
        listed(
            dir,
            &["--age", "30", "--sex", "female", "--search", "chesty", "cough"]
        ),
        ["cough"]
    );
    assert_eq!(listed(dir, &["--search", "knee"]), Vec::<String>::new());
}

#[test]
fn list_json_names_the_reachable_dispositions() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "list",
            path_arg(bundle.path()),
            "--format",
            "json",
            "--search",
            "period",
        ],
        "",
    );
    let pathways = stdout_json(&output);
    assert_eq!(pathways[0]["dispositions"], json!(["gp-2h", "self-care"]));
    assert_eq!(pathways[0]["ages"], json!({"from": 10.0, "to": 60.0}));
}

#[test]
fn list_markdown_is_an_index_table() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &["list", path_arg(bundle.path()), "--format", "markdown"],
        "",
    );
    assert_eq!(code(&output), 0);
    let expected = "\
| Pathway | 111 online topics served | Ages (years) | 111 age bands | Sexes | Dispositions reachable | Sources |
|---|---|---|---|---|---|---|
| Cough (`cough`, [flowchart](graphs/cough.md)) | Cough | 16+ | 16+ | female, male | Call 999 now; Speak to a GP within 2 hours; See a pharmacist; Look after yourself at home | [NHS: Cough](https://www.nhs.uk/conditions/cough/) |
| Period pain (`period-pain`, [flowchart](graphs/period-pain.md)) | Sexual or Menstrual Concerns | 10-60 | 5-16, 16+ | female | Speak to a GP within 2 hours; Look after yourself at home | [NHS: Period pain](https://www.nhs.uk/conditions/period-pain/) |
";
    assert_eq!(stdout(&output), expected);
}

#[test]
fn list_human_says_when_nothing_matches() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(&["list", path_arg(bundle.path()), "--search", "knee"], "");
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "No pathway matches.\n");
}

#[test]
fn list_prints_the_ids_an_author_can_use_even_while_the_bundle_has_errors() {
    // An outcome names a disposition that does not exist: the bundle has an
    // error, and the author needs the real ids.
    let broken = tiny_files()
        .into_iter()
        .map(|(path, text)| {
            let text = if path == "pathways/period-pain.yaml" {
                text.replacen("disposition: gp-2h", "disposition: gp-2hours", 1)
            } else {
                text
            };
            (path, text)
        })
        .collect::<Vec<_>>();
    let bundle = write_bundle(&broken);
    let dir = path_arg(bundle.path());

    let output = triage(&["list", "dispositions", dir, "--format", "json"], "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let ids: Vec<String> = stdout_json(&output)
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| d["id"].as_str().expect("an id").to_owned())
        .collect();
    assert_eq!(ids, ["call-999", "gp-2h", "pharmacy", "self-care"]);

    let output = triage(&["list", "advice", dir], "");
    assert_eq!(code(&output), 0);
    assert!(
        stdout(&output).lines().any(|l| l.starts_with("rest ")),
        "{}",
        stdout(&output)
    );

    let output = triage(
        &[
            "list",
            "questions",
            dir,
            "--pathway",
            "cough",
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let questions = stdout_json(&output);
    let symptoms = questions
        .as_array()
        .expect("a list")
        .iter()
        .find(|q| q["id"] == "symptoms")
        .expect("the symptoms question");
    assert_eq!(symptoms["answers"], json!(["chest-pain", "weeks", "none"]));

    let output = triage(
        &["list", "questions", dir, "--pathway", "emergency-screen"],
        "",
    );
    assert!(
        stdout(&output).contains("emergency-screen/"),
        "{}",
        stdout(&output)
    );

    // The validator points at the nearest real id.
    let output = triage(&["validate", dir, "--format", "json"], "");
    let report = stdout_json(&output);
    let help = report["diagnostics"][0]["help"].as_str().unwrap_or("");
    assert!(help.contains("`gp-2h`"), "{report}");
    assert!(help.contains("triage list dispositions"), "{report}");

    let output = triage(&["list", "recipes", dir], "");
    assert_eq!(code(&output), 2);
}
